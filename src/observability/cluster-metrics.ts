import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';

export type ClusterMetrics = ReturnType<typeof createClusterMetrics>;

/** The primary's own metrics with --workers, on its registry beside the credential metrics. */
export function createClusterMetrics(registry: Registry) {
  const registers = [registry];
  const metrics = {
    workers: new Gauge({ name: 'signet_workers', help: 'Worker processes running now (--workers).', registers }),
    workersReady: new Gauge({ name: 'signet_workers_ready', help: 'Worker processes listening, holding valid credentials and not draining.', registers }),
    workerRestarts: new Counter({ name: 'signet_worker_restarts_total', help: 'Worker processes that died unexpectedly and were replaced.', registers }),
  };
  metrics.workerRestarts.inc(0);
  return metrics;
}
