import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authenticate } from './authenticate.js';
import type { AuthPolicy } from './authenticate.js';
import { DEFAULT_MAX_SKEW_MS, MAX_PUT_OBJECT_SIZE } from './constants.js';
import type { ServerState } from './context.js';
import { applyCors } from './cors.js';
import { DemoError } from './demo-error.js';
import { isPostObject, postObject } from './post-object.js';
import { planPayload } from './payload-plan.js';
import { readBody } from './read-body.js';
import { joinHeaders, requestInfo } from './request-info.js';
import { baseHeaders, internalError, newIds, sendError, sendXml } from './respond.js';
import type { ResponseIds } from './respond.js';
import { dispatch, isObjectWrite, resolveAddress } from './route.js';
import type { CannedResponse, DemoFaults, DemoS3, DemoS3Options, FaultRule, RecordedRequest } from './types.js';
import { errorDocument } from './xml.js';

interface Wire {
  bytes: number;
  sha256: string;
  read: boolean;
}

/** Reads and drops what is left of a body so the client sees the answer rather than a reset. */
async function drain(req: IncomingMessage, wire: Wire, hash: boolean): Promise<void> {
  if (wire.read || req.readableEnded || req.destroyed) return;
  const sha = hash ? createHash('sha256') : null;
  try {
    for await (const buf of req as AsyncIterable<Buffer>) {
      wire.bytes += buf.length;
      sha?.update(buf);
    }
  } catch {
    return;
  }
  wire.read = true;
  if (sha !== null) wire.sha256 = sha.digest('hex');
}

function sendCanned(res: ServerResponse, canned: CannedResponse, ids: ResponseIds): void {
  const body = canned.body ?? errorDocument([['Code', canned.code], ['Message', canned.code], ['RequestId', ids.requestId], ['HostId', ids.hostId]]);
  sendXml(res, canned.status, body, canned.headers ?? {});
}

/** S3 refuses a single PutObject over 5 GiB before reading it; multipart is the way past. */
function refuseTooLarge(size: number, limit: number): void {
  if (size > limit) {
    throw new DemoError(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', [['ProposedSize', size], ['MaxSizeAllowed', limit]]);
  }
}

/** The first rule that catches this request (and counts it), or undefined. */
function matchRule(faults: DemoFaults, req: IncomingMessage): FaultRule | undefined {
  const rules = faults.rules;
  if (rules === undefined || rules.length === 0) return undefined;
  const target = { method: req.method ?? '', rawPath: req.url ?? '', headers: joinHeaders(req.rawHeaders) };
  for (const rule of rules) {
    if ((rule.hits ?? 0) >= (rule.times ?? Infinity) || !rule.match(target)) continue;
    rule.hits = (rule.hits ?? 0) + 1;
    return rule;
  }
  return undefined;
}

/** The embedded S3 server: strict SigV4 checks, in-memory objects. See README.md in this folder. */
export async function startDemoS3(options: DemoS3Options): Promise<DemoS3> {
  const now = options.now ?? Date.now;
  const record = options.record ?? false;
  const accept = { signedChunked: true, unsignedTrailer: true, unsignedPayload: true, ...options.accept };
  const policy: AuthPolicy = { region: options.region, keys: options.keys, maxSkewMs: options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS, now };
  const state: ServerState = {
    region: options.region,
    buckets: new Map(),
    autoCreateBuckets: options.autoCreateBuckets ?? true,
    discardBodies: options.discardBodies ?? false,
    maxPutObjectSize: options.maxPutObjectSize ?? MAX_PUT_OBJECT_SIZE,
  };
  const faults = options.faults ?? {};
  const requests: RecordedRequest[] = [];
  let arrivals = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const ids = newIds();
    const wire: Wire = { bytes: 0, sha256: '', read: false };
    let errorCode: string | undefined;
    if (record) {
      const arrival = ++arrivals;
      res.on('close', () => {
        const entry: RecordedRequest = {
          method: req.method ?? '', rawPath: req.url ?? '', headers: { ...joinHeaders(req.rawHeaders) }, rawHeaders: req.rawHeaders,
          bodyBytes: wire.bytes, bodySha256: wire.sha256, status: res.headersSent ? res.statusCode : 0, arrival,
        };
        if (errorCode !== undefined) entry.errorCode = errorCode;
        requests.push(entry);
      });
    }
    baseHeaders(res, ids, now());
    if (applyCors(req, res)) return;
    if ((faults.resetNext ?? 0) > 0) {
      faults.resetNext = (faults.resetNext ?? 1) - 1;
      req.socket.destroy();
      return;
    }
    const rule = matchRule(faults, req);
    if (rule?.reset === true) {
      req.socket.destroy();
      return;
    }
    const canned = rule?.response ?? faults.nextResponses?.shift();
    if (canned !== undefined) {
      await drain(req, wire, record);
      errorCode = canned.code;
      sendCanned(res, canned, ids);
      return;
    }
    try {
      const info = requestInfo(req);
      const address = resolveAddress(info);
      // A browser form carries its own authentication: the signed policy in the form.
      if (isPostObject(info.method, address.key, info.headers) && info.query.length === 0) {
        await postObject({ req, res, state, keys: options.keys, bucketName: address.bucket, now: now() });
        wire.read = true;
        return;
      }
      const auth = await authenticate(info, policy);
      const objectWrite = isObjectWrite(info, address);
      const plan = planPayload(info.headers, auth.payloadHash, accept, objectWrite);
      if (objectWrite && !info.params.has('uploadId')) refuseTooLarge(plan.decodedLength ?? Number(info.headers['content-length'] ?? 0), state.maxPutObjectSize);
      const body = await readBody(req, plan, auth, { discard: state.discardBodies && objectWrite, hashWire: record }).finally(() => {
        wire.read = true;
      });
      wire.bytes = body.wireBytes;
      wire.sha256 = body.wireSha256;
      await dispatch({ req, res, info, state, bucketName: address.bucket, key: address.key, body, now: now() });
    } catch (err) {
      const failure = err instanceof DemoError ? err : internalError();
      // A client that hung up mid-body (signet cancelling a part) is not a server fault.
      if (!(err instanceof DemoError) && !req.destroyed) console.error('demo-s3 internal error:', err);
      errorCode = failure.code;
      await drain(req, wire, record);
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      sendError(res, failure, ids);
    }
  }

  const server = createServer({ requestTimeout: 0 }, (req, res) => void handle(req, res));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    requests,
    buckets: state.buckets,
    faults,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
