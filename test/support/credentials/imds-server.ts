import { randomBytes } from 'node:crypto';
import { CredentialIssuer } from './issuer.js';
import { LoopbackServer, sendJson } from './loopback-server.js';

const TOKEN_PATH = '/latest/api/token';
const CREDENTIALS_PATH = '/latest/meta-data/iam/security-credentials/';

/**
 * IMDSv2 as EC2 serves it: PUT a session token (TTL header required), then GET the role name and the
 * role's JSON credentials, each with the token header. Requests without a valid token get 401.
 */
export async function startImdsServer(options: { role?: string; issuer?: CredentialIssuer } = {}) {
  const role = options.role ?? 'signet-test-role';
  const issuer = options.issuer ?? new CredentialIssuer();
  const tokens = new Set<string>();
  const log: string[] = [];
  const server = await LoopbackServer.start((req, _body, res) => {
    log.push(`${req.method} ${req.url}`);
    if (req.method === 'PUT' && req.url === TOKEN_PATH) {
      if (req.headers['x-aws-ec2-metadata-token-ttl-seconds'] === undefined) return void res.writeHead(400).end();
      const token = randomBytes(16).toString('hex');
      tokens.add(token);
      return void res.writeHead(200, { 'content-type': 'text/plain' }).end(token);
    }
    const token = req.headers['x-aws-ec2-metadata-token'];
    if (typeof token !== 'string' || !tokens.has(token)) return void res.writeHead(401).end();
    if (req.method === 'GET' && req.url === CREDENTIALS_PATH) return void res.writeHead(200).end(role);
    if (req.method === 'GET' && req.url === CREDENTIALS_PATH + role) {
      const c = issuer.issue();
      return sendJson(res, 200, {
        Code: 'Success',
        LastUpdated: new Date(c.issuedAtMs).toISOString(),
        Type: 'AWS-HMAC',
        AccessKeyId: c.accessKeyId,
        SecretAccessKey: c.secretAccessKey,
        Token: c.sessionToken,
        Expiration: new Date(c.expiresAtMs).toISOString(),
      });
    }
    res.writeHead(404).end();
  });
  return { server, issuer, log, role };
}
