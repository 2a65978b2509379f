/** The validated, frozen configuration of `signet serve`: durations in ms, sizes in bytes. */
import type { ListenAddress } from './listen-address.js';
import type { RouteConfig } from './route-config.js';
import type { ADDRESSING_MODES, HASH_OFFLOAD_MODES, LOG_LEVELS, MULTIPART_MODES, PAYLOAD_MODES, SIGNING_ALGORITHMS } from './settings.js';
import type { TracingSettings } from './tracing-env.js';
import type { Capability, UpstreamTarget } from './upstream.js';

export type LogLevel = (typeof LOG_LEVELS)[number];
export type AddressingMode = (typeof ADDRESSING_MODES)[number];
export type PayloadMode = (typeof PAYLOAD_MODES)[number];
export type MultipartMode = (typeof MULTIPART_MODES)[number];
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];
export type HashOffloadMode = (typeof HASH_OFFLOAD_MODES)[number];

export interface Config {
  readonly listen: ListenAddress;
  /** null when `--admin-listen off`. */
  readonly adminListen: ListenAddress | null;
  readonly region: string;
  readonly upstream: UpstreamTarget;
  readonly service: string;
  readonly signingAlgorithm: SigningAlgorithm;
  /** SigV4A: the regions signed for (`*` for all); [region] by default; empty with sigv4. */
  readonly regionSet: readonly string[];
  readonly addressing: AddressingMode;
  /**
   * Inbound virtual-hosted style: a client Host `<bucket>.<suffix>` names the bucket (never the
   * upstream). Lower case, without dots at the ends; empty when `none`.
   */
  readonly virtualHostSuffixes: readonly string[];
  readonly payload: PayloadMode;
  /** Resolved: the flag's list, or all for Amazon endpoints and none otherwise. Read-only. */
  readonly upstreamCapabilities: ReadonlySet<Capability>;
  readonly bufferLimit: number;
  readonly spoolDir: string;
  readonly spoolMemory: number;
  readonly maxSpool: number;
  readonly chunkSize: number;
  readonly hashOffload: HashOffloadMode;
  readonly multipart: MultipartMode;
  /** Known-length PutObjects above this many bytes go multipart. */
  readonly multipartThreshold: number;
  readonly partSize: number;
  readonly multipartConcurrency: number;
  readonly profile: string | undefined;
  readonly roleArn: string | undefined;
  readonly externalId: string | undefined;
  readonly roleSessionName: string;
  readonly roleDuration: number;
  readonly credentialsRefreshMargin: number;
  readonly connectTimeout: number;
  readonly headersTimeout: number;
  readonly bodyTimeout: number;
  readonly maxRetries: number;
  readonly logLevel: LogLevel;
  readonly shutdownGrace: number;
  /** Processes serving the proxy listener, `auto` already resolved; 1: no cluster. */
  readonly workers: number;
  readonly tlsCert: string | undefined;
  readonly tlsKey: string | undefined;
  readonly upstreamCa: string | undefined;
  readonly upstreamInsecure: boolean;
  readonly maxHeaderSize: number;
  readonly maxConcurrent: number;
  readonly clientHeaderTimeout: number;
  readonly clientIdleTimeout: number;
  /** Longest silence between two reads of a request body, in ms; 0: off. */
  readonly clientBodyTimeout: number;
  /** Most client connections at once; 0: unlimited. */
  readonly maxConnections: number;
  readonly inboundKeys: string | undefined;
  /** null when tracing is off (no --tracing, or OTEL_SDK_DISABLED / OTEL_TRACES_EXPORTER=none). */
  readonly tracing: TracingSettings | null;
  /** Opt-in to an unauthenticated proxy on a non-loopback address (warned at start and in /readyz). */
  readonly allowUnauthenticated: boolean;
  readonly configFile: string | undefined;
  /** Gateway routes from the `routes:` list of --config; null: one implicit route from the settings above. */
  readonly routes: readonly RouteConfig[] | null;
}
