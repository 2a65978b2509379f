import type { RecordedRequest } from '../../../src/demo/index.js';

/** The region named in a recorded request's Authorization credential scope. */
export function signedRegion(rec: RecordedRequest): string {
  return /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(rec.headers['authorization'] ?? '')?.[1] ?? '';
}

/** One sample of a Prometheus text exposition, or undefined when absent. */
export function metricValue(text: string, sample: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(sample + ' ')) return Number(line.slice(sample.length + 1));
  }
  return undefined;
}
