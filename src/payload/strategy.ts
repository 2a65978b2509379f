/** How a request body is prepared for signing; `auto` picks per request (DESIGN.md payload table). */
export type PayloadMode = 'auto' | 'signed' | 'streaming' | 'unsigned' | 'unsigned-trailer';

/** What a custom S3-compatible store accepts beyond plain hex-hashed bodies. AWS S3 accepts all. */
export type UpstreamCapability = 'aws-chunked' | 'unsigned-trailer' | 'unsigned-payload';

export type Strategy =
  | 'empty' // no body: hash of the empty string
  | 'client-hash' // the client's own hex x-amz-content-sha256, streamed as is (S3 verifies it)
  | 'buffered' // small, known length: read, hash, send (replayable)
  | 'spooled' // unknown length (or no streaming form the store takes): memory then temp file, hashed
  | 'streaming-signed' // aws-chunked STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER], chunk signing on the fly
  | 'unsigned' // UNSIGNED-PAYLOAD, streamed
  | 'unsigned-trailer' // aws-chunked STREAMING-UNSIGNED-PAYLOAD-TRAILER with a CRC32 trailer
  | 'chunked-passthrough' // the client's STREAMING-UNSIGNED-PAYLOAD-TRAILER body, byte for byte
  | 'multipart'; // unknown length or over --multipart-threshold: converted to a multipart upload (src/multipart)

export interface StrategyInput {
  /** Decoded body length (x-amz-decoded-content-length for aws-chunked clients), -1 when unknown. */
  readonly length: number;
  /** The client sent a 64-hex x-amz-content-sha256 for a body it did not aws-chunk. */
  readonly clientHexHash: boolean;
  /** The client's body is aws-chunked STREAMING-UNSIGNED-PAYLOAD-TRAILER. */
  readonly clientUnsignedTrailer: boolean;
}

export interface PayloadPolicy {
  readonly mode: PayloadMode;
  readonly bufferLimit: number;
  readonly capabilities: ReadonlySet<UpstreamCapability>;
}

/**
 * One decision per request; pure. An explicit `--payload` mode wins over the store's declared
 * capabilities (the operator knows better), except that no single request can carry a body of
 * unknown length without spooling it first (S3 needs the decoded length up front).
 */
export function chooseStrategy(input: StrategyInput, policy: PayloadPolicy): Strategy {
  const { length } = input;
  if (length === 0) return 'empty';
  const caps = policy.capabilities;
  if (input.clientUnsignedTrailer && length > 0) {
    if (policy.mode === 'unsigned-trailer' || (policy.mode === 'auto' && caps.has('unsigned-trailer'))) return 'chunked-passthrough';
  }
  if (input.clientHexHash && length > 0) return 'client-hash';
  if (length < 0) return 'spooled';
  switch (policy.mode) {
    case 'signed':
      return length <= policy.bufferLimit ? 'buffered' : 'spooled';
    case 'streaming':
      return 'streaming-signed';
    case 'unsigned':
      return 'unsigned';
    case 'unsigned-trailer':
      return 'unsigned-trailer';
    case 'auto':
      if (length <= policy.bufferLimit) return 'buffered';
      if (caps.has('aws-chunked')) return 'streaming-signed';
      if (caps.has('unsigned-payload')) return 'unsigned';
      return 'spooled';
  }
}

