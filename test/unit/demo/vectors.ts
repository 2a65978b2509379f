// Published AWS S3 SigV4 examples (protocol.md §2): the inputs shared by the demo tests.
export const EXAMPLE = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  amzDate: '20130524T000000Z',
  scope: '20130524/us-east-1/s3/aws4_request',
  region: 'us-east-1',
  /** 2013-05-24T00:00:00Z */
  time: Date.UTC(2013, 4, 24),
};

export const STREAMING_VECTOR = {
  seed: '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
  chunks: [
    { size: 65536, signature: 'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648' },
    { size: 1024, signature: '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497' },
    { size: 0, signature: 'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9' },
  ],
};

export const TRAILER_VECTOR = {
  seed: '106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e',
  chunks: [
    { size: 65536, signature: 'b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2' },
    { size: 1024, signature: '1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7' },
    { size: 0, signature: '2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992' },
  ],
  trailer: 'x-amz-checksum-crc32c:sOO8/Q==',
  trailerSignature: 'd81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435',
};

/** The wire body of the published streaming examples: chunks of 'a', then the optional trailer. */
export function vectorBody(chunks: Array<{ size: number; signature: string }>, trailerLines: string[] = []): Buffer {
  const pieces: Buffer[] = [];
  for (const { size, signature } of chunks) {
    pieces.push(Buffer.from(`${size.toString(16)};chunk-signature=${signature}\r\n`), Buffer.alloc(size, 'a'));
    if (size > 0) pieces.push(Buffer.from('\r\n'));
  }
  if (trailerLines.length === 0) pieces.push(Buffer.from('\r\n'));
  else pieces.push(Buffer.from(trailerLines.map((l) => `${l}\r\n`).join('') + '\r\n'));
  return Buffer.concat(pieces);
}
