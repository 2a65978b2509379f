import { request } from 'undici';
import type { Dispatcher } from 'undici';
import type { UpstreamTarget } from '../config/index.js';
import { DATE } from '../sigv4/constants.js';
import { ok, problem, skipped } from './types.js';
import type { CheckResult } from './types.js';

/** Beyond this the proxy logs a warning; S3 itself refuses signatures 15 minutes off. */
const MAX_OFFSET_SECONDS = 60;
const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|TLS|SSL|ERR_SSL/;

export interface UpstreamFindings {
  readonly reach: CheckResult;
  readonly clock: CheckResult;
  /** S3's clock minus ours, in ms; 0 when unknown. */
  readonly offsetMs: number;
}

/** One unsigned GET /: any HTTP answer proves DNS, TCP and TLS; its Date tells S3's clock. */
export async function checkUpstream(upstream: UpstreamTarget, dispatcher: Dispatcher, now: () => number = Date.now): Promise<UpstreamFindings> {
  const sentAt = now();
  let answer: Dispatcher.ResponseData;
  try {
    answer = await request(upstream.origin + '/', { method: 'GET', dispatcher });
    await answer.body.dump();
  } catch (err) {
    const code = (err as { code?: string }).code ?? (err as Error).message;
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    const what = cause !== undefined && cause !== code ? `${code} (${cause})` : code;
    const fix = TLS_CODES.test(what)
      ? 'the endpoint\'s certificate is not trusted: pass its CA with --upstream-ca FILE (never --upstream-insecure in production)'
      : 'check --upstream, DNS and that egress to it is allowed (security groups, network policy, HTTPS proxy)';
    return {
      reach: problem('endpoint', `${upstream.origin} unreachable: ${what}`, fix),
      clock: skipped('clock', 'no answer from the endpoint to read its Date from'),
      offsetMs: 0,
    };
  }
  const receivedAt = now();
  const tls = upstream.protocol === 'https:' ? 'TLS verified' : 'plain HTTP, no TLS';
  const reach = ok('endpoint', `${upstream.origin} answered HTTP ${answer.statusCode} in ${receivedAt - sentAt} ms (${tls})`);
  const date = answer.headers[DATE];
  const server = typeof date === 'string' ? Date.parse(date) : NaN;
  if (Number.isNaN(server)) return { reach, clock: skipped('clock', 'the endpoint sent no Date header'), offsetMs: 0 };
  const offsetMs = server - (sentAt + receivedAt) / 2;
  const seconds = Math.round(offsetMs / 1000);
  if (Math.abs(seconds) <= MAX_OFFSET_SECONDS) return { reach, clock: ok('clock', `local clock within ${Math.max(1, Math.abs(seconds))} s of S3's`), offsetMs };
  return {
    reach,
    offsetMs,
    clock: problem('clock', `local clock is ${Math.abs(seconds)} s ${seconds > 0 ? 'behind' : 'ahead of'} S3's`,
      'sync the clock (chrony, systemd-timesyncd, or the host\'s NTP); signet corrects its own signatures, but presigned URLs and other tools will fail'),
  };
}
