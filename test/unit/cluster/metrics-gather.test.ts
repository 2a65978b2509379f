import { describe, expect, it } from 'vitest';
import { MetricsGather } from '../../../src/cluster/metrics-gather.js';

const snap = (n: number) => [{ name: `m${n}`, help: '', type: 'counter', values: [], aggregator: 'sum' }] as never;

describe('MetricsGather', () => {
  it('resolves once every asked worker has answered', async () => {
    const g = new MetricsGather(10_000);
    let id = 0;
    const p = g.collect((i) => ((id = i), 2));
    g.answer(id, snap(1));
    g.answer(id, snap(2));
    expect(await p).toEqual([snap(1), snap(2)]);
  });

  it('resolves at once when there is nobody to ask', async () => {
    const g = new MetricsGather(10_000);
    expect(await g.collect(() => 0)).toEqual([]);
  });

  it('answers with what arrived when a worker stays silent, and drops late answers', async () => {
    const g = new MetricsGather(50);
    let id = 0;
    const p = g.collect((i) => ((id = i), 2));
    g.answer(id, snap(1));
    expect(await p).toEqual([snap(1)]);
    g.answer(id, snap(2));
    g.answer(9999, snap(3));
  });

  it('keeps scrapes apart', async () => {
    const g = new MetricsGather(10_000);
    const ids: number[] = [];
    const a = g.collect((i) => (ids.push(i), 1));
    const b = g.collect((i) => (ids.push(i), 1));
    g.answer(ids[1]!, snap(2));
    g.answer(ids[0]!, snap(1));
    expect(await a).toEqual([snap(1)]);
    expect(await b).toEqual([snap(2)]);
  });

  it('takes answers that arrive while it is still asking', async () => {
    const g = new MetricsGather(10_000);
    const p = g.collect((i) => {
      g.answer(i, snap(1));
      return 1;
    });
    expect(await p).toEqual([snap(1)]);
  });
});
