import type { Logger } from 'pino';
import { SignetError } from '../errors.js';
import type { RequestContext } from '../proxy/context.js';
import type { ForwardSettings } from '../proxy/forward.js';
import type { InboundHeaders } from '../proxy/inbound-headers.js';
import { CONTENT_ENCODING, CONTENT_LENGTH } from '../sigv4/constants.js';
import { carryHeaders } from './carry-headers.js';
import { MAX_OBJECT_SIZE } from './constants.js';
import { multipartReason } from './decide.js';
import type { MultipartPolicy } from './decide.js';
import { partSizeAt, partSizeForLength } from './part-size.js';
import { MultipartUpload } from './upload.js';
import type { UploadEvents, UploadOutcome, UploadSettings } from './upload.js';

/** What the pipeline calls: one check per request, and the upload when it applies. */
export interface MultipartHook {
  applies(ctx: RequestContext, inbound: InboundHeaders): boolean;
  /** Runs the upload and answers the client; throws a SignetError for the pipeline to answer instead. */
  upload(ctx: RequestContext, inbound: InboundHeaders): Promise<void>;
}

export interface MultipartSettings extends MultipartPolicy {
  /** --part-size: the size of every part (known length, grown to fit 10,000 parts) or of the first 1,000 (unknown length). */
  readonly partSize: number;
  readonly concurrency: number;
  readonly abortTimeoutMs?: number;
}

export interface MultipartEvents extends UploadEvents {
  partRetry(): void;
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;
const DEFAULT_ABORT_TIMEOUT_MS = 30_000;

/**
 * Multipart conversion for one signet: decides per request, runs the uploads, and on shutdown
 * waits for the uploads still running to finish or to be aborted (AbortMultipartUpload must go
 * out before the upstream connection pool closes).
 */
export class MultipartService implements MultipartHook {
  readonly #settings: MultipartSettings;
  readonly #upload: UploadSettings;
  readonly #active = new Set<Promise<UploadOutcome>>();
  #draining = false;

  constructor(settings: MultipartSettings, forward: ForwardSettings, events: MultipartEvents, logger: Logger) {
    this.#settings = settings;
    const forwardParts: ForwardSettings = {
      ...forward,
      onRetry: (reason) => {
        forward.onRetry?.(reason);
        events.partRetry();
      },
    };
    this.#upload = {
      concurrency: settings.concurrency,
      partSize: () => settings.partSize,
      forward, forwardParts, events, logger,
      abortTimeoutMs: settings.abortTimeoutMs ?? DEFAULT_ABORT_TIMEOUT_MS,
      draining: () => this.#draining,
    };
  }

  applies(ctx: RequestContext, inbound: InboundHeaders): boolean {
    return multipartReason({
      operation: ctx.operation,
      contentLength: inbound.contentLength,
      chunked: inbound.chunked,
      clientPayloadHash: inbound.clientPayloadHash,
      contentEncoding: inbound.forward[CONTENT_ENCODING] ?? '',
    }, this.#settings) !== null;
  }

  async upload(ctx: RequestContext, inbound: InboundHeaders): Promise<void> {
    // Refusals first: nothing has been sent upstream yet.
    const carried = carryHeaders(ctx.headers);
    const length = inbound.chunked ? -1 : inbound.contentLength;
    if (length > MAX_OBJECT_SIZE) throw new SignetError('EntityTooLarge', 'multipart: Content-Length over 5 TiB');
    ctx.strategy = 'multipart';
    const base = this.#settings.partSize;
    const fixed = length >= 0 ? partSizeForLength(length, base) : 0;
    const upload = new MultipartUpload(ctx, {
      length, carried,
      clientSha256: HEX_SHA256.test(inbound.clientPayloadHash) ? inbound.clientPayloadHash : '',
      continue: () => {
        if (inbound.expectContinue) ctx.res.writeContinue();
      },
    }, { ...this.#upload, partSize: length >= 0 ? () => fixed : (n) => partSizeAt(n, base) });
    const task = upload.run(ctx.req);
    this.#active.add(task);
    let outcome: UploadOutcome;
    try {
      outcome = await task;
    } finally {
      this.#active.delete(task);
    }
    answer(ctx, outcome);
  }

  /** Shutdown: no new meaning, only the wait for uploads in progress to complete or be aborted. */
  async drain(timeoutMs: number): Promise<void> {
    this.#draining = true;
    if (this.#active.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    });
    await Promise.race([Promise.allSettled([...this.#active]), timeout]);
    clearTimeout(timer);
  }
}

function answer(ctx: RequestContext, outcome: UploadOutcome): void {
  const { req, res } = ctx;
  ctx.status = outcome.status;
  if (outcome.errorCode !== '') ctx.errorCode = outcome.errorCode;
  const id = outcome.headers['x-amz-request-id'];
  if (id !== undefined) ctx.s3RequestId = id;
  const headers: Record<string, string> = { ...outcome.headers, [CONTENT_LENGTH]: String(outcome.body.length) };
  // A refusal before the body was read: close after answering rather than read gigabytes for nothing.
  const unread = !req.complete;
  if (unread) headers['connection'] = 'close';
  if (res.destroyed) return;
  res.writeHead(outcome.status, headers);
  res.end(req.method === 'HEAD' ? undefined : outcome.body);
  ctx.bytesOut = outcome.body.length;
  if (unread) req.resume();
}
