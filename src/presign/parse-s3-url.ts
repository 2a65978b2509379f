/** `s3://bucket/key` → bucket and literal key (the AWS CLI does not percent-decode keys either). */
export function parseS3Url(text: string): { bucket: string; key: string } | string {
  if (!text.startsWith('s3://')) return `expected s3://bucket/key, got ${JSON.stringify(text.slice(0, 80))}`;
  const rest = text.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const key = slash === -1 ? '' : rest.slice(slash + 1);
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) return `${JSON.stringify(bucket)} is not an S3 bucket name`;
  return { bucket, key };
}
