import { Readable } from 'node:stream';

/**
 * The client's request stream as undici's request body, without handing undici the request
 * itself: when the upstream answers before it has read the body, undici destroys the body stream
 * it was given, and the client's request must outlive that so the rest of its body can be read and
 * discarded (see lingering-close.ts). Backpressure passes straight through (push → pause, _read →
 * resume); no copy is made.
 */
export class BodyRelay extends Readable {
  private readonly source: Readable;
  private detached = false;

  constructor(source: Readable) {
    super();
    this.source = source;
    source.on('data', this.onData);
    source.once('end', this.onEnd);
    source.on('error', this.onError);
  }

  override _read(): void {
    if (!this.detached) this.source.resume();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.detach();
    callback(err);
  }

  /** Lets go of the source, which stays paused and untouched for whoever reads it next. */
  detach(): void {
    if (this.detached) return;
    this.detached = true;
    this.source.off('data', this.onData);
    this.source.off('end', this.onEnd);
    this.source.off('error', this.onError);
    this.source.pause();
  }

  private readonly onData = (chunk: Buffer): void => {
    if (!this.push(chunk)) this.source.pause();
  };

  private readonly onEnd = (): void => {
    this.push(null);
  };

  private readonly onError = (err: Error): void => {
    this.destroy(err);
  };
}
