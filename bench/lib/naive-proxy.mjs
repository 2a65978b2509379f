// The classic Node signing proxy, for comparison only: http-proxy forwarding, aws4 signing each
// request in the proxyReq hook (GET only: no body handling). Not signet's design — see
// reference/protocol.md §1.2 for why signet uses neither. Prints its port on stdout.
import http from 'node:http';
import aws4 from 'aws4';
import httpProxy from 'http-proxy';

const target = process.argv[2];
const host = new URL(target).host;
const credentials = { accessKeyId: 'AKIABENCHMARK0000000', secretAccessKey: 'bench/secret/key' };
const proxy = httpProxy.createProxyServer({ target, agent: new http.Agent({ keepAlive: true, maxSockets: Infinity }) });
proxy.on('proxyReq', (proxyReq, req) => {
  const signed = aws4.sign({ host, path: req.url, method: req.method, service: 's3', region: 'us-east-1', headers: {} }, credentials);
  for (const [name, value] of Object.entries(signed.headers)) proxyReq.setHeader(name, value);
});
proxy.on('error', (_err, _req, res) => { res.writeHead(502); res.end(); });
const server = http.createServer((req, res) => proxy.web(req, res));
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(String(server.address().port)));
