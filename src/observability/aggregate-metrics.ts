import { AggregatorRegistry } from 'prom-client';
import type { MetricObjectWithValues, MetricValue, Registry } from 'prom-client';

type Snapshot = ReadonlyArray<MetricObjectWithValues<MetricValue<string>>>;

/** Metrics only the primary has meaningful values for: its credential cache, its worker pool, the build. */
function primaryOwns(name: string): boolean {
  return name.startsWith('signet_credentials_') || name.startsWith('signet_worker') || name === 'signet_build_info';
}

/**
 * One registry for the admin port of a --workers primary: the request-path metrics summed over
 * the workers (counters and histograms add; in-flight, connection and spool gauges add; the clock
 * skew is averaged), the credential and worker-pool metrics from the primary alone (workers
 * fetch no credentials), the config reloads of both (bothReport), and the process metrics of every process (RSS and CPU add up, event-loop
 * lag is averaged, as prom-client marks them). A worker's request metrics leave the sum when it
 * dies: its replacement starts from zero, which Prometheus reads as a counter reset.
 */
/**
 * Config reloads happen on both sides, on different sources: the primary reloads routes (it alone
 * watches --config), each worker its --inbound-keys. Their series never overlap, so both are kept.
 */
function bothReport(name: string): boolean {
  return name.startsWith('signet_config_');
}

export function aggregateMetrics(primary: Snapshot, workers: readonly Snapshot[]): Registry {
  const own = primary.filter((m) => primaryOwns(m.name) || bothReport(m.name) || !m.name.startsWith('signet_'));
  const served = workers.map((w) => w.filter((m) => !primaryOwns(m.name)));
  return AggregatorRegistry.aggregate([own, ...served] as Array<MetricObjectWithValues<MetricValue<string>>[]>);
}
