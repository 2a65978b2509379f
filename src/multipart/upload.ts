import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { SignetError } from '../errors.js';
import type { RequestContext } from '../proxy/context.js';
import type { ForwardSettings } from '../proxy/forward.js';
import { RequestAbort } from '../proxy/request-abort.js';
import { AMZ_CHECKSUM_PREFIX } from '../sigv4/constants.js';
import { checksumTrailerName, createRunningChecksum } from '../sigv4/trailer-checksum.js';
import type { RunningChecksum } from '../sigv4/trailer-checksum.js';
import type { CarriedHeaders } from './carry-headers.js';
import {
  ANSWER_HEADERS, ETAG, MAX_OBJECT_SIZE, MAX_PARTS, Q_PART_NUMBER, Q_UPLOAD_ID, Q_UPLOADS, REFUSAL_HEADERS,
} from './constants.js';
import { completeBody, parseCompleteAnswer, tagText } from './multipart-xml.js';
import type { CompletedPart } from './multipart-xml.js';
import { cutParts } from './part-cutter.js';
import type { CutPart } from './part-cutter.js';
import { PartBuffers } from './part-buffers.js';
import { abortAfter, callS3, hashed, UpstreamRefusal } from './s3-call.js';
import type { S3Answer, S3Call } from './s3-call.js';

/** What one upload reports (metrics). */
export interface UploadEvents {
  started(): void;
  completed(): void;
  aborted(reason: AbortReason): void;
  part(): void;
  abortFailed(): void;
}

export type AbortReason = 'client-gone' | 'part-failed' | 'digest-mismatch' | 'complete-failed' | 'too-large' | 'shutdown' | 'error';

export interface UploadSettings {
  readonly concurrency: number;
  /** Size of part n. */
  readonly partSize: (n: number) => number;
  /** Forward settings for parts: their retries are counted as part retries. */
  readonly forwardParts: ForwardSettings;
  readonly forward: ForwardSettings;
  readonly events: UploadEvents;
  readonly logger: Logger;
  /** How long AbortMultipartUpload may take before signet gives up on it. */
  readonly abortTimeoutMs: number;
  readonly draining: () => boolean;
}

export interface UploadRequest {
  /** The decoded body length, -1 when unknown (Transfer-Encoding: chunked). */
  readonly length: number;
  readonly carried: CarriedHeaders;
  /** The client's hex x-amz-content-sha256 for the whole body, '' when none. */
  readonly clientSha256: string;
  /** Sends 100 Continue (when the client asked for it) once signet is ready for the body. */
  readonly continue: () => void;
}

/** The answer the client gets: a PutObject's (status, ETag, version id…), or S3's refusal as it came. */
export interface UploadOutcome {
  readonly status: number;
  /** The S3 error code of a refusal, '' on success. */
  readonly errorCode: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** Whole-object digests computed as the body streams: what S3 cannot check on a multipart upload. */
class WholeDigests {
  readonly #md5: Hash | null;
  readonly #sha256: Hash | null;
  readonly #checksum: RunningChecksum | null;
  constructor(readonly request: UploadRequest) {
    const c = request.carried;
    this.#md5 = c.contentMd5 === '' ? null : createHash('md5');
    this.#sha256 = request.clientSha256 === '' ? null : createHash('sha256');
    this.#checksum = c.checksumAlgorithm === undefined ? null : createRunningChecksum(c.checksumAlgorithm);
  }
  update(chunk: Buffer): void {
    this.#md5?.update(chunk);
    this.#sha256?.update(chunk);
    this.#checksum?.update(chunk);
  }
  /** Throws the error S3 itself would have answered a mismatching PutObject with; returns the whole-object checksum. */
  verify(): string {
    const c = this.request.carried;
    if (this.#md5 !== null && this.#md5.digest('base64') !== c.contentMd5) {
      throw new SignetError('BadDigest', 'multipart: Content-MD5 mismatch', 'The Content-MD5 you specified did not match what we received.');
    }
    if (this.#sha256 !== null && this.#sha256.digest('hex') !== this.request.clientSha256) {
      throw new SignetError('XAmzContentSHA256Mismatch', 'multipart: x-amz-content-sha256 mismatch');
    }
    const checksum = this.#checksum === null ? '' : this.#checksum.digestBase64();
    if (c.checksumValue !== '' && checksum !== c.checksumValue) {
      throw new SignetError('BadDigest', 'multipart: checksum mismatch', `The ${c.checksumAlgorithm!.toUpperCase()} you specified did not match the calculated checksum.`);
    }
    return checksum;
  }
}

/**
 * One PutObject turned into CreateMultipartUpload → UploadPart × N → CompleteMultipartUpload,
 * streamed: parts are cut as the body arrives and sent `concurrency` at a time. A body of unknown
 * length that fits in one part goes as a plain PutObject instead (same object, plain ETag). On any
 * failure the upload is aborted, after the parts in flight have settled, so nothing is left to
 * accrue storage.
 */
export class MultipartUpload {
  readonly #ctx: RequestContext;
  readonly #s: UploadSettings;
  readonly #r: UploadRequest;
  /** Cancels every call of this upload but the final AbortMultipartUpload. */
  readonly #stop = new RequestAbort();
  readonly #buffers: PartBuffers;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #parts: CompletedPart[] = [];
  #uploadId: string | null = null;
  #creating: Promise<string> | null = null;
  #failure: unknown = null;

  constructor(ctx: RequestContext, request: UploadRequest, settings: UploadSettings) {
    this.#ctx = ctx;
    this.#r = request;
    this.#s = settings;
    this.#buffers = new PartBuffers(settings.concurrency + 1);
  }

  async run(source: Readable): Promise<UploadOutcome> {
    const ctx = this.#ctx;
    const onClientGone = (): void => this.#fail(new SignetError('ClientClosedRequest', 'client went away during a multipart upload'));
    if (ctx.abort.aborted) onClientGone();
    else ctx.abort.once('abort', onClientGone);
    try {
      // Known length: create the upload before inviting the body, so a refusal costs the client nothing.
      if (this.#r.length >= 0) await this.#created();
      this.#r.continue();
      const digests = new WholeDigests(this.#r);
      const cut = await cutParts(source, {
        bufferFor: (n) => this.#buffers.acquire(this.#s.partSize(n)),
        checksum: this.#r.carried.checksumAlgorithm,
        onData: (chunk) => digests.update(chunk),
        full: (part, n) => this.#submit(part, n),
        abort: this.#stop,
      });
      if (this.#failure !== null) throw this.#failure;
      ctx.bytesIn = cut.total;
      if (this.#r.length >= 0 && cut.total !== this.#r.length) throw new SignetError('IncompleteBody', `received ${cut.total} of ${this.#r.length} bytes`);
      if (cut.total > MAX_OBJECT_SIZE) throw new SignetError('EntityTooLarge', 'multipart: over 5 TiB');
      const checksum = digests.verify();
      if (this.#uploadId === null && this.#creating === null) return await this.#putWhole(cut.last);
      await this.#submit(cut.last, cut.lastNumber);
      await this.#settle();
      if (this.#failure !== null) throw this.#failure;
      return await this.#complete(checksum);
    } catch (err) {
      const primary = this.#failure ?? err;
      this.#stop.abort();
      await this.#abortUpload(primary);
      if (primary instanceof UpstreamRefusal) return refusalOutcome(primary);
      throw primary;
    } finally {
      ctx.abort.off('abort', onClientGone);
    }
  }

  #fail(err: unknown): void {
    this.#failure ??= err;
    this.#stop.abort();
  }

  #call(call: Omit<S3Call, 'abort'>, forParts = false): Promise<S3Answer> {
    return callS3(this.#ctx, forParts ? this.#s.forwardParts : this.#s.forward, { ...call, abort: this.#stop }, 'multipart');
  }

  /** The upload id, creating the upload on first use. */
  #created(): Promise<string> {
    this.#creating ??= (async () => {
      const answer = await this.#call({ method: 'POST', query: [[Q_UPLOADS, '']], headers: this.#r.carried.create, body: null });
      const id = tagText(answer.body.toString('utf8'), 'UploadId');
      if (id === undefined || id === '') throw new SignetError('BadGateway', 'multipart: CreateMultipartUpload answered without an UploadId');
      this.#uploadId = id;
      this.#s.events.started();
      return id;
    })();
    return this.#creating;
  }

  /** Hands a part to its own upload once a slot is free; resolves when the body may flow again. */
  async #submit(part: CutPart, n: number): Promise<void> {
    if (n > MAX_PARTS) throw new SignetError('EntityTooLarge', 'multipart: more than 10,000 parts');
    const uploadId = await this.#created();
    while (this.#inFlight.size >= this.#s.concurrency) await Promise.race(this.#inFlight);
    if (this.#failure !== null) throw this.#failure;
    const task = this.#uploadPart(uploadId, part, n).then(
      (etag) => {
        this.#parts[n - 1] = { partNumber: n, etag, checksum: part.checksum };
        this.#s.events.part();
      },
      (err: unknown) => this.#fail(err),
    ).finally(() => {
      this.#buffers.release(part.buffer);
      this.#inFlight.delete(task);
    });
    this.#inFlight.add(task);
  }

  async #uploadPart(uploadId: string, part: CutPart, n: number): Promise<string> {
    const headers: Record<string, string> = { ...this.#r.carried.part };
    const algorithm = this.#r.carried.checksumAlgorithm;
    if (algorithm !== undefined) headers[checksumTrailerName(algorithm)] = part.checksum;
    const answer = await this.#call({
      method: 'PUT', query: [[Q_PART_NUMBER, String(n)], [Q_UPLOAD_ID, uploadId]], headers,
      body: { bytes: part.buffer.subarray(0, part.length), sha256: part.sha256 },
    }, true);
    const etag = answer.headers[ETAG];
    if (typeof etag !== 'string' || etag === '') throw new SignetError('BadGateway', `multipart: part ${n} answered without an ETag`);
    return etag;
  }

  async #settle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  /** A body of unknown length that fit in one part: one PutObject with the client's own headers. */
  async #putWhole(part: CutPart): Promise<UploadOutcome> {
    const bytes = part.buffer.subarray(0, part.length);
    const answer = await this.#call({ method: 'PUT', query: [], headers: this.#ctx.headers, body: part.length === 0 ? null : { bytes, sha256: part.sha256 } });
    return { status: answer.status, errorCode: '', headers: answerHeaders(answer.headers), body: Buffer.alloc(0) };
  }

  async #complete(checksum: string): Promise<UploadOutcome> {
    const uploadId = this.#uploadId!;
    const body = Buffer.from(completeBody(this.#parts, this.#r.carried.checksumAlgorithm), 'utf8');
    const answer = await this.#call({ method: 'POST', query: [[Q_UPLOAD_ID, uploadId]], headers: this.#r.carried.complete, body: hashed(body) });
    const result = parseCompleteAnswer(answer.body.toString('utf8'));
    if ('code' in result) {
      // A 200 carrying an <Error>: the upload is not complete; answer as S3 would have for the error.
      const status = result.code === 'SlowDown' || result.code === 'ServiceUnavailable' ? 503 : result.code === 'InternalError' ? 500 : 400;
      throw new UpstreamRefusal({ status, headers: answer.headers, body: answer.body }, result.code);
    }
    this.#uploadId = null;
    this.#s.events.completed();
    const headers = answerHeaders(answer.headers);
    headers[ETAG] = result.etag;
    const algorithm = this.#r.carried.checksumAlgorithm;
    if (algorithm !== undefined) headers[checksumTrailerName(algorithm)] = checksum;
    return { status: 200, errorCode: '', headers, body: Buffer.alloc(0) };
  }

  /** AbortMultipartUpload once nothing of this upload is in flight any more; never throws. */
  async #abortUpload(reason: unknown): Promise<void> {
    await this.#creating?.catch(() => undefined);
    await this.#settle();
    const uploadId = this.#uploadId;
    if (uploadId === null) return;
    this.#uploadId = null;
    this.#s.events.aborted(this.#reasonOf(reason));
    const timer = abortAfter(this.#s.abortTimeoutMs);
    try {
      await callS3(this.#ctx, this.#s.forward, {
        method: 'DELETE', query: [[Q_UPLOAD_ID, uploadId]], headers: this.#r.carried.abort, body: null, abort: timer.abort,
      }, 'multipart');
    } catch (err) {
      // NoSuchUpload: already gone, which is what was wanted.
      if (err instanceof UpstreamRefusal && err.code === 'NoSuchUpload') return;
      this.#s.events.abortFailed();
      this.#s.logger.error({ reqId: this.#ctx.id, bucket: this.#ctx.bucket, key: this.#ctx.key, uploadId, err: describe(err) },
        'AbortMultipartUpload failed: the upload may hold parts until a lifecycle rule removes them');
    } finally {
      timer.clear();
    }
  }

  #reasonOf(err: unknown): AbortReason {
    if (this.#ctx.abort.aborted) return this.#s.draining() ? 'shutdown' : 'client-gone';
    if (err instanceof SignetError) {
      if (err.code === 'BadDigest' || err.code === 'XAmzContentSHA256Mismatch' || err.code === 'IncompleteBody') return 'digest-mismatch';
      if (err.code === 'EntityTooLarge') return 'too-large';
    }
    if (err instanceof UpstreamRefusal) return this.#parts.length > 0 && this.#inFlight.size === 0 && this.#failure === null ? 'complete-failed' : 'part-failed';
    return 'error';
  }
}

function describe(err: unknown): string {
  if (err instanceof SignetError) return err.reason;
  return err instanceof Error ? err.message : String(err);
}


function answerHeaders(h: S3Answer['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ANSWER_HEADERS) {
    const value = h[name];
    if (typeof value === 'string') out[name] = value;
  }
  for (const name in h) {
    const value = h[name];
    if (name.startsWith(AMZ_CHECKSUM_PREFIX) && typeof value === 'string') out[name] = value;
  }
  return out;
}

function refusalOutcome(refusal: UpstreamRefusal): UploadOutcome {
  const { answer } = refusal;
  const headers: Record<string, string> = { 'content-type': 'application/xml' };
  for (const name of REFUSAL_HEADERS) {
    const value = answer.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return { status: answer.status, errorCode: refusal.code, headers, body: answer.body };
}
