import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startReloader } from '../../../src/server/reloader.js';
import type { Reloader, ReloaderOptions, ReloadResult } from '../../../src/server/reloader.js';

async function eventually(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let reloader: Reloader | null = null;
let dir = '';
afterEach(() => {
  reloader?.close();
  reloader = null;
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

/** A "configuration" that is the file's text; "bad" anywhere in it fails validation. */
function setup(options: Partial<ReloaderOptions<string>> = {}, fileName = 'conf') {
  dir = mkdtempSync(join(tmpdir(), 'signet-reloader-'));
  const file = join(dir, fileName);
  writeFileSync(file, 'v1');
  const applied: string[] = [];
  const reports: Array<{ result: ReloadResult; error?: string; trigger: string }> = [];
  const load = (): { value: string; files: string[] } => {
    const text = readFileSync(file, 'utf8');
    if (text.includes('bad')) throw new Error(`${file}: bad content`);
    return { value: text, files: [file] };
  };
  reloader = startReloader({
    load, apply: (v) => applied.push(v), files: [file], debounceMs: 20, pollMs: 0,
    report: (result, d) => reports.push({ result, trigger: d.trigger, ...(d.error === undefined ? {} : { error: d.error }) }),
    ...options,
  });
  return { file, applied, reports };
}

describe('startReloader', () => {
  it('applies a file written in place, then one renamed over it (atomic replace)', async () => {
    const { file, applied, reports } = setup();
    writeFileSync(file, 'v2');
    await eventually(() => applied.includes('v2'), 'the in-place write');
    writeFileSync(join(dir, '.conf.tmp'), 'v3');
    renameSync(join(dir, '.conf.tmp'), file);
    await eventually(() => applied.includes('v3'), 'the renamed file');
    writeFileSync(file, 'v4');
    await eventually(() => applied.includes('v4'), 'a write after the rename (the watch is on the directory)');
    expect(reports.every((r) => r.result === 'success' && r.trigger === 'watch')).toBe(true);
  });

  it('follows a Kubernetes Secret update: the ..data symlink swapped to a new directory', async () => {
    dir = mkdtempSync(join(tmpdir(), 'signet-reloader-'));
    mkdirSync(join(dir, '..2026_01'));
    writeFileSync(join(dir, '..2026_01', 'keys'), 'v1');
    symlinkSync('..2026_01', join(dir, '..data'));
    symlinkSync('..data/keys', join(dir, 'keys'));
    const file = join(dir, 'keys');
    const applied: string[] = [];
    reloader = startReloader({
      load: () => ({ value: readFileSync(file, 'utf8'), files: [file] }), apply: (v) => applied.push(v), report: () => undefined,
      files: [file], debounceMs: 20, pollMs: 0,
    });
    mkdirSync(join(dir, '..2026_02'));
    writeFileSync(join(dir, '..2026_02', 'keys'), 'v2');
    symlinkSync('..2026_02', join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    rmSync(join(dir, '..2026_01'), { recursive: true });
    await eventually(() => applied.includes('v2'), 'the swapped secret');
  });

  it('keeps the old value on a bad file, reports it once, and takes the next good one', async () => {
    const { file, applied, reports } = setup({ pollMs: 30 });
    writeFileSync(file, 'bad v2');
    await eventually(() => reports.length === 1, 'the failure report');
    expect(reports[0]).toMatchObject({ result: 'failure', error: `${file}: bad content` });
    // Polls and unrelated events in the directory do not report the same bad bytes again.
    writeFileSync(join(dir, 'unrelated'), 'x');
    await pause(200);
    expect(reports).toHaveLength(1);
    expect(applied).toEqual([]);
    writeFileSync(file, 'v3');
    await eventually(() => applied.includes('v3'), 'the good file');
    expect(reports.map((r) => r.result)).toEqual(['failure', 'success']);
  });

  it('notices changes by polling when there is no watch', async () => {
    const { file, applied, reports } = setup({ watch: false, pollMs: 30 });
    writeFileSync(file, 'v2');
    await eventually(() => applied.includes('v2'), 'the poll');
    expect(reports).toEqual([{ result: 'success', trigger: 'poll' }]);
  });

  it('does nothing when nothing changed, unless asked (SIGHUP)', async () => {
    const { applied, reports } = setup({ watch: false, pollMs: 20 });
    await pause(150);
    expect(applied).toEqual([]);
    await reloader!.reload();
    expect(applied).toEqual(['v1']);
    expect(reports).toEqual([{ result: 'success', trigger: 'signal' }]);
  });

  it('never runs two loads at once and runs one more for triggers during a load', async () => {
    dir = mkdtempSync(join(tmpdir(), 'signet-reloader-'));
    const file = join(dir, 'conf');
    writeFileSync(file, 'v1');
    let active = 0;
    let most = 0;
    let loads = 0;
    reloader = startReloader({
      load: async () => {
        active++;
        most = Math.max(most, active);
        loads++;
        await pause(30);
        active--;
        return { value: String(loads), files: [file] };
      },
      apply: () => undefined, report: () => undefined, files: [file], watch: false, pollMs: 0,
    });
    const first = reloader.reload();
    const second = reloader.reload();
    const third = reloader.reload();
    await Promise.all([first, second, third]);
    await eventually(() => active === 0 && loads === 2, 'the queued load');
    expect(most).toBe(1);
  });

  it('watches the files a load names (a secretFile added to the keys file)', async () => {
    const { file, applied } = setup({
      load: () => {
        const text = readFileSync(join(dir, 'conf'), 'utf8');
        const extra = text.startsWith('with ') ? [text.slice(5)] : [];
        return { value: text + '|' + extra.map((f) => readFileSync(f, 'utf8')).join(''), files: [join(dir, 'conf'), ...extra] };
      },
      watch: false, pollMs: 20,
    });
    const other = mkdtempSync(join(tmpdir(), 'signet-reloader-secret-'));
    try {
      writeFileSync(join(other, 'secret'), 's1');
      writeFileSync(file, `with ${join(other, 'secret')}`);
      await eventually(() => applied.at(-1)?.endsWith('|s1') === true, 'the first load');
      writeFileSync(join(other, 'secret'), 's2');
      await eventually(() => applied.at(-1)?.endsWith('|s2') === true, 'the secret file change');
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

describe('startReloader under a stream of triggers', () => {
  it('reloads even while triggers keep coming faster than the debounce', async () => {
    // The poll re-triggers every 10 ms while the change is pending: a debounce that restarted on
    // each trigger would never fire (timers run in order of expiry, so the poll always comes first).
    const { file, applied } = setup({ watch: false, pollMs: 10, debounceMs: 50 });
    writeFileSync(file, 'v2');
    await eventually(() => applied.includes('v2'), 'the reload among the triggers', 3000);
  });

  it('reports an apply that throws as a failed reload, not an unhandled rejection', async () => {
    const { file, reports } = setup({ apply: () => { throw new Error('apply broke'); } });
    writeFileSync(file, 'v2');
    await eventually(() => reports.length === 1, 'the report');
    expect(reports[0]).toMatchObject({ result: 'failure', error: 'apply broke' });
  });
});
