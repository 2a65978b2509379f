import { request } from 'node:http';
import type { ClientRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectBytes, startDemoS3, staticKeys } from '../../../src/demo/index.js';
import type { DemoS3 } from '../../../src/demo/index.js';
import { isolatedEnv } from '../ops/cli-child.js';
import { eventually } from '../ops/slow-upload.js';
import { fdCount, rssMiB, sample, startServeChild } from '../../support/serve-child.js';
import type { ServeChild } from '../../support/serve-child.js';

// 1,000 uploads at once, each stalled halfway, against a signet (its own process, as `signet serve`
// runs) admitting 200: the rest must get 503 SlowDown with Retry-After at once, the admin port must
// answer throughout, memory must stay bounded, every admitted upload must complete once its client
// goes on, and nothing may be left behind afterwards.

const KEYS = { accessKeyId: 'AKIALOADTEST00000000', secretAccessKey: 'load-test-secret/0123456789abcdefghijklm' };
const UPLOADS = 1000;
const ADMITTED = 200;
const KiB = 1024;
/** Even uploads are buffered (≤ --buffer-limit), odd ones streamed with aws-chunked signing. */
const sizeOf = (i: number): number => (i % 2 === 0 ? 64 * KiB + i : 1088 * KiB + i);
/** --buffer-limit's default: the most one admitted request may hold in memory. */
const BUFFER_LIMIT_MIB = 1;

const bodyOf = (i: number): Buffer => Buffer.alloc(sizeOf(i), i % 251);

interface Upload {
  readonly i: number;
  readonly req: ClientRequest;
  status: number;
  retryAfter: string | undefined;
  body: string;
  readonly answered: Promise<void>;
}

/** A PUT that sends its headers and the first half of its body, then waits for `finish`. */
function startUpload(base: string, i: number): Upload {
  const body = bodyOf(i);
  let settle = (): void => undefined;
  const answered = new Promise<void>((r) => (settle = r));
  const req = request(`${base}/load-bucket/obj-${i}`, { method: 'PUT', agent: false, headers: { 'content-length': body.length } });
  const up: Upload = { i, req, status: 0, retryAfter: undefined, body: '', answered };
  req.on('response', (res) => {
    up.status = res.statusCode ?? 0;
    up.retryAfter = res.headers['retry-after'];
    res.setEncoding('utf8');
    res.on('data', (c: string) => (up.body += c));
    res.on('end', settle);
    res.on('error', settle);
  });
  // A refused upload's connection is closed under the rest of its body: that write fails, as expected.
  req.on('error', settle);
  req.write(body.subarray(0, body.length >> 1));
  return up;
}

/**
 * One admin probe. The bound is generous because the time is measured in this process, which also
 * drives the 1,000 uploads and runs the S3: it catches an admin port that stops answering (a blocked
 * event loop, probes queued behind the request limit), not a slow machine.
 */
async function timedGet(url: string): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - t0 };
}

describe('1,000 concurrent slow uploads against --max-concurrent 200', () => {
  let s3: DemoS3;
  let signet: ServeChild;
  beforeAll(async () => {
    s3 = await startDemoS3({ region: 'us-east-1', keys: staticKeys([KEYS]) });
    signet = await startServeChild(['--region', 'us-east-1', '--upstream', s3.url, '--max-concurrent', String(ADMITTED), '--client-body-timeout', '0'],
      isolatedEnv({ AWS_ACCESS_KEY_ID: KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey }));
  });
  afterAll(async () => {
    await signet?.stop();
    await s3?.close();
  });

  it('sheds the excess with 503 SlowDown, stays responsive and bounded, completes the admitted, and leaks nothing', async () => {
    // Warm-up: both payload paths once, so the baseline holds the upstream pool and compiled code.
    for (const i of [0, 1]) {
      const res = await fetch(`${signet.proxy}/load-bucket/warm-${i}`, { method: 'PUT', body: bodyOf(i) });
      expect(res.status).toBe(200);
    }
    const connectionsBefore = sample(await (await fetch(`${signet.admin}/metrics`)).text(), 'signet_connections_open');
    // Counted after that scrape: the end polls /metrics too, over one kept-alive admin connection, so
    // both counts hold it (counted before, a slow start had let the start-up probe's connection close
    // and the end was one descriptor "over").
    const fdsBefore = fdCount(signet.pid);
    const rssBefore = rssMiB(signet.pid);

    // The admin port is probed every 100 ms for the whole stampede.
    const probes: Array<{ status: number; ms: number }> = [];
    let probing = true;
    const prober = (async () => {
      while (probing) {
        probes.push(await timedGet(`${signet.admin}/healthz`), await timedGet(`${signet.admin}/metrics`));
        await sleep(100);
      }
    })();
    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMiB(signet.pid))), 50);

    const uploads: Upload[] = [];
    for (let i = 0; i < UPLOADS; i++) {
      uploads.push(startUpload(signet.proxy, i));
      if (i % 50 === 49) await sleep(5); // let the event loops breathe; all 1,000 are still open at once
    }
    const refused = (): Upload[] => uploads.filter((u) => u.status !== 0);
    await eventually(async () => refused().length >= UPLOADS - ADMITTED, 60_000, `${UPLOADS - ADMITTED} refusals`);
    const metrics = await (await fetch(`${signet.admin}/metrics`)).text();
    expect(sample(metrics, 'signet_requests_in_flight')).toBe(ADMITTED);
    await Promise.all(refused().map((u) => u.answered));
    for (const u of refused()) {
      expect(u.status).toBe(503);
      expect(u.retryAfter).toBe('1');
      expect(u.body).toContain('<Code>SlowDown</Code>');
    }
    const admitted = uploads.filter((u) => u.status === 0);
    expect(admitted).toHaveLength(ADMITTED);
    expect(admitted.some((u) => u.i % 2 === 0) && admitted.some((u) => u.i % 2 === 1)).toBe(true);

    // The clients go on: every admitted upload completes and is stored whole.
    for (const u of admitted) u.req.end(bodyOf(u.i).subarray(bodyOf(u.i).length >> 1));
    await Promise.all(admitted.map((u) => u.answered));
    probing = false;
    await prober;
    clearInterval(sampler);
    expect(admitted.map((u) => u.status)).toEqual(admitted.map(() => 200));
    const bucket = s3.buckets.get('load-bucket')!;
    for (const u of admitted) expect(objectBytes(bucket.objects.get(`obj-${u.i}`)!).equals(bodyOf(u.i))).toBe(true);
    expect(bucket.objects.size).toBe(ADMITTED + 2);

    expect(probes.length).toBeGreaterThan(4);
    expect(probes.every((p) => p.status === 200)).toBe(true);
    console.log('1,000 slow uploads', JSON.stringify({
      rssBeforeMiB: Math.round(rssBefore), peakRssMiB: Math.round(peakRss), fdsBefore, slowestProbeMs: Math.round(Math.max(...probes.map((p) => p.ms))), probes: probes.length,
    }));
    // The configured bound: signet at rest plus --max-concurrent requests each holding at most
    // --buffer-limit (a streamed one holds a chunk); the bodies of refused requests are read and dropped.
    expect(peakRss).toBeLessThan(rssBefore + ADMITTED * BUFFER_LIMIT_MIB);

    // Nothing left: no request counted in flight, no client connection, descriptors back to the baseline
    // (the upstream pool's keep-alive sockets close on their idle timeout).
    let last = '';
    await eventually(async () => {
      const text = await (await fetch(`${signet.admin}/metrics`)).text();
      const now = { inFlight: sample(text, 'signet_requests_in_flight'), connections: sample(text, 'signet_connections_open'), fds: fdCount(signet.pid) };
      last = JSON.stringify(now);
      return now.inFlight === 0 && now.connections === connectionsBefore && now.fds <= fdsBefore;
    }, 20_000, 'in-flight 0, no connections open, descriptors back to the baseline').catch((err: Error) => {
      throw new Error(`${err.message}: ${last}, baseline ${JSON.stringify({ connectionsBefore, fdsBefore })}`);
    });
  }, 120_000);
});
