import type { IncomingHttpHeaders } from 'node:http';
import { errors } from 'undici';
import type { Dispatcher } from 'undici';
import type { RequestAbort } from './request-abort.js';

/** Most body bytes held for a consumer that has not started reading; past it the upstream socket is paused. */
const QUEUE_LIMIT = 64 * 1024;

/** What reads an upstream body as it arrives: `data` returns false to be sent no more until `UpstreamBody.resume()`. */
export interface BodyConsumer {
  data(chunk: Buffer): boolean;
  end(): void;
  error(err: Error): void;
}

/** An upstream answer whose head has arrived; its body is read once, by one consumer. */
export interface UpstreamResponse {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  /** Filled in when the body ends (HTTP trailers); empty until then, and for most answers. */
  readonly trailers: IncomingHttpHeaders;
  readonly body: UpstreamBody;
}

/**
 * One request to the upstream through undici's dispatch API, with the body handed straight to
 * whoever reads it. undici's `request()` wraps every answer in a Readable (its own BodyReadable),
 * whose construction, buffering, events and end-of-stream ticks cost ~2–3 µs per request on small
 * GETs (bench/RESULTS.md, "Closer to the limits"); a proxy only ever moves the bytes on, so the
 * chunks go from the parser to the client's socket with backpressure and nothing in between.
 *
 * `signal` aborts the exchange until the body has fully arrived (a client that goes away); after
 * that, the body's consumer is the one to let go (`UpstreamBody.destroy`). Rejects with undici's
 * error (or the abort's) when no answer head arrives.
 */
export function exchange(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions, signal: RequestAbort): Promise<UpstreamResponse> {
  if (signal.aborted) return Promise.reject(new errors.RequestAbortedError());
  return new Promise((resolve, reject) => {
    dispatcher.dispatch(options, new ExchangeHandler(signal, resolve, reject));
  });
}

class ExchangeHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | null = null;
  private response: UpstreamResponse | null = null;
  private listening = true;
  private readonly onAbort = (): void => {
    // Queued in the pool, not yet on a socket: onRequestStart aborts it when it gets one.
    this.controller?.abort(new errors.RequestAbortedError());
  };

  constructor(
    private readonly signal: RequestAbort,
    private resolve: ((response: UpstreamResponse) => void) | null,
    private reject: ((err: Error) => void) | null,
  ) {
    // From the start, not from onRequestStart: a request waiting for a free connection must hear
    // it too, or it would still be sent after its client (or its multipart upload) gave up.
    signal.on('abort', this.onAbort);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.signal.aborted) controller.abort(new errors.RequestAbortedError());
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200) return; // 1xx: informational, the answer is still to come
    const resolve = this.resolve;
    if (resolve === null) return;
    this.resolve = null;
    this.reject = null;
    this.response = { statusCode, headers, trailers: {}, body: new UpstreamBody(controller) };
    resolve(this.response);
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.response?.body.push(chunk);
  }

  onResponseEnd(_controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    this.stopListening();
    if (this.response === null) return;
    Object.assign(this.response.trailers, trailers);
    this.response.body.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.stopListening();
    const reject = this.reject;
    this.resolve = null;
    this.reject = null;
    if (reject !== null) reject(err);
    else this.response?.body.fail(err);
  }

  private stopListening(): void {
    if (!this.listening) return;
    this.listening = false;
    this.signal.off('abort', this.onAbort);
  }
}

/**
 * A response body on its way from the upstream: chunks that arrive before anyone reads are held
 * (up to QUEUE_LIMIT, then the upstream socket is paused); then one consumer takes them, either
 * pushed (`consume`, the proxy's pipe to its client) or pulled (`for await`, for small answers
 * signet reads itself). `destroy` lets go of it: the upstream request is aborted if still running.
 */
export class UpstreamBody {
  private queue: Buffer[] = [];
  private queued = 0;
  /** The last byte has arrived from the upstream. */
  private ended = false;
  private failure: Error | null = null;
  private destroyed = false;
  /** Someone has started reading (one reader per body). */
  private taken = false;
  /** We asked undici to stop reading the upstream socket (QUEUE_LIMIT held). */
  private paused = false;
  /** The push consumer said no more until resume(). */
  private blocked = false;
  /** The push consumer, until its end or error has been delivered. */
  private consumer: BodyConsumer | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly controller: Dispatcher.DispatchController) {}

  /** True once the last byte has arrived (the reader may not have had it yet). */
  get complete(): boolean {
    return this.ended;
  }

  /** @internal From the exchange: a chunk from the upstream. */
  push(chunk: Buffer): void {
    if (this.destroyed) return;
    const consumer = this.consumer;
    if (consumer !== null && !this.blocked && this.queue.length === 0) {
      if (!consumer.data(chunk) && this.consumer !== null) this.block();
      return;
    }
    this.queue.push(chunk);
    this.queued += chunk.length;
    if (this.queued >= QUEUE_LIMIT) this.pause();
    if (consumer !== null && !this.blocked) this.flush();
    else this.notify();
  }

  /** @internal From the exchange: the last byte has arrived. */
  end(): void {
    if (this.destroyed || this.failure !== null) return;
    this.ended = true;
    if (this.consumer !== null && !this.blocked && this.queue.length === 0) this.deliverEnd();
    else this.notify();
  }

  /** @internal From the exchange: the upstream failed mid-body (or the exchange was aborted). */
  fail(err: Error): void {
    if (this.destroyed || this.ended || this.failure !== null) return;
    this.failure = err;
    this.queue = [];
    this.queued = 0;
    const consumer = this.consumer;
    this.consumer = null;
    if (consumer !== null) consumer.error(err);
    else this.notify();
  }

  /** Hands the body to `consumer`: held chunks first, then each as it arrives; then end or error, once. */
  consume(consumer: BodyConsumer): void {
    if (this.taken) throw new Error('upstream body already read');
    this.taken = true;
    if (this.destroyed) return;
    if (this.failure !== null) return consumer.error(this.failure);
    this.consumer = consumer;
    this.flush();
  }

  /**
   * The whole body, when it has all arrived and no one has read it yet (a small answer usually
   * arrives with its head): taken in one go, the body then counts as read. null otherwise.
   */
  takeComplete(): Buffer[] | null {
    if (!this.ended || this.taken || this.destroyed) return null;
    this.taken = true;
    const chunks = this.queue;
    this.queue = [];
    this.queued = 0;
    return chunks;
  }

  /** The push consumer can take more after its `data` returned false. */
  resume(): void {
    if (!this.blocked || this.consumer === null) return;
    this.blocked = false;
    this.flush();
  }

  /** Lets go of the body: the upstream request is aborted if it is still running; nothing more is delivered. */
  destroy(err?: Error): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.queue = [];
    this.queued = 0;
    this.consumer = null;
    this.notify();
    if (!this.ended && this.failure === null) this.controller.abort(err ?? new errors.RequestAbortedError());
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer, void, undefined> {
    if (this.taken) throw new Error('upstream body already read');
    this.taken = true;
    try {
      for (;;) {
        const chunk = this.queue.shift();
        if (chunk !== undefined) {
          this.queued -= chunk.length;
          yield chunk;
          continue;
        }
        if (this.failure !== null) throw this.failure;
        if (this.ended || this.destroyed) return;
        if (this.paused) {
          // Resuming can deliver the rest (and the end) at once, before anything waits for it.
          this.unpause();
          continue;
        }
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = null;
      }
    } finally {
      // A reader that stops early (break, throw) is done with it.
      if (!this.ended) this.destroy();
    }
  }

  private flush(): void {
    while (this.queue.length > 0) {
      const consumer = this.consumer;
      if (consumer === null) return;
      const chunk = this.queue.shift()!;
      this.queued -= chunk.length;
      if (!consumer.data(chunk)) {
        if (this.consumer !== null) this.block();
        return;
      }
    }
    if (this.consumer === null) return;
    if (this.ended) this.deliverEnd();
    else this.unpause();
  }

  private deliverEnd(): void {
    const consumer = this.consumer;
    this.consumer = null;
    consumer?.end();
  }

  /**
   * The reader wants no more for now: what arrives meanwhile is held, and the upstream socket is
   * paused only once QUEUE_LIMIT is held (as a Readable's high-water mark would): a client socket
   * that drains within that slack costs no pause and resume of the parser.
   */
  private block(): void {
    this.blocked = true;
  }

  private pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.controller.pause();
  }

  private unpause(): void {
    if (!this.paused) return;
    this.paused = false;
    this.controller.resume();
  }

  private notify(): void {
    this.wake?.();
  }
}
