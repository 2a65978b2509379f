import { createHmac, timingSafeEqual } from 'node:crypto';
import type { DemoError} from './demo-error.js';
import { accessDenied, invalidArgument } from './demo-error.js';

/**
 * POST Object authentication as S3 documents it, written independently of signet's minting code:
 * the signing key chain by hand with node:crypto, the policy parsed from its base64 form, every
 * condition evaluated, every form field required to be covered by one.
 */

/** Form fields S3 never requires a condition for. */
const EXEMPT = new Set(['policy', 'x-amz-signature', 'file']);
const CREDENTIAL = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/;
const AMZ_DATE = /^(\d{8})T\d{6}Z$/;

export interface PostCredential {
  accessKeyId: string;
  shortDate: string;
  region: string;
  service: string;
}

export interface SizeRange {
  min: number;
  max: number;
}

const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

function policyFailed(detail: string): DemoError {
  return accessDenied(`Invalid according to Policy: ${detail}`);
}

export function required(fields: ReadonlyMap<string, string>, name: string): string {
  const v = fields.get(name);
  if (v === undefined || v === '') throw invalidArgument(`Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`, name, '');
  return v;
}

export function parseCredential(fields: ReadonlyMap<string, string>): PostCredential {
  if (required(fields, 'x-amz-algorithm') !== 'AWS4-HMAC-SHA256') throw invalidArgument('Unsupported x-amz-algorithm', 'x-amz-algorithm', fields.get('x-amz-algorithm'));
  const credential = required(fields, 'x-amz-credential');
  const m = CREDENTIAL.exec(credential);
  if (m === null) throw invalidArgument('Invalid x-amz-credential', 'x-amz-credential', credential);
  const date = AMZ_DATE.exec(required(fields, 'x-amz-date'));
  if (date === null || date[1] !== m[2]) throw invalidArgument('x-amz-date must be YYYYMMDDTHHMMSSZ on the day of x-amz-credential', 'x-amz-date', fields.get('x-amz-date'));
  return { accessKeyId: m[1]!, shortDate: m[2]!, region: m[3]!, service: m[4]! };
}

/** HMAC-SHA256 of the base64 policy under kSigning, compared in constant time. */
export function signatureMatches(fields: ReadonlyMap<string, string>, c: PostCredential, secret: string): boolean {
  const key = hmac(hmac(hmac(hmac('AWS4' + secret, c.shortDate), c.region), c.service), 'aws4_request');
  const expected = Buffer.from(createHmac('sha256', key).update(required(fields, 'policy'), 'utf8').digest('hex'), 'latin1');
  const given = Buffer.from(required(fields, 'x-amz-signature').toLowerCase(), 'latin1');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function fieldOf(ref: unknown): string {
  if (typeof ref !== 'string' || !ref.startsWith('$')) throw invalidArgument('Invalid Policy: Invalid condition field reference', 'policy', String(ref));
  return ref.slice(1).toLowerCase();
}

/**
 * Checks expiration and every condition against the fields (names lower case) and the bucket;
 * returns the content-length-range to enforce while the file streams.
 */
export function checkPolicy(fields: ReadonlyMap<string, string>, bucket: string, now: number): SizeRange {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(required(fields, 'policy'), 'base64').toString('utf8'));
  } catch {
    throw invalidArgument('Invalid Policy: Invalid JSON.', 'policy', '');
  }
  if (typeof doc !== 'object' || doc === null) throw invalidArgument('Invalid Policy: not an object.', 'policy', '');
  const { expiration, conditions } = doc as { expiration?: unknown; conditions?: unknown };
  const expires = typeof expiration === 'string' ? Date.parse(expiration) : Number.NaN;
  if (Number.isNaN(expires)) throw invalidArgument('Invalid Policy: Invalid \'expiration\' value.', 'policy', '');
  if (expires <= now) throw policyFailed('Policy expired.');
  if (!Array.isArray(conditions)) throw invalidArgument('Invalid Policy: Invalid \'conditions\' value.', 'policy', '');
  const covered = new Set<string>();
  const range: SizeRange = { min: 0, max: Number.MAX_SAFE_INTEGER };
  const value = (name: string): string | undefined => (name === 'bucket' ? bucket : fields.get(name));
  for (const c of conditions as unknown[]) {
    const shown = JSON.stringify(c);
    if (Array.isArray(c)) {
      const [op, a, b] = c as unknown[];
      if (op === 'content-length-range') {
        if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b)) throw invalidArgument('Invalid Policy: Invalid content-length-range.', 'policy', shown);
        range.min = Math.max(range.min, a as number);
        range.max = Math.min(range.max, b as number);
        continue;
      }
      const name = fieldOf(a);
      if (typeof b !== 'string' || (op !== 'eq' && op !== 'starts-with')) throw invalidArgument(`Invalid Policy: Invalid condition ${shown}`, 'policy', shown);
      covered.add(name);
      const v = value(name);
      const ok = op === 'eq' ? v === b : (v ?? '').startsWith(b);
      if (!ok) throw policyFailed(`Policy Condition failed: ${shown}`);
    } else if (typeof c === 'object' && c !== null) {
      const entries = Object.entries(c);
      if (entries.length !== 1 || typeof entries[0]![1] !== 'string') throw invalidArgument(`Invalid Policy: Invalid condition ${shown}`, 'policy', shown);
      const [rawName, expected] = entries[0] as [string, string];
      const name = rawName.toLowerCase();
      covered.add(name);
      if (value(name) !== expected) throw policyFailed(`Policy Condition failed: ["eq", "$${rawName}", ${JSON.stringify(expected)}]`);
    } else {
      throw invalidArgument(`Invalid Policy: Invalid condition ${shown}`, 'policy', shown);
    }
  }
  const extra = [...fields.keys()].filter((n) => !EXEMPT.has(n) && !n.startsWith('x-ignore-') && !covered.has(n));
  if (extra.length > 0) throw policyFailed(`Extra input fields: ${extra.join(', ')}`);
  return range;
}
