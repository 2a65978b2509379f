import { CredentialIssuer } from './issuer.js';
import { LoopbackServer, sendJson } from './loopback-server.js';

/**
 * The ECS / EKS Pod Identity container credentials endpoint: GET with `Authorization: <token>`,
 * JSON credentials back; a wrong or missing token gets 401 like the Pod Identity agent.
 */
export async function startContainerServer(options: { path?: string; token: string; issuer?: CredentialIssuer }) {
  const path = options.path ?? '/v1/credentials';
  const issuer = options.issuer ?? new CredentialIssuer();
  const state = { token: options.token, rejected: 0 };
  const server = await LoopbackServer.start((req, _body, res) => {
    if (req.method !== 'GET' || req.url !== path) return void res.writeHead(404).end();
    if (req.headers.authorization !== state.token) {
      state.rejected += 1;
      return sendJson(res, 401, { Code: 'AccessDenied', Message: 'invalid authorization token' });
    }
    const c = issuer.issue();
    sendJson(res, 200, {
      AccessKeyId: c.accessKeyId,
      SecretAccessKey: c.secretAccessKey,
      Token: c.sessionToken,
      AccountId: '123456789012',
      Expiration: new Date(c.expiresAtMs).toISOString(),
    });
  });
  return { server, issuer, state, url: `${server.url}${path}` };
}
