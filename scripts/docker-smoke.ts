/**
 * Replays the Dockerfile without Docker (none runs on this project's machines):
 *   every stage gets a directory standing for its root filesystem; COPY, WORKDIR, ENV and RUN
 *   are carried out there (RUN with this machine's Node and npm); then the runtime stage's
 *   ENTRYPOINT + CMD start with the image's ENV plus test settings, and the script waits for
 *   /healthz on the admin port, reads /readyz, sends SIGTERM and expects a clean exit.
 * What it cannot reproduce: the base images themselves (Node 24, distroless), the numeric user,
 * and a read-only root filesystem. Slow (two `npm ci`): run by hand, `npx tsx scripts/docker-smoke.ts`
 * (`--keep` leaves the directories for a look).
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Stage } from './dockerfile-stages.js';
import { parseDockerfile } from './dockerfile-stages.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const keep = process.argv.includes('--keep');
const work = mkdtempSync(join(tmpdir(), 'signet-docker-smoke-'));
const log = (msg: string): void => console.log(`docker-smoke: ${msg}`);

/** The allow-list .dockerignore ("*" then "!path" lines): is this context path sent? */
function inContext(path: string): boolean {
  const rules = readFileSync(join(repo, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  let included = true;
  for (const rule of rules) {
    const negate = rule.startsWith('!');
    const pattern = (negate ? rule.slice(1) : rule).replace(/\/$/, '');
    if (pattern === '*' || path === pattern || path.startsWith(`${pattern}/`)) included = negate;
  }
  return included;
}

function envLine(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) out[m[1]!] = m[2]!.replace(/^"|"$/g, '');
  return out;
}

interface Built {
  root: string;
  workdir: string;
  env: Record<string, string>;
  entrypoint: string[];
  cmd: string[];
}

function replay(stage: Stage, built: Map<string, Built>): Built {
  const root = join(work, stage.name);
  const b: Built = { root, workdir: '/', env: {}, entrypoint: [], cmd: [] };
  const inRoot = (p: string): string => join(root, posix.resolve(b.workdir, p));
  mkdirSync(root, { recursive: true });
  for (const ins of stage.instructions) {
    switch (ins.keyword) {
      case 'WORKDIR':
        b.workdir = posix.resolve(b.workdir, ins.args);
        mkdirSync(inRoot('.'), { recursive: true });
        break;
      case 'ENV':
        Object.assign(b.env, envLine(ins.args));
        break;
      case 'COPY': {
        const parts = ins.json ?? ins.args.split(/\s+/);
        const dest = parts.pop()!;
        const from = ins.flags.from === undefined ? undefined : built.get(ins.flags.from);
        if (ins.flags.from !== undefined && from === undefined) throw new Error(`line ${ins.line}: no stage ${ins.flags.from}`);
        for (const src of parts) {
          if (from === undefined && !inContext(src)) throw new Error(`line ${ins.line}: ${src} is excluded by .dockerignore`);
          const source = from === undefined ? join(repo, src) : join(from.root, src);
          const target = dest.endsWith('/') || parts.length > 1 ? join(inRoot(dest), basename(src)) : inRoot(dest);
          mkdirSync(statSync(source).isDirectory() ? target : dirname(target), { recursive: true });
          cpSync(source, target, { recursive: true });
        }
        break;
      }
      case 'RUN': {
        log(`[${stage.name}] RUN ${ins.args}`);
        const r = spawnSync('sh', ['-c', ins.args], {
          cwd: inRoot('.'),
          env: { ...process.env, ...b.env },
          stdio: 'inherit',
        });
        if (r.status !== 0) throw new Error(`line ${ins.line}: RUN failed (${r.status ?? r.signal})`);
        break;
      }
      case 'ENTRYPOINT':
      case 'CMD':
        if (ins.json === undefined) throw new Error(`line ${ins.line}: ${ins.keyword} must use the exec (JSON) form`);
        if (ins.keyword === 'ENTRYPOINT') b.entrypoint = ins.json;
        else b.cmd = ins.json;
        break;
      default: // USER, EXPOSE, VOLUME, ARG, LABEL: nothing to replay on this machine
    }
  }
  return b;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

async function get(url: string): Promise<number | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const { stages } = parseDockerfile(readFileSync(join(repo, 'Dockerfile'), 'utf8'));
  const built = new Map<string, Built>();
  for (const stage of stages) built.set(stage.name, replay(stage, built));
  const runtime = built.get(stages[stages.length - 1]!.name)!;

  for (const dev of ['typescript', 'vitest', 'eslint']) {
    if (existsSync(join(runtime.root, 'app/node_modules', dev))) throw new Error(`runtime image holds dev dependency ${dev}`);
  }
  const du = spawnSync('du', ['-sk', runtime.root], { encoding: 'utf8' });
  log(`runtime filesystem: ${Math.round(Number.parseInt(du.stdout, 10) / 1024)} MiB (without the base image)`);

  // A stand-in upstream on loopback; /healthz must not need it.
  const upstream = createServer((_req, res) => res.end());
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const adminPort = await freePort();
  const proxyPort = await freePort();
  const argv = [...runtime.entrypoint, ...runtime.cmd].map((a) =>
    a === '/nodejs/bin/node' ? process.execPath : a.startsWith('/') ? join(runtime.root, a) : a,
  );
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    ...runtime.env,
    SIGNET_SPOOL_DIR: join(runtime.root, runtime.env.SIGNET_SPOOL_DIR ?? '/var/spool/signet'),
    // Loopback only here; the image's 0.0.0.0 defaults are for the pod network.
    SIGNET_LISTEN: `127.0.0.1:${proxyPort}`,
    SIGNET_ADMIN_LISTEN: `127.0.0.1:${adminPort}`,
    SIGNET_REGION: 'us-east-1',
    SIGNET_UPSTREAM: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
    AWS_ACCESS_KEY_ID: 'AKIDSMOKETEST',
    AWS_SECRET_ACCESS_KEY: 'smoke-test-secret-not-real',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  log(`start: ${argv.join(' ')} (cwd ${join(runtime.root, runtime.workdir)})`);
  const child = spawn(argv[0]!, argv.slice(1), { cwd: join(runtime.root, runtime.workdir), env, stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  let exitCode: number | null | undefined;
  void exited.then((c) => (exitCode = c));

  const started = Date.now();
  let health: number | undefined;
  while (Date.now() - started < 30_000 && exitCode === undefined) {
    health = await get(`http://127.0.0.1:${adminPort}/healthz`);
    if (health === 200) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const ready = await get(`http://127.0.0.1:${adminPort}/readyz`);
  log(`/healthz ${health ?? 'no answer'} after ${Date.now() - started} ms; /readyz ${ready ?? 'no answer'}`);
  child.kill('SIGTERM');
  const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000))]);
  if (code === 'timeout') child.kill('SIGKILL');
  upstream.close();
  log(`exit after SIGTERM: ${code}`);
  if (health !== 200) throw new Error('signet serve did not answer /healthz with 200');
  if (code !== 0) throw new Error(`signet serve did not exit cleanly on SIGTERM (${code})`);
  log('PASS');
}

main()
  .catch((err: unknown) => {
    console.error(`docker-smoke: FAIL: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  })
  .finally(() => {
    if (keep) log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  });
