import type { Dispatcher } from 'undici';
import { parseS3Error } from '../s3/s3-error-xml.js';
import { CONTENT_TYPE } from '../sigv4/constants.js';
import type { Credentials } from '../sigv4/types.js';
import { signedCall } from './signed-call.js';

export interface CallerIdentity {
  readonly arn: string;
  readonly account: string;
}

/** STS refused: its error code (InvalidClientTokenId, SignatureDoesNotMatch, ExpiredToken, …). */
export class StsError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, status: number, message: string) {
    super(message);
    this.name = 'StsError';
    this.code = code;
    this.status = status;
  }
}

/** AWS_ENDPOINT_URL_STS when set (as in the SDKs), otherwise the regional endpoint. */
export function stsEndpoint(region: string, env: NodeJS.ProcessEnv): URL {
  const custom = env['AWS_ENDPOINT_URL_STS'];
  if (custom !== undefined && custom !== '') return new URL(custom);
  return new URL(`https://sts.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`);
}

function element(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  return m?.[1];
}

/** sts:GetCallerIdentity over the query protocol: a signed form POST, XML back. Needs no permission. */
export async function getCallerIdentity(credentials: Credentials, region: string, endpoint: URL, dispatcher: Dispatcher, date: Date): Promise<CallerIdentity> {
  const answer = await signedCall({
    origin: endpoint.origin, host: endpoint.host, method: 'POST', path: '/',
    headers: { [CONTENT_TYPE]: 'application/x-www-form-urlencoded; charset=utf-8' },
    body: 'Action=GetCallerIdentity&Version=2011-06-15',
    region, service: 'sts', credentials, date, dispatcher,
  });
  if (answer.status !== 200) {
    const parsed = parseS3Error(answer.body);
    throw new StsError(parsed?.code ?? `HTTP${answer.status}`, answer.status, parsed?.message ?? `STS answered HTTP ${answer.status}`);
  }
  const arn = element(answer.body, 'Arn');
  const account = element(answer.body, 'Account');
  if (arn === undefined || account === undefined) throw new StsError('MalformedResponse', 200, 'STS answer has no Arn/Account');
  return { arn, account };
}
