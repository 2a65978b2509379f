// A minimal S3-shaped upstream for benchmarks: GET answers `size` bytes (default 1 KiB), PUT/POST
// drain the body and answer 200. It checks nothing (correctness is proven by the test suite); it
// exists so that direct and proxied runs hit the same cheap server. Prints its port on stdout.
import { createServer } from 'node:http';

const bodies = new Map();
function body(size) {
  let b = bodies.get(size);
  if (!b) bodies.set(size, (b = Buffer.alloc(size, 120)));
  return b;
}
const server = createServer((req, res) => {
  if (req.method === 'PUT' || req.method === 'POST') {
    let n = 0;
    req.on('data', (c) => { n += c.length; });
    req.on('end', () => {
      res.writeHead(200, { 'content-length': 0, etag: '"bench"', 'x-amz-request-id': 'BENCH', 'x-received-bytes': n });
      res.end();
    });
    return;
  }
  const m = /[?&]size=(\d+)/.exec(req.url);
  const b = body(m ? Number(m[1]) : 1024);
  res.writeHead(200, { 'content-length': b.length, 'content-type': 'application/octet-stream', etag: '"bench"', 'x-amz-request-id': 'BENCH', date: new Date().toUTCString() });
  res.end(req.method === 'HEAD' ? undefined : b);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(String(server.address().port)));
