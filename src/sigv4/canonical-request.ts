/**
 * CanonicalRequest = Method \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n HashedPayload
 * The headers block already ends in "\n", so there is an empty line before SignedHeaders.
 */
export function canonicalRequest(
  method: string,
  uri: string,
  query: string,
  headersBlock: string,
  signedHeaders: string,
  payloadHash: string,
): string {
  return method + '\n' + uri + '\n' + query + '\n' + headersBlock + '\n' + signedHeaders + '\n' + payloadHash;
}
