import { readFileSync, readdirSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { spawnSignet } from '../integration/ops/cli-child.js';

/** `signet serve` in its own process (from the sources), so its memory and descriptors are its own. */
export interface ServeChild {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Proxy URL, e.g. http://127.0.0.1:40123 */
  readonly proxy: string;
  /** Admin URL (/metrics, /healthz, /readyz). */
  readonly admin: string;
  /** Every line signet wrote on stdout (JSON logs) and stderr. */
  readonly lines: string[];
  stop(): Promise<void>;
}

/**
 * Starts `signet serve … --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0` and resolves once it has
 * logged the addresses it listens on ("signet ready"), or once `listening` logs its own line first
 * (a signet that starts without credentials logs "listening; not ready"). Rejects if it exits first.
 */
export function startServeChild(args: readonly string[], env: NodeJS.ProcessEnv, ready = /"msg":"signet (ready|listening)/): Promise<ServeChild> {
  const child = spawnSignet(['serve', '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', ...args], env);
  const lines: string[] = [];
  const stop = (): Promise<void> => new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stderr! }).on('line', (l) => lines.push(l));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      if (!ready.test(line)) return;
      try {
        const fields = JSON.parse(line) as { listen?: string; admin?: string };
        resolve({ child, pid: child.pid!, proxy: fields.listen!, admin: fields.admin!, lines, stop });
      } catch (err) {
        reject(new Error(`unreadable start line from signet serve: ${line}`, { cause: err }));
      }
    });
    child.once('exit', (code) => reject(new Error(`signet serve exited with ${code} before it was up:\n${lines.join('\n')}`)));
  });
}

/** Resident set size of a process in MiB (VmRSS). */
export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? Number.NaN : Number(m[1]) / 1024;
}

/** Open file descriptors of a process (sockets, files, pipes). */
export function fdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** One sample of a Prometheus text exposition (the first series of that name), or undefined. */
export function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(name + ' ') || l.startsWith(name + '{'));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}
