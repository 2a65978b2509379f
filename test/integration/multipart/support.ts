import { request } from 'node:http';
import type { Harness } from '../../support/harness.js';

export const MiB = 1024 * 1024;
export const PART = 8 * MiB;

/** Deterministic bytes (fast to make, different in every part). */
export function bytes(size: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = seed * 2654435761 >>> 0;
  for (let i = 0; i + 4 <= size; i += 4) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    out.writeUInt32LE(x, i);
  }
  for (let i = size - (size % 4); i < size; i++) out[i] = i & 0xff;
  return out;
}

export function* pieces(body: Buffer, size = 64 * 1024): Generator<Buffer> {
  for (let i = 0; i < body.length; i += size) yield body.subarray(i, Math.min(body.length, i + size));
}

/** The requests the embedded S3 saw for one key, as `METHOD ?query` strings. */
/** The calls S3 saw for one key, in the order they arrived (a part cut by signet closes whenever S3 notices). */
export function callsFor(h: Harness, bucket: string, key: string): string[] {
  const prefix = `/${bucket}/${key}`;
  return h.s3.requests
    .filter((r) => r.rawPath === prefix || r.rawPath.startsWith(prefix + '?'))
    .sort((a, b) => a.arrival - b.arrival)
    .map((r) => {
      const q = r.rawPath.slice(prefix.length);
      if (q.startsWith('?uploads')) return `${r.method} uploads`;
      if (q.includes('partNumber=')) return `${r.method} part`;
      if (q.includes('uploadId=')) return `${r.method} uploadId`;
      return r.method;
    });
}

export function openUploads(h: Harness, bucket: string): number {
  return h.s3.buckets.get(bucket)?.uploads.size ?? 0;
}

export async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Sends `sent` bytes of a chunked PUT, then hangs up (or, with `hold`, keeps the request open
 * until the returned `stop` is called).
 */
export function partialUpload(url: string, path: string, sent: number, hold = false): { done: Promise<void>; stop: () => void } {
  const u = new URL(url);
  const req = request({ host: u.hostname, port: u.port, method: 'PUT', path, agent: false, headers: { 'transfer-encoding': 'chunked' } });
  req.on('error', () => undefined);
  req.on('response', (res) => res.resume());
  const done = (async () => {
    for (const piece of pieces(bytes(sent))) {
      if (!req.write(piece)) await new Promise((r) => req.once('drain', r));
    }
    if (!hold) {
      await new Promise((r) => setTimeout(r, 100));
      req.destroy();
    }
  })();
  return { done, stop: () => req.destroy() };
}
