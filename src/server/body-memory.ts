import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Keeps dead request-body buffers from piling up. Node's HTTP parser copies every piece of a
 * request body into a fresh buffer; once signet has written it upstream it is garbage, but V8
 * counts young buffers towards a collection only after twice the semi-space (32 MiB on Node 20,
 * 64 MiB on Node 24). During a 1 GiB upload that is how far memory climbed between collections:
 * peak RSS 165–185 MiB on Node 24. A minor collection costs ~1 ms however many dead buffers it
 * frees, so one per `growthBytes` of new external memory bounds them at a few percent of CPU,
 * and only while bodies stream (small requests rarely move external memory by that much).
 */
export interface BodyMemoryGovernor {
  /** One check; exported for tests. Returns true when it collected. */
  tick(): boolean;
  stop(): void;
}

export interface BodyMemoryOptions {
  readonly growthBytes?: number;
  readonly intervalMs?: number;
  /** Injected in tests; by default V8's external memory and a minor GC. */
  readonly readExternal?: () => number;
  readonly collect?: () => void;
}

const DEFAULT_GROWTH = 8 * 1024 * 1024;
const DEFAULT_INTERVAL_MS = 10;

/** V8's gc() without starting node with --expose-gc; undefined if this V8 refuses. */
export function minorCollector(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as ((options?: { type: 'minor' | 'major' }) => void) | undefined;
    return typeof gc === 'function' ? () => gc({ type: 'minor' }) : undefined;
  } catch {
    return undefined;
  }
}

export function startBodyMemoryGovernor(options: BodyMemoryOptions = {}): BodyMemoryGovernor | undefined {
  const collect = options.collect ?? minorCollector();
  if (collect === undefined) return undefined;
  const readExternal = options.readExternal ?? (() => getHeapStatistics().external_memory);
  const growth = options.growthBytes ?? DEFAULT_GROWTH;
  let baseline = readExternal();
  const tick = (): boolean => {
    const now = readExternal();
    // Collections V8 ran on its own lower the mark too.
    if (now < baseline) baseline = now;
    if (now - baseline < growth) return false;
    collect();
    baseline = readExternal();
    return true;
  };
  const timer = setInterval(tick, options.intervalMs ?? DEFAULT_INTERVAL_MS);
  timer.unref();
  return { tick, stop: () => clearInterval(timer) };
}
