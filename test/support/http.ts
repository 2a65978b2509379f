import { request } from 'node:http';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** Informational responses seen before the final one (e.g. 100). */
  informational: number[];
}

/**
 * An HTTP/1.1 request whose target goes on the wire exactly as given (no URL parsing), so tests
 * control every byte of the path and query.
 */
export function rawRequest(
  baseUrl: string,
  options: { method?: string; path: string; headers?: Record<string, string | number | string[]>; body?: Buffer | string | Iterable<Buffer> | AsyncIterable<Buffer>; waitForContinue?: boolean },
): Promise<RawResponse> {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const informational: number[] = [];
    const req = request({ host: u.hostname, port: u.port, method: options.method ?? 'GET', path: options.path, headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), informational }));
      res.on('error', reject);
    });
    req.on('information', (info) => informational.push(info.statusCode));
    req.on('error', reject);
    const send = async (): Promise<void> => {
      const body = options.body;
      if (body === undefined) return void req.end();
      if (typeof body === 'string' || Buffer.isBuffer(body)) return void req.end(body);
      for await (const chunk of body as AsyncIterable<Buffer>) {
        if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
      }
      req.end();
    };
    if (options.waitForContinue) req.on('continue', () => void send().catch(reject));
    else void send().catch(reject);
  });
}
