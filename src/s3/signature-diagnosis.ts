import { redactHeaderValue, redactQueryString } from './redact.js';
import type { ParsedS3Error } from './s3-error-xml.js';

export type CanonicalSection = 'method' | 'path' | 'query' | 'header' | 'signed-headers' | 'payload';

export interface CanonicalDifference {
  /** 1-based line in S3's canonical request (in ours when S3 has no such line). */
  readonly line: number;
  readonly section: CanonicalSection;
  /** Redacted; '' when the side has no such line. */
  readonly ours: string;
  readonly theirs: string;
  /** The header name, for section 'header'. */
  readonly name?: string;
}

export interface SignatureDiagnosis {
  readonly summary: string;
  readonly differences: ReadonlyArray<CanonicalDifference>;
}

interface Sections {
  method: string;
  path: string;
  query: string;
  /** name → [value, 1-based line] */
  headers: Map<string, [string, number]>;
  signedHeaders: string;
  signedLine: number;
  payload: string;
}

/** Longest value shown in a summary sentence; canonical queries can be kilobytes. */
const MAX_SHOWN = 160;

// SigV4 canonical request: method, URI, query, header lines, a blank line, signed headers, payload hash.
function sections(canonicalRequest: string): Sections {
  const lines = canonicalRequest.replaceAll('\r\n', '\n').split('\n');
  const headers = new Map<string, [string, number]>();
  let i = 3;
  for (; i < lines.length && lines[i] !== ''; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    const name = colon === -1 ? line : line.slice(0, colon);
    if (!headers.has(name)) headers.set(name, [colon === -1 ? '' : line.slice(colon + 1), i + 1]);
  }
  return {
    method: lines[0] ?? '',
    path: lines[1] ?? '',
    query: lines[2] ?? '',
    headers,
    signedHeaders: lines[i + 1] ?? '',
    signedLine: i + 2,
    payload: lines[i + 2] ?? '',
  };
}

function shown(value: string): string {
  return "'" + (value.length > MAX_SHOWN ? value.slice(0, MAX_SHOWN) + '…' : value) + "'";
}

function compare(ours: Sections, theirs: Sections): CanonicalDifference[] {
  const out: CanonicalDifference[] = [];
  if (ours.method !== theirs.method) out.push({ line: 1, section: 'method', ours: ours.method, theirs: theirs.method });
  if (ours.path !== theirs.path) out.push({ line: 2, section: 'path', ours: ours.path, theirs: theirs.path });
  if (ours.query !== theirs.query) {
    out.push({ line: 3, section: 'query', ours: redactQueryString(ours.query), theirs: redactQueryString(theirs.query) });
  }
  const names = new Set([...ours.headers.keys(), ...theirs.headers.keys()]);
  for (const name of [...names].sort()) {
    const o = ours.headers.get(name);
    const t = theirs.headers.get(name);
    if (o && t && o[0] === t[0]) continue;
    out.push({
      line: t ? t[1] : o![1],
      section: 'header',
      name,
      ours: o ? redactHeaderValue(name, o[0]) : '',
      theirs: t ? redactHeaderValue(name, t[0]) : '',
    });
  }
  if (ours.signedHeaders !== theirs.signedHeaders) {
    out.push({ line: theirs.signedLine, section: 'signed-headers', ours: ours.signedHeaders, theirs: theirs.signedHeaders });
  }
  if (ours.payload !== theirs.payload) {
    out.push({ line: theirs.signedLine + 1, section: 'payload', ours: ours.payload, theirs: theirs.payload });
  }
  return out;
}

function sentence(d: CanonicalDifference, ours: Sections, theirs: Sections): string {
  if (d.section === 'header') {
    if (!ours.headers.has(d.name!)) return `S3 saw header '${d.name}' that signet did not sign`;
    if (!theirs.headers.has(d.name!)) return `signet signed header '${d.name}' that S3 did not see`;
    return `header ${d.name} differs: ours ${shown(d.ours)} vs S3 ${shown(d.theirs)}`;
  }
  const label = { method: 'method', path: 'canonical URI', query: 'canonical query', 'signed-headers': 'signed headers', payload: 'payload hash' }[d.section];
  return `${label} differs: ours ${shown(d.ours)} vs S3 ${shown(d.theirs)}`;
}

// String to sign: algorithm, request date, credential scope, hex SHA-256 of the canonical request.
function compareStringToSign(ours: string, theirs: string): string {
  const o = ours.replaceAll('\r\n', '\n').split('\n');
  const t = theirs.replaceAll('\r\n', '\n').split('\n');
  if (ours === theirs) {
    return 'canonical request and string-to-sign match S3\'s → the signing key differs (wrong secret key, or a session token of other credentials)';
  }
  const differing: number[] = [];
  for (let i = 0; i < Math.max(o.length, t.length); i++) if (o[i] !== t[i]) differing.push(i);
  if (differing.every((i) => i === 1 || i === 2)) {
    const parts = differing.map((i) => `ours ${shown(o[i] ?? '')} vs S3 ${shown(t[i] ?? '')}`);
    return `string-to-sign differs only in date/scope → clock or region: ${parts.join('; ')}`;
  }
  if (differing.length === 1 && differing[0] === 3) {
    return 'string-to-sign differs only in the canonical-request hash although the canonical requests read the same → invisible characters (whitespace, encoding)';
  }
  return `string-to-sign differs on line ${differing.map((i) => i + 1).join(', ')}: ours ${shown(o[differing[0]!] ?? '')} vs S3 ${shown(t[differing[0]!] ?? '')}`;
}

/**
 * Compares signet's canonical request and string to sign with those S3 returned in a
 * SignatureDoesNotMatch body, and names the first difference in one sentence. Every value shown
 * is redacted (session tokens, signatures, the key id of a credential).
 */
export function diagnoseSignatureMismatch(
  ours: { readonly canonicalRequest: string; readonly stringToSign: string },
  theirs: ParsedS3Error,
): SignatureDiagnosis {
  if (theirs.canonicalRequest === undefined) {
    if (theirs.stringToSign === undefined) {
      return { summary: 'S3 sent no CanonicalRequest or StringToSign to compare with', differences: [] };
    }
    return { summary: compareStringToSign(ours.stringToSign, theirs.stringToSign), differences: [] };
  }
  const o = sections(ours.canonicalRequest);
  const t = sections(theirs.canonicalRequest);
  const differences = compare(o, t);
  if (differences.length === 0) {
    const summary = theirs.stringToSign === undefined
      ? 'canonical requests match; S3 sent no StringToSign to compare with'
      : compareStringToSign(ours.stringToSign, theirs.stringToSign);
    return { summary, differences };
  }
  let summary = sentence(differences[0]!, o, t);
  if (differences.length > 1) summary += ` (and ${differences.length - 1} more difference${differences.length > 2 ? 's' : ''})`;
  return { summary, differences };
}
