/**
 * The one table of `signet serve` settings. Made at load time, it drives the flag parser, the
 * SIGNET_* environment, config-file keys, validation and `--help`. Defaults are written as a user
 * would type them and go through the same validation as user input.
 */
export type SettingKind =
  | 'address' // host:port
  | 'address-or-off' // host:port, or `off`
  | 'string'
  | 'region'
  | 'url'
  | 'enum'
  | 'capabilities'
  | 'size'
  | 'duration'
  | 'int'
  | 'int-or-auto' // a whole number, or `auto` (kept as the text; the loader resolves it)
  | 'bool'
  | 'path' // any path, not checked
  | 'directory' // must exist and be a directory
  | 'file' // must exist and be readable
  | 'role-arn'
  | 'session-name';

export interface Setting {
  /** kebab-case, without the dashes: `buffer-limit`. */
  readonly flag: string;
  /** The camelCase field of Config: `bufferLimit`. */
  readonly key: string;
  /** `SIGNET_BUFFER_LIMIT`. */
  readonly env: string;
  readonly kind: SettingKind;
  /** For --help: `SIZE`, `HOST:PORT`… */
  readonly metavar: string;
  readonly help: string;
  readonly default?: string;
  /** Shown in --help when the default is computed (region from AWS_REGION, spool dir…). */
  readonly defaultText?: string;
  readonly choices?: readonly string[];
  /** Bounds, written like a value of this setting (`8KiB`, `15m`, `10`). */
  readonly min?: string;
  readonly max?: string;
  /** Standard AWS variables read after the config file, in order. */
  readonly fallbackEnv?: readonly string[];
}

type Extra = Omit<Setting, 'flag' | 'key' | 'env' | 'kind' | 'metavar' | 'help'> & { key?: string };

const METAVAR: Readonly<Record<SettingKind, string>> = {
  address: 'HOST:PORT',
  'address-or-off': 'HOST:PORT|off',
  string: 'TEXT',
  region: 'REGION',
  url: 'URL',
  enum: 'CHOICE',
  capabilities: 'LIST',
  size: 'SIZE',
  duration: 'DURATION',
  int: 'N',
  'int-or-auto': 'N|auto',
  bool: '',
  path: 'PATH',
  directory: 'DIR',
  file: 'FILE',
  'role-arn': 'ARN',
  'session-name': 'NAME',
};

export function camelCase(flag: string): string {
  return flag.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export function envName(flag: string): string {
  return `SIGNET_${flag.replace(/-/g, '_').toUpperCase()}`;
}

function setting(flag: string, kind: SettingKind, help: string, extra: Extra = {}): Setting {
  const { key, ...rest } = extra;
  const metavar = kind === 'enum' && rest.choices ? rest.choices.join('|') : METAVAR[kind];
  return Object.freeze({ flag, key: key ?? camelCase(flag), env: envName(flag), kind, metavar, help, ...rest });
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const ADDRESSING_MODES = ['path', 'virtual', 'auto'] as const;
export const PAYLOAD_MODES = ['auto', 'signed', 'streaming', 'unsigned', 'unsigned-trailer'] as const;
export const MULTIPART_MODES = ['auto', 'off'] as const;
export const SIGNING_ALGORITHMS = ['sigv4', 'sigv4a'] as const;
export const HASH_OFFLOAD_MODES = ['auto', 'on', 'off'] as const;

export const SETTINGS: readonly Setting[] = Object.freeze([
  setting('listen', 'address', 'Address of the proxy listener.', { default: '127.0.0.1:8080' }),
  setting('admin-listen', 'address-or-off', 'Address of /metrics, /healthz and /readyz; off disables it.', {
    default: '127.0.0.1:9090',
  }),
  setting('region', 'region', 'AWS region to sign for (required).', {
    fallbackEnv: ['AWS_REGION', 'AWS_DEFAULT_REGION'],
    defaultText: 'AWS_REGION, then AWS_DEFAULT_REGION',
  }),
  setting('upstream', 'url', 'S3 endpoint to forward to: http(s)://host[:port], no path.', {
    defaultText: 'https://s3.<region>.amazonaws.com',
  }),
  setting('service', 'string', 'Service name in the signing scope: s3 (S3 rules), or any other SigV4 service (es, aoss, execute-api, lambda, bedrock…: generic rules, no buckets).', { default: 's3' }),
  setting('signing-algorithm', 'enum', 'sigv4 (AWS4-HMAC-SHA256) or sigv4a (AWS4-ECDSA-P256-SHA256, for S3 Multi-Region Access Points).', {
    default: 'sigv4',
    choices: SIGNING_ALGORITHMS,
  }),
  setting('region-set', 'string', 'Regions a SigV4A signature is good for: comma-separated region names (us-*, a prefix), or * for all (needs --signing-algorithm sigv4a).', {
    defaultText: 'the --region',
  }),
  setting('addressing', 'enum', 'Bucket addressing towards the upstream.', {
    default: 'auto',
    choices: ADDRESSING_MODES,
  }),
  setting('virtual-host-suffix', 'string', 'Host names under which clients name the bucket in the Host header (virtual-hosted style, e.g. my-bucket.localhost:8080); comma-separated, or none.', {
    default: 'localhost',
    key: 'virtualHostSuffixes',
  }),
  setting('payload', 'enum', 'How request bodies are signed; auto picks per request.', {
    default: 'auto',
    choices: PAYLOAD_MODES,
  }),
  setting('upstream-capabilities', 'capabilities', 'Payload forms the upstream accepts: a list of aws-chunked, unsigned-trailer, unsigned-payload, or all / none.', {
    defaultText: 'all for *.amazonaws.com, none otherwise',
  }),
  setting('buffer-limit', 'size', 'Largest body of known length that is buffered and hashed whole.', {
    default: '1MiB',
  }),
  setting('spool-dir', 'directory', 'Directory for temporary spool files.', { defaultText: 'the OS temp dir' }),
  setting('spool-memory', 'size', 'Part of a spool kept in memory before it goes to a temp file.', {
    default: '1MiB',
  }),
  setting('max-spool', 'size', 'Largest body of unknown length accepted.', { default: '5GiB', min: '1' }),
  setting('chunk-size', 'size', 'aws-chunked chunk size (S3 needs at least 8KiB).', {
    default: '64KiB',
    min: '8KiB',
    max: '64MiB',
  }),
  // Off by default: on the 2-vCPU machines measured so far the thread did not make signed uploads
  // faster (forced on it made them slower), and it costs every sidecar ~9 MiB and a thread (bench/RESULTS.md).
  setting('hash-offload', 'enum', 'Signed streaming uploads hash their chunks on worker threads where a CPU is spare beside the event loop and idle (auto), wherever a CPU is spare (on), or always on the event loop (off).', {
    default: 'off',
    choices: HASH_OFFLOAD_MODES,
  }),
  setting('multipart', 'enum', 'PutObjects of unknown length or over --multipart-threshold become streamed multipart uploads (auto), or are spooled / sent whole as before (off).', {
    default: 'auto',
    choices: MULTIPART_MODES,
  }),
  setting('multipart-threshold', 'size', 'Known-length PutObjects larger than this go multipart (S3 refuses a single PUT over 5GiB).', {
    default: '5GiB',
  }),
  setting('part-size', 'size', 'Multipart part size; grown for large known lengths, doubled every 1000 parts for unknown ones, so 10000 parts reach 5TiB.', {
    default: '8MiB',
    min: '8MiB',
    max: '5GiB',
  }),
  setting('multipart-concurrency', 'int', 'Parts of one upload sent at a time; memory per upload is part size x (this + 1).', {
    default: '4',
    min: '1',
    max: '64',
  }),
  setting('profile', 'string', 'Shared config/credentials profile.', {
    fallbackEnv: ['AWS_PROFILE'],
    defaultText: 'AWS_PROFILE',
  }),
  setting('role-arn', 'role-arn', 'IAM role to assume on top of the base credentials.'),
  setting('external-id', 'string', 'External id for AssumeRole (needs --role-arn).'),
  setting('role-session-name', 'session-name', 'Session name for AssumeRole.', { default: 'signet' }),
  setting('role-duration', 'duration', 'Lifetime of assumed-role sessions.', { default: '1h', min: '15m', max: '12h' }),
  setting('credentials-refresh-margin', 'duration', 'Refresh credentials this long before they expire.', {
    default: '5m',
    min: '1s',
  }),
  setting('connect-timeout', 'duration', 'Timeout to connect to the upstream.', { default: '5s', min: '1ms' }),
  setting('headers-timeout', 'duration', 'Timeout for upstream response headers.', { default: '60s', min: '1ms' }),
  setting('body-timeout', 'duration', 'Idle timeout between upstream body chunks.', { default: '60s', min: '1ms' }),
  setting('max-retries', 'int', 'Retries of a replayable request after a retryable failure.', {
    default: '2',
    min: '0',
    max: '10',
  }),
  setting('log-level', 'enum', 'Log level.', { default: 'info', choices: LOG_LEVELS }),
  setting('workers', 'int-or-auto', 'Processes serving the proxy listener (node:cluster); 1 is one process, auto one per available CPU. With more than 1, a primary process holds the credentials and the admin port.', {
    default: '1',
    min: '1',
    max: '256',
  }),
  setting('shutdown-grace', 'duration', 'Time in-flight requests get to finish on SIGTERM.', { default: '25s' }),
  setting('tls-cert', 'file', 'PEM certificate for the proxy listener (with --tls-key).'),
  setting('tls-key', 'file', 'PEM private key for the proxy listener (with --tls-cert).'),
  setting('upstream-ca', 'file', 'PEM CA bundle trusted for the upstream.'),
  setting('upstream-insecure', 'bool', 'Do not verify the upstream TLS certificate (testing only).', {
    default: 'false',
  }),
  setting('max-header-size', 'size', 'Largest request header block from clients.', {
    default: '16KiB',
    min: '1KiB',
    max: '1MiB',
  }),
  setting('max-concurrent', 'int', 'Most requests in flight; more get 503 SlowDown.', { default: '1024', min: '1' }),
  setting('client-header-timeout', 'duration', 'Time a client gets to send its request headers.', {
    default: '30s',
    min: '1ms',
  }),
  setting('client-idle-timeout', 'duration', 'Keep-alive idle time of client connections.', {
    default: '60s',
    min: '1ms',
  }),
  setting('client-body-timeout', 'duration', 'Longest gap between two reads of a request body; a client silent that long is answered 400 RequestTimeout and disconnected (0: off).', {
    default: '60s',
  }),
  setting('max-connections', 'int', 'Most client connections open at once; more are closed as they arrive (0: unlimited).', {
    default: '4096',
  }),
  setting('tracing', 'bool', 'Export OpenTelemetry traces over OTLP/HTTP, configured by the standard OTEL_* variables.', {
    default: 'false',
    key: 'tracingEnabled',
  }),
  setting('trace-keys', 'bool', 'Put object keys on spans (aws.s3.key, url.path); off because keys can be personal data.', {
    default: 'false',
  }),
  setting('inbound-keys', 'file', 'File of "ACCESS_KEY_ID SECRET" lines (# comments): clients must sign with one (gateway mode).'),
  setting('allow-unauthenticated', 'bool', 'Listen on a non-loopback --listen without --inbound-keys (an open proxy: anyone who reaches the port borrows the IAM identity).', {
    default: 'false',
  }),
  setting('config', 'file', 'YAML or JSON file of settings (keys are flag names), and the gateway\'s routes: list (README "Routes").', { key: 'configFile' }),
]);

/** Lookup by flag name, made once. */
export function indexSettings(table: readonly Setting[]): ReadonlyMap<string, Setting> {
  return new Map(table.map((s) => [s.flag, s]));
}
