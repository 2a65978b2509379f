import { redactText } from './redact.js';
import { renderS3Error } from './s3-error-xml.js';
import type { ParsedS3Error } from './s3-error-xml.js';

/**
 * Elements of an S3 error a client may see. S3's SignatureDoesNotMatch body also carries
 * <SignatureProvided>, <StringToSign>, <CanonicalRequest> and their hex byte dumps — built from
 * signet's request, so they hold signet's signature and session token. Those stay in signet's
 * log (redacted there too); the client gets the error without them.
 */
const CLIENT_SAFE: ReadonlySet<string> = new Set([
  'Code', 'Message', 'Resource', 'RequestId', 'HostId', 'Region', 'Endpoint', 'Bucket', 'BucketName', 'Key',
  'ServerTime', 'RequestTime', 'MaxAllowedSkewMilliseconds', 'Condition', 'ArgumentName', 'ArgumentValue',
  'UploadId', 'PartNumber', 'ETag', 'ProposedSize', 'MaxSizeAllowed', 'MinSizeAllowed', 'HeadersNotSigned',
  'Header', 'Method', 'ResourceType', 'ActualObjectSize', 'RangeRequested', 'VersionId',
]);
const CANONICAL_HINT = " signet re-signed this request; its log names the line of the canonical request that differs.";

/** The error body to hand the client: known S3 elements only, and no secret of signet's anywhere. */
export function clientSafeErrorBody(body: Buffer, parsed: ParsedS3Error | null, secrets: ReadonlyArray<string>): Buffer {
  if (parsed === null) {
    const text = body.toString('utf8');
    const clean = redactText(text, secrets);
    return clean === text ? body : Buffer.from(clean, 'utf8');
  }
  const extra: Record<string, string> = {};
  for (const name in parsed.fields) {
    if (name === 'Code' || name === 'Message' || name === 'Resource' || name === 'RequestId') continue;
    if (CLIENT_SAFE.has(name)) extra[name] = redactText(parsed.fields[name]!, secrets);
  }
  const message = parsed.code === 'SignatureDoesNotMatch' ? parsed.message + CANONICAL_HINT : parsed.message;
  return Buffer.from(
    renderS3Error({
      code: parsed.code,
      message: redactText(message, secrets),
      ...(parsed.resource !== undefined ? { resource: redactText(parsed.resource, secrets) } : {}),
      ...(parsed.requestId !== undefined ? { requestId: parsed.requestId } : {}),
      extra,
    }),
    'utf8',
  );
}
