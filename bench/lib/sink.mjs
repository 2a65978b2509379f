// A minimal S3-shaped upstream for benchmarks: GET answers `size` bytes (default 1 KiB), PUT/POST
// drain the body and answer 200. It checks nothing (correctness is proven by the test suite); it
// exists so that direct and proxied runs hit the same cheap server. Prints its port on stdout.
//
// It speaks just enough multipart for signet's conversion (src/multipart): CreateMultipartUpload
// (POST ?uploads) answers an UploadId, UploadPart (PUT ?partNumber&uploadId) drains and answers an
// ETag, CompleteMultipartUpload (POST ?uploadId) answers the `"…-N"` ETag, AbortMultipartUpload
// (DELETE ?uploadId) 204. Bodies are discarded, never kept: the embedded S3 keeps objects in
// memory, which would be what a memory benchmark measures. GET /__stats (JSON) says what arrived,
// so a bench can check that an upload really went multipart and every byte got there.
// `node sink.mjs [partDelayMs]`: UploadPart answers wait that long after the body (S3's own time
// per part, which is what --multipart-concurrency hides); 0 by default.
import { createServer } from 'node:http';

const bodies = new Map();
function body(size) {
  let b = bodies.get(size);
  if (!b) bodies.set(size, (b = Buffer.alloc(size, 120)));
  return b;
}

const stats = { puts: 0, creates: 0, parts: 0, completes: 0, aborts: 0, bytes: 0, partBytes: 0 };
let uploads = 0;
const xml = (res, text) => {
  const b = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${text}`, 'utf8');
  res.writeHead(200, { 'content-type': 'application/xml', 'content-length': b.length, 'x-amz-request-id': 'BENCH' });
  res.end(b);
};
const PART_DELAY_MS = Number(process.argv[2] ?? 0);
const NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';

const server = createServer((req, res) => {
  const q = req.url.indexOf('?');
  const query = q === -1 ? '' : req.url.slice(q + 1);
  const path = q === -1 ? req.url : req.url.slice(0, q);
  if (req.method === 'PUT' || req.method === 'POST') {
    const part = req.method === 'PUT' && /(^|&)partNumber=(\d+)/.exec(query);
    let n = 0;
    req.on('data', (c) => { n += c.length; });
    req.on('end', () => {
      stats.bytes += n;
      if (req.method === 'POST' && /(^|&)uploads(=|&|$)/.test(query)) {
        stats.creates++;
        const slash = path.indexOf('/', 1);
        return xml(res, `<InitiateMultipartUploadResult ${NS}><Bucket>${path.slice(1, slash)}</Bucket><Key>${path.slice(slash + 1)}</Key><UploadId>bench-upload-${++uploads}</UploadId></InitiateMultipartUploadResult>`);
      }
      if (req.method === 'POST' && /(^|&)uploadId=/.test(query)) {
        stats.completes++;
        return xml(res, `<CompleteMultipartUploadResult ${NS}><Location>http://bench${path}</Location><Bucket>bench</Bucket><Key>${path.slice(1)}</Key><ETag>&quot;bench-${stats.parts}&quot;</ETag></CompleteMultipartUploadResult>`);
      }
      if (part) {
        stats.parts++;
        stats.partBytes += n;
      } else stats.puts++;
      const answer = () => {
        res.writeHead(200, { 'content-length': 0, etag: part ? `"bench-part-${part[2]}"` : '"bench"', 'x-amz-request-id': 'BENCH', 'x-received-bytes': n });
        res.end();
      };
      if (part && PART_DELAY_MS > 0) setTimeout(answer, PART_DELAY_MS);
      else answer();
    });
    return;
  }
  if (req.method === 'DELETE') {
    if (/(^|&)uploadId=/.test(query)) stats.aborts++;
    res.writeHead(204, { 'x-amz-request-id': 'BENCH' });
    return res.end();
  }
  if (path === '/__stats') {
    const b = Buffer.from(JSON.stringify(stats));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': b.length });
    return res.end(b);
  }
  const m = /(?:^|&)size=(\d+)/.exec(query);
  const b = body(m ? Number(m[1]) : 1024);
  res.writeHead(200, { 'content-length': b.length, 'content-type': 'application/octet-stream', etag: '"bench"', 'x-amz-request-id': 'BENCH', date: new Date().toUTCString() });
  res.end(req.method === 'HEAD' ? undefined : b);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(String(server.address().port)));
