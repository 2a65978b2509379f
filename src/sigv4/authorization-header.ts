/** Phase 4 of header auth, the same for SigV4 and SigV4A: `<algorithm> Credential=…, SignedHeaders=…, Signature=…`. */
export function authorizationHeader(algorithm: string, accessKeyId: string, scope: string, signedHeaders: string, signature: string): string {
  return algorithm + ' Credential=' + accessKeyId + '/' + scope + ', SignedHeaders=' + signedHeaders + ', Signature=' + signature;
}
