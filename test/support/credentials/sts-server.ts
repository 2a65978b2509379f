import type { ServerResponse } from 'node:http';
import { CredentialIssuer } from './issuer.js';
import { LoopbackServer } from './loopback-server.js';

export interface StsCall {
  action: string;
  params: Record<string, string>;
  /** Access key id and region from the caller's SigV4 Authorization header (absent for web identity). */
  callerAccessKeyId: string | null;
  region: string | null;
}

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const CREDENTIAL_RE = /Credential=([^/]+)\/\d{8}\/([^/]+)\/sts\//;

/**
 * STS over the AWS query protocol: a form-encoded POST with `Action=AssumeRole` or
 * `Action=AssumeRoleWithWebIdentity`, answered with the XML the SDK's awsQuery parser reads
 * (`<…Response><…Result><Credentials>…</Credentials><AssumedRoleUser>…`).
 */
export async function startStsServer(options: { issuer?: CredentialIssuer; delayMs?: number } = {}) {
  const issuer = options.issuer ?? new CredentialIssuer();
  const calls: StsCall[] = [];
  const state = { failWith: null as null | { status: number; code: string } };
  const server = await LoopbackServer.start(async (req, body, res) => {
    const params = Object.fromEntries(new URLSearchParams(body));
    const action = params.Action ?? '';
    const match = CREDENTIAL_RE.exec(req.headers.authorization ?? '');
    calls.push({ action, params, callerAccessKeyId: match?.[1] ?? null, region: match?.[2] ?? null });
    if (state.failWith !== null) return void sendError(res, state.failWith.status, state.failWith.code);
    if (action !== 'AssumeRole' && action !== 'AssumeRoleWithWebIdentity') return void sendError(res, 400, 'InvalidAction');
    if (action === 'AssumeRole' && match === null) return void sendError(res, 403, 'MissingAuthenticationToken');
    if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
    const c = issuer.issue();
    const session = params.RoleSessionName ?? 'session';
    const role = (params.RoleArn ?? '').split('/').at(-1) ?? 'role';
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end(
      `<${action}Response xmlns="${NS}"><${action}Result>` +
        (action === 'AssumeRoleWithWebIdentity' ? '<SubjectFromWebIdentityToken>system:serviceaccount:default:signet</SubjectFromWebIdentityToken>' : '') +
        `<AssumedRoleUser><AssumedRoleId>AROATEST:${session}</AssumedRoleId>` +
        `<Arn>arn:aws:sts::123456789012:assumed-role/${role}/${session}</Arn></AssumedRoleUser>` +
        `<Credentials><AccessKeyId>${c.accessKeyId}</AccessKeyId><SecretAccessKey>${c.secretAccessKey}</SecretAccessKey>` +
        `<SessionToken>${c.sessionToken}</SessionToken><Expiration>${new Date(c.expiresAtMs).toISOString()}</Expiration></Credentials>` +
        `</${action}Result><ResponseMetadata><RequestId>00000000-0000-0000-0000-${String(calls.length).padStart(12, '0')}</RequestId></ResponseMetadata>` +
        `</${action}Response>`,
    );
  });
  return { server, issuer, calls, state };
}

function sendError(res: ServerResponse, status: number, code: string): void {
  res.writeHead(status, { 'content-type': 'text/xml' });
  res.end(
    `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>test STS says ${code}</Message></Error>` +
      '<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>',
  );
}
