/**
 * The span attribute names signet sets: OpenTelemetry semantic conventions (HTTP server and
 * client spans, RPC, AWS S3) and a few `signet.*` of its own. No other file spells them out.
 */
export const HTTP_REQUEST_METHOD = 'http.request.method';
export const HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
export const HTTP_REQUEST_RESEND_COUNT = 'http.request.resend_count';
export const HTTP_REQUEST_BODY_SIZE = 'http.request.body.size';
export const HTTP_RESPONSE_BODY_SIZE = 'http.response.body.size';
export const URL_PATH = 'url.path';
export const URL_SCHEME = 'url.scheme';
export const SERVER_ADDRESS = 'server.address';
export const CLIENT_ADDRESS = 'client.address';
export const NETWORK_PROTOCOL_VERSION = 'network.protocol.version';
export const ERROR_TYPE = 'error.type';
export const RPC_SYSTEM = 'rpc.system';
export const RPC_SERVICE = 'rpc.service';
export const RPC_METHOD = 'rpc.method';
export const AWS_S3_BUCKET = 'aws.s3.bucket';
export const AWS_S3_KEY = 'aws.s3.key';
export const AWS_REQUEST_ID = 'aws.request_id';
export const AWS_EXTENDED_REQUEST_ID = 'aws.extended_request_id';
/** As the AWS SDK instrumentation (opentelemetry-js-contrib) sets it on its spans. */
export const AWS_REGION = 'aws.region';
export const SERVICE_NAME = 'service.name';
export const SERVICE_VERSION = 'service.version';

export const SIGNET_REQUEST_ID = 'signet.request_id';
export const SIGNET_PAYLOAD = 'signet.payload';
export const SIGNET_RETRIES = 'signet.retries';
/** Why an attempt was made: initial, region, clock-skew, throttled, 503, ECONNRESET… */
export const SIGNET_ATTEMPT_REASON = 'signet.attempt.reason';
export const SIGNET_BODY_BYTES = 'signet.body.bytes';

export const RPC_SYSTEM_AWS = 'aws-api';
export const RPC_SERVICE_S3 = 'S3';
/** Span names. */
export const SPAN_SPOOL = 'spool request body';
export const SPAN_BUFFER = 'buffer request body';
