/**
 * Validates rendered Kubernetes objects against the OpenAPI schemas shipped in
 * `kubernetes-models` (core API) and `@kubernetes-models/prometheus-operator` (CRDs).
 * Those schemas check types, enums, formats and required fields; like the API server with
 * `--validate=false`, they do not refuse unknown fields, so tests add their own checks for the
 * fields that matter.
 */
import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}

interface Model {
  validate(): void;
}
type ModelClass = new (data: unknown) => Model;

function modulePath(apiVersion: string, kind: string): string {
  if (apiVersion.startsWith('monitoring.coreos.com/')) {
    return `@kubernetes-models/prometheus-operator/${apiVersion}/${kind}`;
  }
  return `kubernetes-models/${apiVersion}/${kind}`;
}

/** Throws with the schema's complaint, naming the object. */
export async function validateObject(obj: K8sObject): Promise<void> {
  const where = `${obj.kind}/${obj.metadata?.name ?? '?'}`;
  const mod = (await import(modulePath(obj.apiVersion, obj.kind))) as Record<string, ModelClass>;
  const Ctor = mod[obj.kind];
  if (Ctor === undefined) throw new Error(`${where}: no schema for ${obj.apiVersion} ${obj.kind}`);
  try {
    new Ctor(obj).validate();
  } catch (err) {
    throw new Error(`${where}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

export function parseObjects(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join('; '));
      return doc.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null);
}

export function hasCommand(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface PodSpecLike {
  containers: ContainerLike[];
  initContainers?: ContainerLike[];
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean };
  volumes?: { name: string }[];
}
export interface ContainerLike {
  name: string;
  image: string;
  restartPolicy?: string;
  args?: string[];
  env?: { name: string; value?: string }[];
  envFrom?: { configMapRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number }[];
  livenessProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
  startupProbe?: { httpGet?: { path: string } };
  securityContext?: { readOnlyRootFilesystem?: boolean; runAsNonRoot?: boolean; allowPrivilegeEscalation?: boolean; capabilities?: { drop?: string[] } };
  volumeMounts?: { name: string; mountPath: string }[];
}

export function podSpec(deployment: K8sObject): PodSpecLike {
  const spec = deployment.spec as { template: { spec: PodSpecLike } };
  return spec.template.spec;
}

export function signetContainer(pod: PodSpecLike): ContainerLike | undefined {
  return [...pod.containers, ...(pod.initContainers ?? [])].find((c) => c.name === 'signet');
}
