import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface LoadResult {
  readonly rps: number;
  readonly p50ms: number;
  readonly p99ms: number;
  readonly requests: number;
  readonly errors: number;
}

function ms(text: string): number {
  const m = /([\d.]+)(us|ms|s)/.exec(text);
  if (!m) return Number.NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
}

/** wrk (C, from apt) as the load generator: one thread, pinned with taskset when given a CPU. */
export async function wrk(url: string, connections: number, seconds: number, cpu?: number): Promise<LoadResult> {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url];
  const { stdout } = cpu === undefined ? await run('wrk', args) : await run('taskset', ['-c', String(cpu), 'wrk', ...args]);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  const requests = Number(/(\d+) requests in/.exec(stdout)?.[1]);
  const errs = /Non-2xx or 3xx responses: (\d+)/.exec(stdout);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const errors = (errs ? Number(errs[1]) : 0) + (sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
  return {
    rps, requests, errors,
    p50ms: ms(/\s50%\s+(\S+)/.exec(stdout)?.[1] ?? ''),
    p99ms: ms(/\s99%\s+(\S+)/.exec(stdout)?.[1] ?? ''),
  };
}

export async function hasWrk(): Promise<boolean> {
  try {
    await run('wrk', ['--version']);
    return true;
  } catch (err) {
    // wrk --version exits 1 after printing its version
    return (err as { stdout?: string; stderr?: string }).stdout?.includes('wrk') === true || (err as { stderr?: string }).stderr?.includes('wrk') === true;
  }
}
