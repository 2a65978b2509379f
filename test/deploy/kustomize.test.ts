import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { K8sObject } from './k8s-schema.js';
import { hasCommand, parseObjects, podSpec, signetContainer, validateObject } from './k8s-schema.js';

const deployDir = fileURLToPath(new URL('../../deploy/', import.meta.url));
// kubectl (with kustomize built in) is on this project's machine image; skip, loudly, elsewhere.
const kubectl = hasCommand('kubectl', ['version', '--client']);
if (!kubectl) console.warn('test/deploy: kubectl not found, kustomize builds are skipped');

function build(dir: string): K8sObject[] {
  const out = execFileSync('kubectl', ['kustomize', `${deployDir}${dir}`], { encoding: 'utf8' });
  return parseObjects(out);
}

function configMapData(objects: K8sObject[], refs: string[]): Record<string, string> {
  const data: Record<string, string> = {};
  for (const ref of refs) {
    const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === ref);
    if (cm === undefined) throw new Error(`ConfigMap ${ref} is referenced but not generated`);
    Object.assign(data, cm.data as Record<string, string>);
  }
  return data;
}

describe.skipIf(!kubectl)('kustomize', () => {
  const dirs = ['base', 'overlays/gateway', 'overlays/sidecar-example', 'monitoring'];

  it.each(dirs)('builds %s into objects that match the Kubernetes schemas', async (dir) => {
    const objects = build(dir);
    expect(objects.length).toBeGreaterThan(0);
    for (const obj of objects) await validateObject(obj);
  });

  it.each(['overlays/gateway', 'overlays/sidecar-example'])(
    'runs signet in %s hardened, probed on the admin port and given time to drain',
    (dir) => {
      const objects = build(dir);
      const deployments = objects.filter((o) => o.kind === 'Deployment');
      const withSignet = deployments.filter((d) => signetContainer(podSpec(d)) !== undefined);
      expect(withSignet).toHaveLength(1);
      const pod = podSpec(withSignet[0]!);
      const c = signetContainer(pod)!;
      expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, runAsNonRoot: true });
      expect(c.securityContext?.capabilities?.drop).toEqual(['ALL']);
      expect(c.livenessProbe?.httpGet?.path).toBe('/healthz');
      expect(c.readinessProbe?.httpGet?.path).toBe('/readyz');
      expect(c.volumeMounts?.map((m) => m.mountPath)).toContain('/var/spool/signet');
      const env = configMapData(objects, (c.envFrom ?? []).map((e) => e.configMapRef!.name));
      expect(env.SIGNET_SPOOL_DIR).toBe('/var/spool/signet');
      expect(env.SIGNET_ADMIN_LISTEN).toBe('0.0.0.0:9090');
      expect(env.SIGNET_REGION).toMatch(/^[a-z]+-[a-z]+-\d$/);
      const grace = Number.parseInt(env.SIGNET_SHUTDOWN_GRACE ?? '', 10);
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(grace);
    },
  );

  it('keeps the sidecar on loopback, as a native sidecar that starts before the app', () => {
    const objects = build('overlays/sidecar-example');
    const app = objects.find((o) => o.kind === 'Deployment')!;
    const pod = podSpec(app);
    const c = signetContainer(pod)!;
    expect(pod.initContainers?.map((x) => x.name)).toEqual(['signet']);
    expect(c.restartPolicy).toBe('Always');
    expect(c.startupProbe?.httpGet?.path).toBe('/readyz');
    expect(pod.containers.map((x) => x.name)).toEqual(['app']);
    const env = configMapData(objects, (c.envFrom ?? []).map((e) => e.configMapRef!.name));
    expect(env.SIGNET_LISTEN).toBe('127.0.0.1:8080');
    expect(pod.volumes?.map((v) => v.name).sort()).toEqual(['signet-spool', 'signet-tmp', 'tmp']);
  });

  it('gives the gateway an IRSA role, client keys and selectors that select its pods', () => {
    const objects = build('overlays/gateway');
    const sa = objects.find((o) => o.kind === 'ServiceAccount')!;
    expect(sa.metadata.annotations?.['eks.amazonaws.com/role-arn']).toMatch(/^arn:aws:iam::\d{12}:role\//);
    const dep = objects.find((o) => o.kind === 'Deployment')!;
    const spec = dep.spec as { replicas: number; template: { metadata: { labels: Record<string, string> } } };
    expect(spec.replicas).toBe(3);
    const podLabels = spec.template.metadata.labels;
    const selectors: Record<string, string>[] = [];
    for (const o of objects) {
      const s = o.spec as { selector?: Record<string, unknown>; podSelector?: { matchLabels: Record<string, string> } } | undefined;
      if (o.kind === 'Service') selectors.push(s!.selector as Record<string, string>);
      if (o.kind === 'Deployment' || o.kind === 'PodDisruptionBudget') selectors.push((s!.selector as { matchLabels: Record<string, string> }).matchLabels);
      if (o.kind === 'NetworkPolicy') selectors.push(s!.podSelector!.matchLabels);
    }
    expect(selectors).toHaveLength(4);
    for (const sel of selectors) {
      expect(Object.keys(sel).length).toBeGreaterThan(0);
      expect(podLabels).toMatchObject(sel);
    }
    const env = configMapData(objects, (signetContainer(podSpec(dep))!.envFrom ?? []).map((e) => e.configMapRef!.name));
    expect(env.SIGNET_LISTEN).toBe('0.0.0.0:8080');
    expect(env.SIGNET_INBOUND_KEYS).toBe('/etc/signet/inbound/inbound-keys');
  });
});
