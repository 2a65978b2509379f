import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { parse } from 'yaml';
import { createMetrics } from '../../src/observability/index.js';
import type { K8sObject } from './k8s-schema.js';
import { validateObject } from './k8s-schema.js';
import { METRIC_NAMES } from '../support/metric-names.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string): string => readFileSync(root + path, 'utf8');

/** The metrics signet's observability module exports (the contract the dashboard and alerts rely on). */
const METRICS = new Set(METRIC_NAMES);
const HISTOGRAMS = ['signet_request_duration_seconds', 'signet_upstream_duration_seconds', 'signet_signing_duration_seconds', 'signet_credentials_refresh_duration_seconds'];

function unknownMetrics(expr: string): string[] {
  return [...expr.matchAll(/\bsignet_[a-z_]+/g)]
    .map((m) => m[0])
    .filter((name) => {
      if (METRICS.has(name)) return false;
      const base = name.replace(/_(bucket|sum|count)$/, '');
      return !(base !== name && HISTOGRAMS.includes(base));
    });
}

describe('metric contract', () => {
  it('matches the metrics signet registers', async () => {
    const registry = new Registry();
    createMetrics(registry);
    const metrics = await registry.getMetricsAsJSON();
    const own = metrics.filter((m) => m.name.startsWith('signet_'));
    expect(own.map((m) => m.name).sort()).toEqual([...METRICS].sort());
    expect(own.filter((m) => String(m.type) === 'histogram').map((m) => m.name).sort()).toEqual([...HISTOGRAMS].sort());
  });
});

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: string };
  annotations: { summary: string };
}
const rulesText = read('deploy/monitoring/signet-alerts.rules.yaml');
const rules = (parse(rulesText) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);

describe('alert rules', () => {
  it('are the same file in the chart and in deploy/monitoring, and in the PrometheusRule', async () => {
    expect(read('helm/signet/files/signet-alerts.rules.yaml')).toBe(rulesText);
    const obj = parse(read('deploy/monitoring/prometheusrule.yaml')) as K8sObject;
    expect(obj.spec).toEqual(parse(rulesText));
    await validateObject(obj);
  });

  it.each([
    ['SignetCredentialRefreshFailing', 'signet_credentials_refreshes_total{result="failure"}'],
    ['SignetCredentialsExpiringSoon', '< 600'],
    ['SignetSignatureDoesNotMatch', 'code="SignatureDoesNotMatch"'],
    ['SignetClockSkew', '> 60'],
    ['SignetHigh5xxRatio', 'status_class="5xx"'],
    ['SignetConfigReloadFailing', 'signet_config_reloads_total{result="failure"}'],
  ])('include %s, watching %s', (name, fragment) => {
    const rule = rules.find((r) => r.alert === name);
    expect(rule?.expr).toContain(fragment);
    expect(rule?.labels.severity).toMatch(/^(warning|critical)$/);
    expect(rule?.annotations.summary.length).toBeGreaterThan(10);
    expect(rule?.for).toMatch(/^\d+m$/);
  });

  it('only use metrics signet exports, with balanced brackets', () => {
    for (const rule of rules) {
      expect(unknownMetrics(rule.expr), rule.alert).toEqual([]);
      for (const [open, close] of ['()', '{}', '[]']) {
        expect(rule.expr.split(open!).length, `${rule.alert} ${open}`).toBe(rule.expr.split(close!).length);
      }
    }
  });
});

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { refId: string; expr: string }[];
}
const dashboard = JSON.parse(read('deploy/monitoring/signet-dashboard.json')) as {
  uid: string;
  panels: Panel[];
  templating: { list: { name: string }[] };
};

describe('Grafana dashboard', () => {
  const panels = dashboard.panels.filter((p) => p.type !== 'row');

  it('has unique panel ids inside a 24-column grid, each panel with queries', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dashboard.panels) expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
    for (const p of panels) expect(p.targets?.length, p.title).toBeGreaterThan(0);
  });

  it('only queries metrics signet exports, filtered by the namespace and pod variables', () => {
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(['datasource', 'namespace', 'pod']);
    for (const p of panels) {
      for (const t of p.targets ?? []) {
        expect(unknownMetrics(t.expr), p.title).toEqual([]);
        expect(t.expr, p.title).toContain('namespace=~"$namespace", pod=~"$pod"');
      }
    }
  });

  it.each([
    ['request rate', 'signet_requests_total'],
    ['errors by S3 code', 'signet_upstream_errors_total'],
    ['latency', 'signet_request_duration_seconds_bucket'],
    ['bytes', 'signet_response_bytes_total'],
    ['credential expiry', 'signet_credentials_expiry_timestamp_seconds'],
    ['clock skew', 'signet_clock_skew_seconds'],
    ['spool use', 'signet_spool_bytes'],
  ])('shows %s', (_topic, metric) => {
    expect(panels.some((p) => p.targets?.some((t) => t.expr.includes(metric)))).toBe(true);
  });
});
