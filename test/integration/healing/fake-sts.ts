import { LoopbackServer } from '../../support/credentials/loopback-server.js';

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const CREDENTIAL_RE = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/;

/**
 * sts:GetCallerIdentity on 127.0.0.1: knows the access key ids given, answers the query-protocol
 * XML the SDKs read, and refuses others with 403 InvalidClientTokenId, as STS does.
 */
export async function startIdentitySts(known: ReadonlyMap<string, string>) {
  const calls: Array<{ action: string; accessKeyId: string; region: string; service: string }> = [];
  const server = await LoopbackServer.start((req, body, res) => {
    const action = new URLSearchParams(body).get('Action') ?? '';
    const m = CREDENTIAL_RE.exec(req.headers.authorization ?? '');
    calls.push({ action, accessKeyId: m?.[1] ?? '', region: m?.[2] ?? '', service: m?.[3] ?? '' });
    const arn = m === null || m[3] !== 'sts' ? undefined : known.get(m[1]!);
    res.writeHead(arn === undefined ? 403 : 200, { 'content-type': 'text/xml' });
    if (arn === undefined) {
      res.end(`<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code>` +
        '<Message>The security token included in the request is invalid.</Message></Error><RequestId>1</RequestId></ErrorResponse>');
      return;
    }
    res.end(`<GetCallerIdentityResponse xmlns="${NS}"><GetCallerIdentityResult><Arn>${arn}</Arn><UserId>AIDATEST</UserId>` +
      '<Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>2</RequestId></ResponseMetadata></GetCallerIdentityResponse>');
  });
  return { server, calls };
}
