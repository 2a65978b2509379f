/**
 * The one table of errors a client can see. Each carries the S3 error `code`, the HTTP `status`,
 * a message safe for clients, and an internal `reason` for logs and metrics (never secrets).
 * `sendS3Error()` in proxy/respond.ts is the only place that turns one into a response.
 */
const BRAND = Symbol.for('signet.SignetError');

export interface S3ErrorSpec {
  readonly code: string;
  readonly status: number;
  readonly message: string;
}

export const S3_ERRORS = {
  AccessDenied: { code: 'AccessDenied', status: 403, message: 'Access Denied' },
  SignatureDoesNotMatch: {
    code: 'SignatureDoesNotMatch',
    status: 403,
    message: 'The request signature we calculated does not match the signature you provided.',
  },
  InvalidAccessKeyId: {
    code: 'InvalidAccessKeyId',
    status: 403,
    message: 'The AWS access key Id you provided does not exist in our records.',
  },
  AuthorizationHeaderMalformed: {
    code: 'AuthorizationHeaderMalformed',
    status: 400,
    message: 'The authorization header is malformed.',
  },
  AuthorizationQueryParametersError: {
    code: 'AuthorizationQueryParametersError',
    status: 400,
    message: 'Error parsing the X-Amz-Credential parameter.',
  },
  InvalidArgument: { code: 'InvalidArgument', status: 400, message: 'Invalid Argument' },
  InvalidRequest: { code: 'InvalidRequest', status: 400, message: 'Invalid Request' },
  InvalidURI: { code: 'InvalidURI', status: 400, message: "Couldn't parse the specified URI." },
  IncompleteBody: {
    code: 'IncompleteBody',
    status: 400,
    message: 'You did not provide the number of bytes specified by the Content-Length HTTP header.',
  },
  InvalidChunkedEncoding: {
    code: 'InvalidRequest',
    status: 400,
    message: 'The aws-chunked request body is malformed.',
  },
  MalformedXML: {
    code: 'MalformedXML',
    status: 400,
    message: 'The XML you provided was not well-formed or did not validate against our published schema.',
  },
  InvalidDigest: { code: 'InvalidDigest', status: 400, message: 'The Content-MD5 you specified was invalid.' },
  BadDigest: { code: 'BadDigest', status: 400, message: 'The checksum you specified did not match what we received.' },
  XAmzContentSHA256Mismatch: {
    code: 'XAmzContentSHA256Mismatch',
    status: 400,
    message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
  },
  EntityTooLarge: {
    code: 'EntityTooLarge',
    status: 413,
    message: 'Your proposed upload exceeds the maximum allowed size.',
  },
  MissingContentLength: {
    code: 'MissingContentLength',
    status: 411,
    message: 'You must provide the Content-Length HTTP header.',
  },
  MethodNotAllowed: {
    code: 'MethodNotAllowed',
    status: 405,
    message: 'The specified method is not allowed against this resource.',
  },
  RequestTimeout: {
    code: 'RequestTimeout',
    status: 400,
    message: 'Your socket connection to the server was not read from or written to within the timeout period.',
  },
  SlowDown: { code: 'SlowDown', status: 503, message: 'Please reduce your request rate.' },
  ServiceUnavailable: { code: 'ServiceUnavailable', status: 503, message: 'Service is unable to handle request.' },
  CredentialsUnavailable: {
    code: 'ServiceUnavailable',
    status: 503,
    message: 'signet holds no valid AWS credentials; see the signet log for the credential source error.',
  },
  SpoolUnavailable: {
    code: 'ServiceUnavailable',
    status: 503,
    message: 'signet could not write the temporary file this upload needs (--spool-dir is missing, read-only or full). Please try again.',
  },
  BadGateway: { code: 'BadGateway', status: 502, message: 'The upstream S3 endpoint failed to answer.' },
  GatewayTimeout: { code: 'GatewayTimeout', status: 504, message: 'The upstream S3 endpoint did not answer in time.' },
  NoSuchEndpoint: { code: 'NotFound', status: 404, message: 'signet has no endpoint at this path.' },
  // Gateway routes (README "Routes"): never a default upstream unless a route is configured to match everything.
  NoSuchRoute: { code: 'NotFound', status: 404, message: 'No route of this signet gateway serves this request (bucket, Host or path).' },
  MalformedPOSTRequest: {
    code: 'MalformedPOSTRequest',
    status: 400,
    message: 'The body of your POST request is not well-formed multipart/form-data.',
  },
  NotImplemented: {
    code: 'NotImplemented',
    status: 501,
    message: 'A header you provided implies functionality that is not implemented.',
  },
  // Never sent (nobody is left to read it): the access log's and the metrics' name for a client
  // that hung up before its response was complete — nginx's 499, so it is never counted a 5xx.
  ClientClosedRequest: {
    code: 'ClientClosedRequest',
    status: 499,
    message: 'The client closed the connection before the response was complete.',
  },
  InternalError: {
    code: 'InternalError',
    status: 500,
    message: 'We encountered an internal error. Please try again.',
  },
} as const satisfies Record<string, S3ErrorSpec>;

export type S3ErrorName = keyof typeof S3_ERRORS;

export class SignetError extends Error {
  readonly code: string;
  readonly status: number;
  /** Internal reason for logs and metrics; never shown to clients, never contains secrets. */
  readonly reason: string;
  /** Extra elements of the S3 error body, as S3 sends them (`HeadersNotSigned`, `Region`…). */
  readonly details: Readonly<Record<string, string>> | undefined;
  /** Seconds for the Retry-After header of a 503 (SlowDown, ServiceUnavailable); 1 when not given. */
  readonly retryAfter: number;
  constructor(name: S3ErrorName, reason: string, message?: string, details?: Readonly<Record<string, string>>, retryAfter = 1) {
    const spec: S3ErrorSpec = S3_ERRORS[name];
    super(message ?? spec.message);
    this.name = 'SignetError';
    this.code = spec.code;
    this.status = spec.status;
    this.reason = reason;
    this.details = details;
    this.retryAfter = retryAfter;
  }
  get [BRAND](): true {
    return true;
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

/**
 * undici error codes → the S3 error a client sees. Connect failures are 502 BadGateway (the
 * upstream never answered), timeouts 504.
 */
export const UPSTREAM_ERROR_MAP: Readonly<Record<string, S3ErrorName>> = {
  UND_ERR_CONNECT_TIMEOUT: 'GatewayTimeout',
  UND_ERR_HEADERS_TIMEOUT: 'GatewayTimeout',
  UND_ERR_BODY_TIMEOUT: 'GatewayTimeout',
  UND_ERR_SOCKET: 'BadGateway',
  UND_ERR_CLOSED: 'BadGateway',
  // The upstream broke HTTP: a head past undici's limit, a body that is not its Content-Length.
  UND_ERR_HEADERS_OVERFLOW: 'BadGateway',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'BadGateway',
  UND_ERR_RES_EXCEEDED_MAX_SIZE: 'BadGateway',
  ECONNREFUSED: 'BadGateway',
  ECONNRESET: 'BadGateway',
  EPIPE: 'BadGateway',
  ENOTFOUND: 'BadGateway',
  EAI_AGAIN: 'BadGateway',
  EHOSTUNREACH: 'BadGateway',
  ENETUNREACH: 'BadGateway',
  ETIMEDOUT: 'GatewayTimeout',
  CERT_HAS_EXPIRED: 'BadGateway',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'BadGateway',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'BadGateway',
  SELF_SIGNED_CERT_IN_CHAIN: 'BadGateway',
};

/** Pure-layer (src/sigv4) error codes → what the client is told. */
export const SIGV4_ERROR_MAP: Readonly<Record<string, S3ErrorName>> = {
  SIGV4_CHUNK_MALFORMED: 'InvalidChunkedEncoding',
  SIGV4_CHUNK_TOO_LARGE: 'InvalidChunkedEncoding',
  SIGV4_CHUNK_TRUNCATED: 'IncompleteBody',
  SIGV4_CHUNK_LENGTH: 'IncompleteBody',
  SIGV4_CHUNK_SIGNATURE: 'SignatureDoesNotMatch',
  SIGV4_CHECKSUM_MISMATCH: 'BadDigest',
  SIGV4_V2_MALFORMED: 'AccessDenied',
  SIGV4_V2_SIGNATURE: 'SignatureDoesNotMatch',
  SIGV4_V2_EXPIRED: 'AccessDenied',
  SIGV4_INVALID_INPUT: 'InvalidRequest',
  SIGV4_PRESIGN_EXPIRES: 'InvalidArgument',
};

/** Turns anything thrown into a SignetError; unknown errors become InternalError (500). */
export function toSignetError(err: unknown): SignetError {
  if (err instanceof SignetError) return err;
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (typeof code === 'string') {
    const sigv4 = SIGV4_ERROR_MAP[code];
    if (sigv4 !== undefined) return new SignetError(sigv4, `${code}: ${(err as Error).message}`);
    const name = UPSTREAM_ERROR_MAP[code];
    if (name !== undefined) return new SignetError(name, `upstream: ${code}`);
  }
  // undici's HTTPParserError: llhttp refused what the upstream sent. Matched by its class name, not
  // its HPE_ code: undici leaves the code out for some (an invalid header value character), and
  // Node's own parser, which reads clients, uses the same codes.
  if (err instanceof Error && err.name === 'HTTPParserError') return new SignetError('BadGateway', `upstream: ${err.message}`);
  return new SignetError('InternalError', err instanceof Error ? `${err.name}: ${err.message}` : 'unknown error');
}
