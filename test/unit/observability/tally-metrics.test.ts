import fc from 'fast-check';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Metric } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { TallyCounter, TallyGauge, TallyHistogram } from '../../../src/observability/tally-metrics.js';

// The tallies must print what prom-client's own classes print for the same events: the
// exposition text is the contract with Prometheus, and prom-client is the independent reference.
async function text(metric: object): Promise<string> {
  const registry = new Registry();
  registry.registerMetric(metric as Metric);
  return registry.metrics();
}

/** What cluster workers send to be merged (AggregatorRegistry), as it travels: JSON (no undefined fields). */
async function json(metric: object): Promise<unknown> {
  const registry = new Registry();
  registry.registerMetric(metric as Metric);
  // prom-client adds `exemplar: null` (exemplars are off here); the merge ignores it.
  return JSON.parse(JSON.stringify(await registry.getMetricsAsJSON(), (k, v: unknown) => (k === 'exemplar' ? undefined : v))) as unknown;
}

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const ops = ['GetObject', 'PutObject', 'ListObjectsV2'];

describe('TallyHistogram', () => {
  it('prints the same exposition text as prom-client for any observations', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.tuple(fc.constantFrom(...ops), fc.oneof(fc.constantFrom(...BUCKETS, 0, 100), fc.double({ min: 0, max: 60, noNaN: true }))), { maxLength: 60 }),
      async (observations) => {
        const reference = new Histogram({ name: 'h_seconds', help: 'help', labelNames: ['operation'], buckets: BUCKETS, registers: [] });
        const tally = new TallyHistogram({ name: 'h_seconds', help: 'help', labelNames: ['operation'], buckets: BUCKETS });
        for (const [op, v] of observations) {
          reference.labels(op).observe(v);
          tally.labels(op).observe(v);
        }
        expect(await text(tally)).toBe(await text(reference));
      },
    ), { numRuns: 50 });
  });

  it('prints an unlabelled histogram at zero before any observation, as prom-client does', async () => {
    const reference = new Histogram({ name: 's_seconds', help: 'help', buckets: [1e-6, 1e-3], registers: [] });
    const tally = new TallyHistogram({ name: 's_seconds', help: 'help', buckets: [1e-6, 1e-3] });
    expect(await text(tally)).toBe(await text(reference));
    reference.observe(0.0005);
    tally.observe(0.0005);
    expect(await text(tally)).toBe(await text(reference));
    expect(await json(tally)).toEqual(await json(reference));
  });

  it('refuses a value that is not a finite number', () => {
    const tally = new TallyHistogram({ name: 'x', help: 'h', buckets: [1] });
    expect(() => tally.observe(Number.NaN)).toThrow(TypeError);
    expect(() => tally.observe(Infinity)).toThrow(TypeError);
  });
});

describe('TallyCounter and TallyGauge', () => {
  it('print the same exposition text as prom-client for any increments', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.tuple(fc.constantFrom('GET', 'PUT'), fc.constantFrom('2xx', '4xx'), fc.nat(5000)), { maxLength: 40 }),
      async (events) => {
        const reference = new Counter({ name: 'c_total', help: 'help', labelNames: ['method', 'status_class'], registers: [] });
        const tally = new TallyCounter({ name: 'c_total', help: 'help', labelNames: ['method', 'status_class'] });
        for (const [m, c, n] of events) {
          reference.labels(m, c).inc(n);
          tally.labels(m, c).inc(n);
        }
        expect(await text(tally)).toBe(await text(reference));
        expect(await json(tally)).toEqual(await json(reference));
      },
    ), { numRuns: 50 });
    const g = new Gauge({ name: 'g', help: 'help', registers: [] });
    const tg = new TallyGauge({ name: 'g', help: 'help' });
    expect(await text(tg)).toBe(await text(g));
    g.inc(); g.inc(); g.dec(); tg.inc(); tg.inc(); tg.dec();
    expect(await text(tg)).toBe(await text(g));
  });

  it('prints an unlabelled counter at 0 from the start, and refuses to go down', async () => {
    const reference = new Counter({ name: 'b_total', help: 'help', registers: [] });
    const tally = new TallyCounter({ name: 'b_total', help: 'help' });
    expect(await text(tally)).toBe(await text(reference));
    expect(() => tally.inc(-1)).toThrow(TypeError);
  });

  it('starts again from zero after reset (registry.resetMetrics), unlabelled ones included', async () => {
    const c = new TallyCounter({ name: 'r_total', help: 'h' });
    const h = new TallyHistogram({ name: 'r_seconds', help: 'h', buckets: [1] });
    c.inc(5);
    h.observe(0.5);
    c.reset();
    h.reset();
    c.inc(2);
    h.observe(2);
    expect(await text(c)).toContain('r_total 2');
    expect(await text(h)).toContain('r_seconds_count 1');
    expect(await text(h)).toContain('r_seconds_bucket{le="1"} 0');
  });

  it('takes exactly as many label values as it has names', () => {
    const tally = new TallyCounter({ name: 'l_total', help: 'h', labelNames: ['a', 'b'] });
    expect(() => tally.labels('x')).toThrow(TypeError);
  });
});
