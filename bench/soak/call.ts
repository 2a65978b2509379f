// One HTTP exchange with signet as a plain client (no credentials: signet signs), with the two ways
// a client can walk away: mid-upload (after `abortAfterSent` body bytes) and mid-download (after
// `abortAfterReceived` response bytes).
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import type { Agent } from 'node:http';

export interface CallOptions {
  readonly method: string;
  readonly path: string;
  readonly headers?: Record<string, string | number>;
  /** The body, sent in 256 KiB writes with backpressure; with `chunked`, no Content-Length. */
  readonly body?: Buffer;
  readonly chunked?: boolean;
  readonly abortAfterSent?: number;
  readonly abortAfterReceived?: number;
}

export interface CallResult {
  /** 0 when the client walked away (as asked) before the answer. */
  readonly status: number;
  readonly bytes: number;
  readonly md5: string;
  readonly text: string;
  readonly etag: string;
  /** The client aborted as asked. */
  readonly aborted: boolean;
}

const WRITE = 256 * 1024;

export function call(base: string, agent: Agent | false, o: CallOptions): Promise<CallResult> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (f: () => void): void => {
      if (!settled) {
        settled = true;
        f();
      }
    };
    const headers: Record<string, string | number> = { ...o.headers };
    if (o.body !== undefined) {
      if (o.chunked === true) headers['transfer-encoding'] = 'chunked';
      else headers['content-length'] = o.body.length;
    }
    const req = request(base + o.path, { method: o.method, headers, agent });
    // After a walk-away the promise is settled already; a later socket error is expected and ignored.
    req.on('error', (err) => settle(() => reject(err)));
    const walkAway = (): void => {
      req.destroy();
      settle(() => resolve({ status: 0, bytes: 0, md5: '', text: '', etag: '', aborted: true }));
    };
    req.on('response', (res) => {
      const hash = createHash('md5');
      let bytes = 0;
      let text = '';
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        hash.update(c);
        if (text.length < 2048) text += c.toString('latin1');
        if (o.abortAfterReceived !== undefined && bytes >= o.abortAfterReceived) walkAway();
      });
      res.on('error', (err) => settle(() => reject(err)));
      res.on('end', () => settle(() => resolve({ status: res.statusCode ?? 0, bytes, md5: hash.digest('hex'), text, etag: String(res.headers.etag ?? ''), aborted: false })));
    });
    const body = o.body;
    if (body === undefined) return void req.end();
    let off = 0;
    const pump = (): void => {
      while (off < body.length) {
        if (o.abortAfterSent !== undefined && off >= o.abortAfterSent) return walkAway();
        const piece = body.subarray(off, Math.min(body.length, off + WRITE));
        off += piece.length;
        if (!req.write(piece)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

export const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');
