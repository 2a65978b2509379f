import { randomBytes } from 'node:crypto';

export interface Issued {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  issuedAtMs: number;
  expiresAtMs: number;
}

/** Mints temporary credentials and remembers them, so a test can ask "was this triple valid at time t?". */
export class CredentialIssuer {
  readonly issued: Issued[] = [];
  readonly #byKey = new Map<string, Issued>();
  lifetimeMs: number;

  constructor(lifetimeMs = 60 * 60 * 1000) {
    this.lifetimeMs = lifetimeMs;
  }

  issue(nowMs = Date.now()): Issued {
    const n = this.issued.length + 1;
    const record: Issued = {
      accessKeyId: `ASIATEST${String(n).padStart(8, '0')}`,
      secretAccessKey: randomBytes(20).toString('base64'),
      sessionToken: randomBytes(32).toString('base64'),
      issuedAtMs: nowMs,
      expiresAtMs: nowMs + this.lifetimeMs,
    };
    this.issued.push(record);
    this.#byKey.set(record.accessKeyId, record);
    return record;
  }

  /** The credentials issued under this key id (the embedded S3's key store looks them up here). */
  find(accessKeyId: string): Issued | undefined {
    return this.#byKey.get(accessKeyId);
  }

  get last(): Issued | undefined {
    return this.issued.at(-1);
  }

  /** True when exactly this (key, secret, token) triple was issued and had not expired at `atMs`. */
  isValid(accessKeyId: string, secretAccessKey: string, sessionToken: string | undefined, atMs: number): boolean {
    const record = this.#byKey.get(accessKeyId);
    return (
      record !== undefined &&
      record.secretAccessKey === secretAccessKey &&
      record.sessionToken === sessionToken &&
      atMs >= record.issuedAtMs &&
      atMs < record.expiresAtMs
    );
  }
}
