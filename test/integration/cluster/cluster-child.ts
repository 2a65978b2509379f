// `signet serve --workers N` as a real process tree on 127.0.0.1: the primary and its workers, fed
// by a loopback container-credentials endpoint (EKS Pod Identity's protocol), in front of the
// embedded S3, which checks every signature with @smithy/signature-v4 and accepts only the
// credentials the endpoint issued last (the one before for a second after a rotation).
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { startDemoS3 } from '../../../src/demo/index.js';
import type { DemoS3 } from '../../../src/demo/index.js';
import { startContainerServer } from '../../support/credentials/container-server.js';
import { CredentialIssuer } from '../../support/credentials/issuer.js';
import { collect, isolatedEnv, spawnSignet } from '../ops/cli-child.js';
import type { CliResult } from '../ops/cli-child.js';
import { eventually } from '../ops/slow-upload.js';

/** Grace for the previous set after a rotation: requests signed just before a push still land. */
const PREVIOUS_KEY_GRACE_MS = 1_000;

export type LogLine = Record<string, unknown> & { msg?: string; worker?: number };

export interface Cluster {
  readonly child: ChildProcess;
  readonly proxy: string;
  readonly admin: string;
  readonly s3: DemoS3;
  readonly issuer: CredentialIssuer;
  /** Requests the credential endpoint has answered. */
  hits(): number;
  /** Takes the credential endpoint off the air, or puts it back on the same port. */
  credentialEndpoint(up: boolean): Promise<void>;
  /** Every stdout line, as written (to check that none is torn). */
  readonly rawLines: string[];
  readonly done: Promise<CliResult>;
  lines(): LogLine[];
  close(): Promise<void>;
}

/** The latest credentials only, and the one before it during a short grace after a rotation. */
function latestKeys(issuer: CredentialIssuer) {
  return {
    lookup(accessKeyId: string) {
      const [previous, latest] = issuer.issued.slice(-2).length === 2 ? issuer.issued.slice(-2) : [undefined, issuer.issued.at(-1)];
      const hit = latest?.accessKeyId === accessKeyId ? latest
        : previous?.accessKeyId === accessKeyId && latest !== undefined && Date.now() - latest.issuedAtMs < PREVIOUS_KEY_GRACE_MS ? previous : undefined;
      return hit === undefined ? undefined : { secretAccessKey: hit.secretAccessKey, sessionToken: hit.sessionToken };
    },
  };
}

/** A `signet serve --workers` process tree as the tests see it: its lines, its addresses, its end. */
export interface ClusterProcess {
  readonly child: ChildProcess;
  readonly proxy: string;
  readonly admin: string;
  readonly rawLines: string[];
  readonly done: Promise<CliResult>;
  lines(): LogLine[];
  /** SIGKILL to the primary and to any worker left behind. */
  kill(): void;
}

/** Spawns `signet serve` with `args` and waits until the primary says every worker listens (ready or not). */
export async function spawnCluster(args: string[], env: NodeJS.ProcessEnv): Promise<ClusterProcess> {
  const child = spawnSignet(['serve', ...args], env);
  const rawLines: string[] = [];
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    rawLines.push(...parts.filter((l) => l !== ''));
  });
  const done = collect(child);
  const lines = (): LogLine[] => rawLines.map((l) => JSON.parse(l) as LogLine);
  let proxy = '';
  let admin = '';
  const exited = done.then((r) => { throw new Error(`signet exited early (${r.code}): ${r.stderr}`); });
  exited.catch(() => undefined);
  await Promise.race([exited, eventually(async () => {
    for (const l of lines()) {
      if (l.msg === 'admin listener started') admin = String(l.url);
      if ((l.msg === 'signet ready' || l.msg === 'signet listening without credentials; not ready') && l.worker === 0) proxy = String(l.listen);
    }
    return proxy !== '' && admin !== '';
  }, 30_000, 'the workers to be ready')]);
  return {
    child, proxy, admin, rawLines, done, lines,
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      // Workers notice their primary is gone and leave; kill any that linger.
      for (const pid of workerPids(lines())) {
        // Only if that pid is still one of ours (a pid can be reused once its worker is gone).
        if (!ourWorker(pid)) continue;
        try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      }
    },
  };
}

export async function startCluster(workers: number, extra: string[] = [], lifetimeMs = 60 * 60 * 1000, endpointUp = true): Promise<Cluster> {
  const issuer = new CredentialIssuer(lifetimeMs);
  const creds = await startContainerServer({ token: 'cluster-test-token', issuer });
  if (!endpointUp) await creds.server.down();
  const s3 = await startDemoS3({ region: 'us-east-1', keys: latestKeys(issuer), autoCreateBuckets: true });
  const p = await spawnCluster([
    '--workers', String(workers), '--region', 'us-east-1', '--upstream', s3.url, '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0',
    '--upstream-capabilities', 'all', ...extra,
  ], isolatedEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: creds.url, AWS_CONTAINER_AUTHORIZATION_TOKEN: 'cluster-test-token' }));
  return {
    child: p.child, proxy: p.proxy, admin: p.admin, s3, issuer, rawLines: p.rawLines, done: p.done, lines: p.lines,
    hits: () => creds.server.requests,
    credentialEndpoint: (up) => (up ? creds.server.up() : creds.server.down()),
    async close() {
      p.kill();
      await s3.close();
      await creds.server.down();
    },
  };
}

function ourWorker(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes('__SIGNET_WORKER=1') &&
      readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('run-cli.ts');
  } catch {
    return false;
  }
}

/** Pids of every worker the primary started (from its "worker started" lines). */
export function workerPids(lines: LogLine[]): number[] {
  return lines.filter((l) => l.msg === 'worker started').map((l) => Number(l.pid));
}

/** A GET on a fresh connection (so the primary hands each to the next worker), status and body. */
export function get(base: string, path: string): Promise<{ status: number; body: string }> {
  return send(base, 'GET', path);
}

export function put(base: string, path: string, body: string): Promise<{ status: number; body: string }> {
  return send(base, 'PUT', path, body);
}

function send(base: string, method: string, path: string, body?: string): Promise<{ status: number; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method, path, agent: false,
      headers: body === undefined ? {} : { 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** One sample of a metric from the primary's aggregated /metrics (the sum of its series when `labels` is absent). */
export async function metric(admin: string, name: string, labels?: string): Promise<number> {
  const text = await (await fetch(`${admin}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    if (labels !== undefined && !(m[2] ?? '').includes(labels)) continue;
    sum += Number(m[3]);
  }
  return sum;
}

/** The access-log lines ("msg":"request") of each worker id. */
export function requestsByWorker(lines: LogLine[]): Map<number, LogLine[]> {
  const by = new Map<number, LogLine[]>();
  for (const l of lines) {
    if (l.msg !== 'request') continue;
    const w = Number(l.worker);
    by.set(w, [...(by.get(w) ?? []), l]);
  }
  return by;
}
