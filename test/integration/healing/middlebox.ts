import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A forwarding hop that rewrites one request header on its way to `target`, as a misbehaving
 * corporate proxy or load balancer might: S3 then computes a different canonical request.
 */
export async function headerRewritingHop(target: string, header: string, rewrite: (value: string) => string) {
  const t = new URL(target);
  const server = createServer((req, res) => {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined) continue;
      headers[name] = name === header && typeof value === 'string' ? rewrite(value) : value;
    }
    const out = request({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
