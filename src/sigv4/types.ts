/** One consistent credential triple; a request is always signed with a single snapshot. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
  readonly expiration?: Date | undefined;
}

/**
 * A request in the shape the signer needs. `path` is the exact encoded path sent on the wire;
 * `query` holds decoded name/value pairs (a bare `?acl` is `['acl', '']`); `headers` maps
 * lower-case names to their value, repeated headers already joined with `,`.
 */
export interface SignableRequest {
  readonly method: string;
  readonly path: string;
  readonly query: ReadonlyArray<readonly [string, string]>;
  readonly headers: Readonly<Record<string, string>>;
}

export interface SigningScope {
  readonly region: string;
  readonly service: string;
}
