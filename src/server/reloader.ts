import { createHash } from 'node:crypto';
import { readFileSync, watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { dirname } from 'node:path';

/** What a load produced: the value to apply and every file it read (all are watched from then on). */
export interface Loaded<T> {
  readonly value: T;
  readonly files: readonly string[];
}

export type ReloadResult = 'success' | 'failure';

export interface ReloaderOptions<T> {
  /** Reads and validates the whole new configuration; throws an Error with a one-line, secret-free message. */
  load(): Loaded<T> | Promise<Loaded<T>>;
  /** Puts a successfully loaded value in force. */
  apply(next: T): void;
  /** One report per attempt that loaded something new (or was asked for, by SIGHUP): log line and metrics. */
  report(result: ReloadResult, detail: { value?: T; error?: string; trigger: ReloadTrigger }): void;
  /** The files read by the load that is in force now (the first watch set). */
  readonly files: readonly string[];
  /** Editors and kubelet write in steps: the events of this long after the first make one reload. */
  readonly debounceMs?: number;
  /** The fallback that notices what the watcher misses (watches break on atomic replace). 0: off. */
  readonly pollMs?: number;
  /** Off for tests of the poll fallback. */
  readonly watch?: boolean;
}

export type ReloadTrigger = 'watch' | 'poll' | 'signal';

export interface Reloader {
  /** Reloads now, even when nothing changed (SIGHUP); resolves once that attempt is over. */
  reload(): Promise<void>;
  close(): void;
}

const DEFAULT_DEBOUNCE_MS = 200;
const DEFAULT_POLL_MS = 5_000;

/**
 * Files → load() → apply(next), the generic half of "reload without restart". The *directory* of
 * each file is watched, not the file: an atomic replace (write a temp file, rename it over) and
 * Kubernetes' Secret update (a new `..data` symlink renamed into place) give the path a new inode,
 * which a watch on the old one never hears about. A poll of the files' contents catches whatever
 * the watcher misses (network filesystems, a watcher that errored). Nothing is loaded unless the
 * bytes changed since the last attempt, so a bad file is reported once, not on every poll; SIGHUP
 * always loads. Single-flight: a trigger during a load runs one more load after it.
 */
export function startReloader<T>(o: ReloaderOptions<T>): Reloader {
  const debounceMs = o.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  const pollMs = o.pollMs ?? DEFAULT_POLL_MS;
  let files = [...o.files];
  let seen = fingerprint(files);
  let watchers: FSWatcher[] = [];
  let debounce: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again: { force: boolean; trigger: ReloadTrigger } | null = null;
  let closed = false;

  const attempt = async (force: boolean, trigger: ReloadTrigger): Promise<void> => {
    const before = fingerprint(files);
    if (!force && before === seen) return;
    seen = before;
    let loaded: Loaded<T>;
    try {
      loaded = await o.load();
    } catch (err) {
      o.report('failure', { error: err instanceof Error ? err.message : String(err), trigger });
      return;
    }
    o.apply(loaded.value);
    if (loaded.files.join('\n') !== files.join('\n')) {
      files = [...loaded.files];
      seen = fingerprint(files);
      rewatch();
    }
    o.report('success', { value: loaded.value, trigger });
  };

  const run = (force: boolean, trigger: ReloadTrigger): Promise<void> => {
    if (closed) return Promise.resolve();
    if (running !== null) {
      again = { force: force || again?.force === true, trigger };
      return running;
    }
    running = (async () => {
      let next: { force: boolean; trigger: ReloadTrigger } | null = { force, trigger };
      while (next !== null && !closed) {
        again = null;
        const { trigger: t } = next;
        // Whatever throws (apply, a report) is a failed reload, never an unhandled rejection.
        await attempt(next.force, t).catch((err: unknown) => o.report('failure', { error: err instanceof Error ? err.message : String(err), trigger: t }));
        next = again;
      }
    })().finally(() => {
      running = null;
    });
    return running;
  };

  // Coalesces, never postpones: in a busy directory events never stop, and a timer reset by each
  // one would never fire.
  const schedule = (trigger: ReloadTrigger): void => {
    if (closed || debounce !== null) return;
    debounce = setTimeout(() => {
      debounce = null;
      run(false, trigger).catch(() => undefined);
    }, debounceMs);
    debounce.unref();
  };

  function rewatch(): void {
    for (const w of watchers) w.close();
    watchers = [];
    if (o.watch === false) return;
    // Any change in the directory only schedules a comparison of the files' bytes: cheap, and it
    // needs no knowledge of how a writer names its temp files or symlinks.
    for (const dir of new Set(files.map((f) => dirname(f)))) {
      try {
        const w = watch(dir, { persistent: false }, () => schedule('watch'));
        // A watch that fails later (the directory removed, inotify limits) leaves the poll in charge.
        w.on('error', () => w.close());
        watchers.push(w);
      } catch {
        // Cannot watch here (no inotify, permissions): the poll covers it.
      }
    }
  }

  rewatch();
  const poll = pollMs > 0 ? setInterval(() => {
    if (running === null && fingerprint(files) !== seen) schedule('poll');
  }, pollMs) : null;
  poll?.unref();

  return {
    reload: () => run(true, 'signal'),
    close() {
      closed = true;
      if (debounce !== null) clearTimeout(debounce);
      if (poll !== null) clearInterval(poll);
      for (const w of watchers) w.close();
      watchers = [];
    },
  };
}

/**
 * A digest of the files' bytes (a missing file reads as its error code), compared, never logged:
 * the files hold secrets. Small files only: keys and route tables.
 */
function fingerprint(files: readonly string[]): string {
  const h = createHash('sha256');
  for (const f of files) {
    h.update(f).update('\0');
    try {
      h.update(readFileSync(f));
    } catch (err) {
      h.update('!' + ((err as NodeJS.ErrnoException).code ?? 'error'));
    }
    h.update('\0');
  }
  return h.digest('hex');
}
