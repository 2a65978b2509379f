// The floor signet is measured against (issue 14): the least a Node signing proxy can do per
// request — node:http in, an undici Pool out (the same undici signet uses), aws4 header signing
// with UNSIGNED-PAYLOAD, the body piped both ways, no logging, no metrics, no checks. Not a proxy
// to run: it forwards nothing but the request line, Content-Length and its own auth headers, and
// encodes keys as aws4 does (not as S3 needs, reference/protocol.md §1.2). Prints its port.
// `node minimal-forwarder.mjs UPSTREAM_URL`
import http from 'node:http';
import aws4 from 'aws4';
import { Pool } from 'undici';

const target = new URL(process.argv[2]);
const host = target.host;
const credentials = { accessKeyId: 'AKIABENCHMARK0000000', secretAccessKey: 'bench/secret/key' };
const pool = new Pool(target.origin, { connections: null, keepAliveTimeout: 30_000 });

const server = http.createServer((req, res) => {
  const headers = { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
  const length = req.headers['content-length'];
  if (length !== undefined) headers['content-length'] = length;
  const signed = aws4.sign({ host, path: req.url, method: req.method, service: 's3', region: 'us-east-1', headers }, credentials);
  delete signed.headers.Host;
  const hasBody = length !== undefined && length !== '0';
  pool.request({ path: req.url, method: req.method, headers: signed.headers, body: hasBody ? req : null }).then(
    ({ statusCode, headers: upHeaders, body }) => {
      delete upHeaders.connection;
      delete upHeaders['keep-alive'];
      res.writeHead(statusCode, upHeaders);
      body.on('data', (chunk) => {
        if (!res.write(chunk)) body.pause();
      });
      res.on('drain', () => body.resume());
      body.on('end', () => res.end());
      body.on('error', () => res.destroy());
    },
    () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    },
  );
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(String(server.address().port)));
// An orderly exit on SIGINT, so that `node --cpu-prof` writes its profile.
process.once('SIGINT', () => process.exit(0));
