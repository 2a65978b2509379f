import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { parseRoutes, parseUpstream } from '../../src/config/index.js';
import type { RouteDefaults, UpstreamTarget } from '../../src/config/index.js';
import { buildHelmRender, render } from './helm-render.js';
import type { K8sObject } from './k8s-schema.js';
import { parseObjects, podSpec, signetContainer, validateObject } from './k8s-schema.js';

const chartDir = fileURLToPath(new URL('../../helm/signet/', import.meta.url));
const exampleNames = ['gateway-minimal', 'gateway-full', 'sidecar', 'gateway-routes'];
const examples = exampleNames.map((n) => `${chartDir}examples/${n}.yaml`);
const fixture = fileURLToPath(new URL('./fixtures/sidecar-host.yaml', import.meta.url));

const readYaml = (path: string): unknown => parse(readFileSync(path, 'utf8'));
const schema = JSON.parse(readFileSync(`${chartDir}values.schema.json`, 'utf8')) as object;
const validateValues = new Ajv({ allErrors: true, strict: false }).compile(schema);

/** Deep merge as Helm merges -f files over values.yaml (null removes a key). */
function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else if (typeof v === 'object' && !Array.isArray(v) && typeof out[k] === 'object' && out[k] !== null && !Array.isArray(out[k])) {
      out[k] = merge(out[k] as Record<string, unknown>, v as Record<string, unknown>);
    } else out[k] = v;
  }
  return out;
}
const routeDefaults: RouteDefaults = {
  region: 'eu-west-1', upstream: parseUpstream('https://s3.eu-west-1.amazonaws.com') as UpstreamTarget, service: 's3',
  addressing: 'auto', payload: 'auto', upstreamCapabilities: new Set(), signingAlgorithm: 'sigv4', regionSet: [],
};
const defaults = readYaml(`${chartDir}values.yaml`) as Record<string, unknown>;
const withDefaults = (over: Record<string, unknown>): Record<string, unknown> => merge(defaults, over);

describe('values.schema.json', () => {
  it.each(['values.yaml', ...exampleNames.map((n) => `examples/${n}.yaml`)])('accepts %s', (file) => {
    const values = withDefaults(readYaml(chartDir + file) as Record<string, unknown>);
    expect(validateValues(values), JSON.stringify(validateValues.errors)).toBe(true);
  });

  it('accepts routes signet itself reads, as the ConfigMap hands them over', () => {
    const values = readYaml(`${chartDir}examples/gateway-routes.yaml`) as { routes: unknown[] };
    const routes = parseRoutes(stringify({ routes: values.routes }), 'signet.yaml', routeDefaults)!;
    expect(routes.map((r) => `${r.name} ${r.service} ${r.region} ${r.upstream.origin}`)).toEqual([
      'team-a s3 eu-west-1 https://s3.eu-west-1.amazonaws.com',
      'team-b s3 us-east-1 https://s3.us-east-1.amazonaws.com',
      'search es eu-west-1 https://search-logs-abc123.eu-west-1.es.amazonaws.com',
    ]);
  });

  it.each([
    ['a route without a name', { routes: [{ match: { buckets: ['a'] } }] }],
    ['a route key signet does not have', { routes: [{ name: 'a', bucket: 'a' }] }],
    ['route credentials with a bad role', { routes: [{ name: 'a', credentials: { roleArn: 'team-a' } }] }],
    ['an unknown mode', { mode: 'daemonset' }],
    ['a misspelt signet flag', { config: { regoin: 'us-east-1' } }],
    ['a payload strategy signet does not have', { config: { payload: 'chunked' } }],
    ['an upstream with a path', { config: { upstream: 'https://s3.amazonaws.com/bucket' } }],
    ['a writable root filesystem', { securityContext: { readOnlyRootFilesystem: false } }],
    ['TLS without its secret', { tls: { enabled: true, secretName: '' } }],
    ['an image digest that is not sha256', { image: { digest: 'latest' } }],
    ['an unknown top-level key', { replicas: 3 }],
  ])('refuses %s', (_name, over) => {
    expect(validateValues(withDefaults(over))).toBe(false);
  });
});

describe('templates', () => {
  const templateDir = `${chartDir}templates/`;
  const sources = readdirSync(templateDir).map((f) => [f, readFileSync(templateDir + f, 'utf8')] as const);

  // Catches a misspelt value path even where no Go toolchain renders the chart.
  it('only read .Values paths that values.yaml defines', () => {
    const full = withDefaults(readYaml(examples[1]!) as Record<string, unknown>);
    const missing: string[] = [];
    for (const [file, source] of sources) {
      const text = source.replace(/\{\{-?\s*\/\*[\s\S]*?\*\/\s*-?\}\}/g, '');
      for (const m of text.matchAll(/(?:\$v|\.Values)\.([A-Za-z][\w.]*)/g)) {
        let node: unknown = full;
        for (const key of m[1]!.split('.')) {
          node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
        }
        if (node === undefined) missing.push(`${file}: ${m[0]}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('set every signet config key as a SIGNET_ variable, and the fixed ones from structured values', () => {
    const container = sources.find(([f]) => f === '_container.tpl')![1];
    expect(container).toContain('printf "SIGNET_%s" ($flag | upper | replace "-" "_")');
    const config = (schema as { properties: { config: { properties: Record<string, unknown> } } }).properties.config.properties;
    for (const fixed of ['listen', 'admin-listen', 'spool-dir', 'tls-cert', 'tls-key', 'inbound-keys', 'upstream-ca', 'shutdown-grace', 'workers']) {
      expect(config).not.toHaveProperty(fixed);
    }
  });
});

const renderer = buildHelmRender();
if (renderer === undefined) {
  console.warn('test/deploy: Go or Debian sprig sources not found, chart rendering is skipped (see docs/kubernetes.md)');
}

describe.skipIf(renderer === undefined)('chart rendered with Go templates and sprig', () => {
  const run = (...files: string[]): K8sObject[] => {
    const r = render(renderer!, chartDir, [...files.flatMap((f) => ['-f', f]), '-t', fixture]);
    if (r.status !== 0) throw new Error(r.stderr);
    return parseObjects(r.stdout);
  };
  const kinds = (objects: K8sObject[]): string[] => objects.map((o) => o.kind).sort();

  it('refuses a gateway without inbound keys under the default values', () => {
    const r = render(renderer!, chartDir, []);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('gateway mode needs inboundKeys.existingSecret');
  });

  it.each(exampleNames)('renders examples/%s.yaml into objects that match the Kubernetes schemas', async (name) => {
    const file = `${chartDir}examples/${name}.yaml`;
    const objects = run(file);
    for (const obj of objects) await validateObject(obj);
    const notes = render(renderer!, chartDir, ['-f', file, '-notes']);
    expect(notes.status, notes.stderr).toBe(0);
    expect(notes.stdout).toMatch(/signet/);
  });

  it('renders a minimal gateway with its Service, ServiceAccount and PDB, listening on all interfaces', () => {
    const objects = run(examples[0]!);
    expect(kinds(objects)).toEqual(['Deployment', 'PodDisruptionBudget', 'Service', 'ServiceAccount']);
    const dep = objects.find((o) => o.kind === 'Deployment')!;
    const c = signetContainer(podSpec(dep))!;
    const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
    expect(env).toMatchObject({ SIGNET_LISTEN: '0.0.0.0:8080', SIGNET_ADMIN_LISTEN: '0.0.0.0:9090', SIGNET_REGION: 'eu-west-1', SIGNET_SHUTDOWN_GRACE: '25s', SIGNET_INBOUND_KEYS: '/etc/signet/inbound/inbound-keys' });
    expect(podSpec(dep).terminationGracePeriodSeconds).toBe(35);
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
  });

  it('renders every optional object of the full gateway, with TLS and keys mounted', () => {
    const objects = run(examples[1]!);
    expect(kinds(objects)).toEqual(['Deployment', 'HorizontalPodAutoscaler', 'NetworkPolicy', 'PodDisruptionBudget', 'PrometheusRule', 'Service', 'ServiceAccount', 'ServiceMonitor']);
    const dep = objects.find((o) => o.kind === 'Deployment')!;
    expect(dep.spec).not.toHaveProperty('replicas');
    const c = signetContainer(podSpec(dep))!;
    const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
    expect(env).toMatchObject({ SIGNET_TLS_CERT: '/etc/signet/tls/tls.crt', SIGNET_UPSTREAM_CA: '/etc/signet/upstream-ca/ca-bundle.pem', SIGNET_ROLE_ARN: 'arn:aws:iam::111122223333:role/s3-writer', SIGNET_MAX_RETRIES: '3' });
    expect(c.volumeMounts?.map((m) => m.mountPath)).toEqual(['/var/spool/signet', '/tmp', '/etc/signet/tls', '/etc/signet/inbound', '/etc/signet/upstream-ca']);
    const sa = objects.find((o) => o.kind === 'ServiceAccount')!;
    expect(sa.metadata.annotations?.['eks.amazonaws.com/role-arn']).toBe('arn:aws:iam::111122223333:role/signet-gateway');
  });

  it('renders sidecar mode as a ServiceAccount and monitoring, and a helper that adds a loopback native sidecar', () => {
    const objects = run(examples[2]!);
    expect(kinds(objects)).toEqual(['Deployment', 'PodMonitor', 'PrometheusRule', 'ServiceAccount']);
    const host = objects.find((o) => o.kind === 'Deployment')!;
    const pod = podSpec(host);
    const c = signetContainer(pod)!;
    expect(pod.initContainers?.map((x) => x.name)).toEqual(['signet']);
    expect(c.restartPolicy).toBe('Always');
    expect(c.image).toBe('ghcr.io/example/signet:0.1.0');
    expect(c.env?.find((e) => e.name === 'SIGNET_LISTEN')?.value).toBe('127.0.0.1:8080');
    expect(pod.volumes?.map((v) => v.name)).toEqual(['signet-spool', 'signet-tmp']);
  });

  it('puts the same alert rules in the PrometheusRule as deploy/monitoring ships', () => {
    const rule = run(examples[1]!).find((o) => o.kind === 'PrometheusRule')!;
    const rulesFile = fileURLToPath(new URL('../../deploy/monitoring/signet-alerts.rules.yaml', import.meta.url));
    expect(rule.spec).toEqual(readYaml(rulesFile));
  });
});
