/**
 * The `<Delete>` body of DeleteObjects (POST /bucket?delete), read only to learn which keys (and
 * versions) it deletes, so each can be checked against a client's policy. signet forwards the
 * bytes as they are; what matters is that it reads the same keys S3 will. So the reader is strict
 * where a looser one could disagree with S3's: no DOCTYPE (hence no entity expansion), no
 * processing instruction but the leading declaration, no namespace prefixes, no attribute but
 * `xmlns` on `<Delete>`, no unknown element, exactly one `<Key>` per `<Object>`; text is unescaped
 * (the five entities, character references, CDATA) and line ends normalised as XML 1.0 §2.11
 * says. Anything else is MalformedXML, which S3 would most likely answer too. Pure; linear time.
 */
export interface DeleteEntry {
  readonly key: string;
  /** '' when the entry names no version. */
  readonly versionId: string;
}

/** S3's own limit per request. */
export const MAX_DELETE_OBJECTS = 1000;

export class DeleteObjectsXmlError extends Error {
  override readonly name = 'DeleteObjectsXmlError';
}

/** Elements an `<Object>` may hold: the key, its version, and the conditions of a conditional delete. */
const OBJECT_FIELDS: ReadonlySet<string> = new Set(['Key', 'VersionId', 'ETag', 'LastModifiedTime', 'Size']);
const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
/** Characters XML 1.0 allows (§2.2), surrogate pairs checked by the decoder. */
const XML_CHAR = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function malformed(why: string): never {
  throw new DeleteObjectsXmlError(why);
}

interface Tag {
  readonly name: string;
  readonly close: boolean;
  readonly selfClosing: boolean;
  readonly attributes: string;
}

/** A cursor over the document; each step consumes one construct. */
class Reader {
  pos = 0;
  constructor(readonly text: string) {}

  /** Skips whitespace and comments (never inside text that is kept). */
  skipMisc(): void {
    const t = this.text;
    for (;;) {
      let c = t.charCodeAt(this.pos);
      // space, \t, \n, \r
      while (c === 32 || c === 9 || c === 10 || c === 13) c = t.charCodeAt(++this.pos);
      if (c !== 60 /* < */ || !t.startsWith('<!--', this.pos)) return;
      const end = t.indexOf('-->', this.pos + 4);
      if (end === -1) malformed('unterminated comment');
      const dashes = t.indexOf('--', this.pos + 4);
      if (dashes < end) malformed('"--" inside a comment');
      this.pos = end + 3;
    }
  }

  tag(): Tag {
    if (this.text[this.pos] !== '<') malformed('expected an element');
    const end = this.text.indexOf('>', this.pos);
    if (end === -1) malformed('unterminated tag');
    let inner = this.text.slice(this.pos + 1, end);
    this.pos = end + 1;
    if (inner.startsWith('!') || inner.startsWith('?')) malformed('DOCTYPE, CDATA or processing instruction where an element belongs');
    const close = inner.startsWith('/');
    if (close) inner = inner.slice(1);
    const selfClosing = !close && inner.endsWith('/');
    if (selfClosing) inner = inner.slice(0, -1);
    const space = inner.search(/[ \t\r\n]/);
    const name = space === -1 ? inner : inner.slice(0, space);
    const attributes = space === -1 ? '' : inner.slice(space).trim();
    if (!NAME.test(name)) malformed('bad element name');
    if (close && attributes !== '') malformed('attributes on a closing tag');
    return { name, close, selfClosing, attributes };
  }

  /** Character data up to the closing tag of `name`, unescaped; elements inside are refused. */
  textOf(name: string): string {
    let out = '';
    for (;;) {
      const lt = this.text.indexOf('<', this.pos);
      if (lt === -1) malformed(`unterminated <${name}>`);
      out += unescapeText(this.text.slice(this.pos, lt));
      this.pos = lt;
      if (this.text.startsWith('<![CDATA[', lt)) {
        const end = this.text.indexOf(']]>', lt + 9);
        if (end === -1) malformed('unterminated CDATA');
        out += normaliseLineEnds(this.text.slice(lt + 9, end));
        this.pos = end + 3;
        continue;
      }
      if (this.text.startsWith('<!--', lt)) {
        this.skipMisc();
        continue;
      }
      const t = this.tag();
      if (!t.close || t.name !== name) malformed(`element inside <${name}>`);
      return out;
    }
  }
}

/** XML 1.0 §2.11: \r\n and a lone \r read as \n (a &#13; reference is kept as \r). */
function normaliseLineEnds(s: string): string {
  return s.includes('\r') ? s.replace(/\r\n?/g, '\n') : s;
}

/**
 * Entities and character references, in one pass (so `&amp;lt;` is `&lt;`, never `<`). Pieces are
 * collected and joined once: a regex replace with a callback was ten times slower on a body made
 * of references, and this runs on up to 2 MiB a client chose.
 */
function unescapeText(raw: string): string {
  if (raw.includes(']]>')) malformed('"]]>" in text');
  const s = normaliseLineEnds(raw);
  let amp = s.indexOf('&');
  if (amp === -1) return s;
  const parts: string[] = [];
  let i = 0;
  while (amp !== -1) {
    parts.push(s.slice(i, amp));
    const semi = s.indexOf(';', amp);
    if (semi === -1 || semi - amp > 10) malformed('bad entity reference');
    parts.push(reference(s.slice(amp + 1, semi)));
    i = semi + 1;
    amp = s.indexOf('&', i);
  }
  parts.push(s.slice(i));
  return parts.join('');
}

function reference(ref: string): string {
  if (ref.charCodeAt(0) !== 35 /* # */) {
    const ch = ENTITIES[ref];
    if (ch === undefined) malformed('undefined entity');
    return ch;
  }
  const code = /^#x[0-9A-Fa-f]{1,6}$/.test(ref) ? parseInt(ref.slice(2), 16) : /^#[0-9]{1,7}$/.test(ref) ? parseInt(ref.slice(1), 10) : NaN;
  if (!(code <= 0x10ffff)) malformed('bad character reference');
  if (code >= 0xd800 && code <= 0xdfff) malformed('character reference to a character XML does not allow');
  const ch = String.fromCodePoint(code);
  if (!XML_CHAR.test(ch)) malformed('character reference to a character XML does not allow');
  return ch;
}

/** The keys and versions a DeleteObjects body deletes; throws DeleteObjectsXmlError when it is not one signet can read as S3 does. */
export function parseDeleteObjects(body: Buffer): DeleteEntry[] {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(body);
  } catch {
    return malformed('not UTF-8');
  }
  if (!XML_CHAR.test(text)) malformed('a character XML does not allow');
  const r = new Reader(text);
  r.skipMisc();
  if (text.startsWith('<?xml', r.pos)) {
    const end = text.indexOf('?>', r.pos);
    if (end === -1 || r.pos !== 0) malformed('bad XML declaration');
    const decl = text.slice(5, end);
    if (!/^\s+version\s*=\s*["']1\.[0-9]+["'](\s+encoding\s*=\s*["'](UTF-8|utf-8)["'])?(\s+standalone\s*=\s*["'](yes|no)["'])?\s*$/.test(decl)) {
      malformed('XML declaration other than version 1.x, UTF-8');
    }
    r.pos = end + 2;
    r.skipMisc();
  }
  const root = r.tag();
  if (root.name !== 'Delete' || root.close) malformed('the root element is not <Delete>');
  if (root.attributes !== '' && !/^xmlns\s*=\s*("[^"<&]*"|'[^'<&]*')$/.test(root.attributes)) malformed('attributes on <Delete> other than xmlns');
  const entries: DeleteEntry[] = [];
  let quiet = 0;
  if (!root.selfClosing) {
    for (;;) {
      r.skipMisc();
      const t = r.tag();
      if (t.close) {
        if (t.name !== 'Delete') malformed('mismatched closing tag');
        break;
      }
      if (t.attributes !== '') malformed('attributes inside <Delete>');
      if (t.name === 'Quiet') {
        if (++quiet > 1) malformed('<Quiet> twice');
        const v = t.selfClosing ? '' : r.textOf('Quiet').trim();
        if (v !== 'true' && v !== 'false') malformed('<Quiet> is neither true nor false');
      } else if (t.name === 'Object') {
        if (t.selfClosing) malformed('<Object> without <Key>');
        if (entries.length === MAX_DELETE_OBJECTS) malformed(`more than ${MAX_DELETE_OBJECTS} objects`);
        entries.push(objectEntry(r));
      } else {
        malformed(`unexpected <${t.name}> in <Delete>`);
      }
    }
  }
  r.skipMisc();
  if (r.pos !== text.length) malformed('content after </Delete>');
  if (entries.length === 0) malformed('no <Object> in <Delete>');
  return entries;
}

function objectEntry(r: Reader): DeleteEntry {
  let key: string | undefined;
  let versionId: string | undefined;
  const seen = new Set<string>();
  for (;;) {
    r.skipMisc();
    const t = r.tag();
    if (t.close) {
      if (t.name !== 'Object') malformed('mismatched closing tag');
      break;
    }
    if (t.attributes !== '') malformed('attributes inside <Object>');
    if (!OBJECT_FIELDS.has(t.name)) malformed(`unexpected <${t.name}> in <Object>`);
    if (seen.has(t.name)) malformed(`<${t.name}> twice in one <Object>`);
    seen.add(t.name);
    const value = t.selfClosing ? '' : r.textOf(t.name);
    if (t.name === 'Key') key = value;
    else if (t.name === 'VersionId') versionId = value;
  }
  if (key === undefined || key === '') malformed('<Object> without a <Key>');
  return { key, versionId: versionId ?? '' };
}
