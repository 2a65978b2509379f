import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface SlowUpload {
  /** Sends the rest of the body; the request then completes. */
  finish(): void;
  readonly response: Promise<{ status: number; body: string }>;
}

/** A PUT whose body arrives in two halves, so the request stays in flight until `finish()`. */
export function slowUpload(base: string, path: string, body = 'first half|second half'): SlowUpload {
  const u = new URL(base);
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  const half = Math.floor(body.length / 2);
  let finish = (): void => undefined;
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({
      host: u.hostname, port: u.port, method: 'PUT', path, agent: false,
      headers: { 'content-length': Buffer.byteLength(body) },
    }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.write(body.slice(0, half));
    finish = () => req.end(body.slice(half));
  });
  return { finish: () => finish(), response };
}

/** Polls until `check` holds (or fails after `ms`). */
export async function eventually(check: () => Promise<boolean>, ms = 5000, what = 'condition'): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function inFlight(adminUrl: string): Promise<number> {
  const text = await (await fetch(`${adminUrl}/metrics`)).text();
  const m = /^signet_requests_in_flight (\d+)/m.exec(text);
  return m === null ? -1 : Number(m[1]);
}
