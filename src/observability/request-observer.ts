/**
 * The per-request metric calls, with label children made once per method, operation and status
 * class (STYLE.md 9) and found again by two Map lookups and an array index; the children are
 * tallies (tally-metrics.ts), so a call is an add or two.
 */
import type { Metrics } from './metrics.js';
import type { TallyHistogramChild } from './tally-metrics.js';

/** What `inc` needs: a prom-client child or a tally's. */
interface CounterChild {
  inc(n?: number): void;
}
type HistogramChild = TallyHistogramChild;

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'PATCH']);
/** Anything else a client invents shares one series, so it cannot blow up cardinality. */
const OTHER_METHOD = 'OTHER';

export interface RequestObserver {
  /** One finished request: counts it and records its duration. */
  observe(method: string, operation: string, status: number, durationSeconds: number): void;
  /** Time to upstream response headers. */
  upstream(operation: string, durationSeconds: number): void;
}

interface OperationChildren {
  readonly duration: HistogramChild;
  readonly upstream: HistogramChild;
}

export function requestObserver(metrics: Metrics): RequestObserver {
  const counts = new Map<string, Map<string, CounterChild[]>>();
  const operations = new Map<string, OperationChildren>();

  const forOperation = (operation: string): OperationChildren => {
    let children = operations.get(operation);
    if (children === undefined) {
      children = {
        duration: metrics.requestDuration.labels(operation),
        upstream: metrics.upstreamDuration.labels(operation),
      };
      operations.set(operation, children);
    }
    return children;
  };

  const counter = (method: string, operation: string, status: number): CounterChild => {
    const m = KNOWN_METHODS.has(method) ? method : OTHER_METHOD;
    let byOperation = counts.get(m);
    if (byOperation === undefined) {
      byOperation = new Map();
      counts.set(m, byOperation);
    }
    let byClass = byOperation.get(operation);
    if (byClass === undefined) {
      byClass = STATUS_CLASSES.map((c) => metrics.requestsTotal.labels(m, operation, c));
      byOperation.set(operation, byClass);
    }
    const index = Math.min(Math.max(Math.floor(status / 100), 1), 5) - 1;
    return byClass[index] as CounterChild;
  };

  return {
    observe(method, operation, status, durationSeconds) {
      counter(method, operation, status).inc();
      forOperation(operation).duration.observe(durationSeconds);
    },
    upstream(operation, durationSeconds) {
      forOperation(operation).upstream.observe(durationSeconds);
    },
  };
}

/** A cached child per label value for the single-label counters (strategy, code, reason). */
export function labelCache(counter: { labels(value: string): CounterChild }): (value: string) => CounterChild {
  const children = new Map<string, CounterChild>();
  return (value) => {
    let child = children.get(value);
    if (child === undefined) {
      child = counter.labels(value);
      children.set(value, child);
    }
    return child;
  };
}
