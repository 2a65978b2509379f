// A local OTLP/HTTP receiver for benchmarks: accepts POST /v1/traces, discards the body and
// answers 200 with an empty ExportTraceServiceResponse (a zero-length protobuf message). It counts
// the server spans that arrived by the occurrences of their name (`S3.GetObject`, a string field
// in each protobuf Span), which is enough to see spans dropped by a full batch queue without
// decoding. GET /__stats (JSON). Prints its port on stdout; listens on 127.0.0.1 only.
import { createServer } from 'node:http';
import { gunzipSync } from 'node:zlib';

const NAME = Buffer.from(process.argv[2] ?? 'S3.GetObject');
const stats = { exports: 0, bytes: 0, spans: 0 };

function count(buffer) {
  let n = 0;
  for (let i = buffer.indexOf(NAME); i !== -1; i = buffer.indexOf(NAME, i + NAME.length)) n++;
  return n;
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/__stats') {
    const b = Buffer.from(JSON.stringify(stats));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': b.length });
    return res.end(b);
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks);
    const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
    stats.exports++;
    stats.bytes += raw.length;
    stats.spans += count(body);
    res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/x-protobuf', 'content-length': 0 });
    res.end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(String(server.address().port)));
