import { connect } from 'node:net';

export interface SocketResponse {
  readonly status: number;
  /** Lower-case names; values one char per octet received (latin1), repeats joined with ', '. */
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  /** Milliseconds from connect to the end of the response head. */
  readonly headAfterMs: number;
  /** The server closed the connection after this response. */
  readonly closed: boolean;
}

/**
 * One HTTP/1.1 exchange over a bare TCP socket: the request head is written as the exact octets
 * given (Node's http client rewrites some header values, e.g. content-disposition), then the
 * body, all of it, before anything is read: the way Python's http.client sends a request.
 * Reads one response (Content-Length framed, or up to close) and then ends.
 */
export function socketExchange(baseUrl: string, head: string | Buffer, body: Buffer = Buffer.alloc(0), timeoutMs = 10_000): Promise<SocketResponse> {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(Number(u.port), u.hostname);
    const chunks: Buffer[] = [];
    let headAfterMs = -1;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete response within ${timeoutMs} ms`));
    }, timeoutMs);
    const tryParse = (ended: boolean): boolean => {
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      if (end === -1) return false;
      if (headAfterMs < 0) headAfterMs = Date.now() - started;
      const lines = all.subarray(0, end).toString('latin1').split('\r\n');
      const status = Number(lines[0]!.split(' ')[1]);
      if (status === 100) {
        chunks.length = 0;
        chunks.push(all.subarray(end + 4));
        return tryParse(ended);
      }
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).toLowerCase();
        const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
        headers[name] = headers[name] === undefined ? value : headers[name] + ', ' + value;
      }
      const length = headers['content-length'] === undefined ? -1 : Number(headers['content-length']);
      const rest = all.subarray(end + 4);
      if (length >= 0 && rest.length < length && !ended) return false;
      if (length < 0 && !ended) return false;
      clearTimeout(timer);
      resolve({ status, headers, body: length >= 0 ? rest.subarray(0, length) : rest, headAfterMs, closed: ended || headers['connection'] === 'close' });
      socket.destroy();
      return true;
    };
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      tryParse(false);
    });
    socket.on('end', () => {
      if (!tryParse(true)) {
        clearTimeout(timer);
        reject(new Error('connection closed before a complete response'));
      }
    });
    // A server that stops reading and resets is an answer too, if it came with a response.
    socket.on('error', (err) => {
      if (!tryParse(true)) {
        clearTimeout(timer);
        reject(err);
      }
    });
    // Nothing is read before the last byte is handed to the kernel, as http.client does it.
    socket.pause();
    socket.on('connect', () => {
      socket.write(typeof head === 'string' ? Buffer.from(head, 'latin1') : head);
      socket.write(body, () => socket.resume());
    });
  });
}
