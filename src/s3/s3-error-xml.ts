import { escapeXml, unescapeXml } from './xml-escape.js';

export interface S3ErrorBody {
  readonly code: string;
  readonly message: string;
  readonly resource?: string;
  readonly requestId?: string;
  /** Further elements, e.g. `{ BucketName: 'b' }`; names must be plain XML names. */
  readonly extra?: Readonly<Record<string, string>>;
}

const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';
const ELEMENT_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function element(name: string, text: string): string {
  return '<' + name + '>' + escapeXml(text) + '</' + name + '>';
}

/** The XML body S3 sends with an error: Code, Message, Resource, extra elements, RequestId. */
export function renderS3Error(body: S3ErrorBody): string {
  let xml = XML_DECL + '<Error>' + element('Code', body.code) + element('Message', body.message);
  if (body.resource !== undefined) xml += element('Resource', body.resource);
  if (body.extra) {
    for (const name in body.extra) {
      if (!ELEMENT_NAME.test(name)) throw new TypeError('not an XML element name: ' + JSON.stringify(name));
      xml += element(name, body.extra[name]!);
    }
  }
  if (body.requestId !== undefined) xml += element('RequestId', body.requestId);
  return xml + '</Error>';
}

/** An S3 error body read back; the known elements by name, every element in `fields`. */
export interface ParsedS3Error {
  code: string;
  message: string;
  region?: string;
  endpoint?: string;
  bucket?: string;
  resource?: string;
  awsAccessKeyId?: string;
  canonicalRequest?: string;
  stringToSign?: string;
  signatureProvided?: string;
  serverTime?: string;
  requestTime?: string;
  maxAllowedSkewMilliseconds?: string;
  requestId?: string;
  hostId?: string;
  /** Every child element of <Error>, by its XML name, unescaped. */
  fields: Record<string, string>;
}

const KNOWN: ReadonlyArray<readonly [string, keyof ParsedS3Error]> = [
  ['Region', 'region'], ['Endpoint', 'endpoint'], ['Bucket', 'bucket'], ['BucketName', 'bucket'],
  ['Resource', 'resource'], ['AWSAccessKeyId', 'awsAccessKeyId'], ['CanonicalRequest', 'canonicalRequest'],
  ['StringToSign', 'stringToSign'], ['SignatureProvided', 'signatureProvided'], ['ServerTime', 'serverTime'],
  ['RequestTime', 'requestTime'], ['MaxAllowedSkewMilliseconds', 'maxAllowedSkewMilliseconds'],
  ['RequestId', 'requestId'], ['HostId', 'hostId'],
];

function textOf(raw: string): string {
  if (raw.startsWith('<![CDATA[') && raw.endsWith(']]>')) return raw.slice(9, -3);
  return unescapeXml(raw);
}

/**
 * Reads the flat child elements of an S3 `<Error>` body. Tolerant on purpose: it scans for tags
 * rather than validating, skips nested elements, and returns null when there is no `<Error>`
 * with a `<Code>`.
 */
export function parseS3Error(body: string): ParsedS3Error | null {
  const start = body.indexOf('<Error>');
  if (start === -1) return null;
  const end = body.indexOf('</Error>', start);
  const inner = body.slice(start + 7, end === -1 ? body.length : end);
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  let i = 0;
  while (i < inner.length) {
    const open = inner.indexOf('<', i);
    if (open === -1) break;
    const close = inner.indexOf('>', open);
    if (close === -1) break;
    const tag = inner.slice(open + 1, close);
    if (tag.endsWith('/')) {
      const name = tag.slice(0, -1).trim();
      if (ELEMENT_NAME.test(name) && !(name in fields)) fields[name] = '';
      i = close + 1;
      continue;
    }
    if (!ELEMENT_NAME.test(tag)) {
      i = close + 1;
      continue;
    }
    const endTag = '</' + tag + '>';
    const stop = inner.indexOf(endTag, close + 1);
    if (stop === -1) break;
    const raw = inner.slice(close + 1, stop);
    // A nested element (not in S3 errors we know) is skipped whole rather than misread.
    if (!raw.includes('<') || raw.startsWith('<![CDATA[')) {
      if (!(tag in fields)) fields[tag] = textOf(raw);
    }
    i = stop + endTag.length;
  }
  const code = fields['Code'];
  if (code === undefined || code === '') return null;
  const parsed: ParsedS3Error = { code, message: fields['Message'] ?? '', fields };
  for (const [xmlName, key] of KNOWN) {
    const value = fields[xmlName];
    if (value !== undefined && parsed[key] === undefined) (parsed as unknown as Record<string, string>)[key] = value;
  }
  return parsed;
}
