import { S3_XMLNS } from './constants.js';

const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
const UNESCAPES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

export function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, ent: string) => {
    if (ent.startsWith('#x')) return String.fromCodePoint(parseInt(ent.slice(2), 16));
    if (ent.startsWith('#')) return String.fromCodePoint(parseInt(ent.slice(1), 10));
    return UNESCAPES[ent] ?? whole;
  });
}

/** A value tree: a text leaf, nested elements, or `{ each }` repeating the element once per item. */
export type XmlValue = string | number | boolean | undefined | XmlNode | XmlRepeat;
export type XmlNode = Array<[string, XmlValue]>;
export interface XmlRepeat { each: Array<XmlNode | string> }

function render(name: string, value: XmlValue, out: string[]): void {
  if (value === undefined) return;
  if (typeof value === 'object' && !Array.isArray(value)) {
    for (const item of value.each) render(name, item, out);
    return;
  }
  out.push('<', name, '>');
  if (Array.isArray(value)) for (const [child, v] of value) render(child, v, out);
  else out.push(escapeXml(String(value)));
  out.push('</', name, '>');
}

/** An S3 response document, root element carrying the S3 namespace. */
export function s3Document(root: string, body: XmlNode): string {
  const out: string[] = [XML_DECL, '<', root, ' xmlns="', S3_XMLNS, '">'];
  for (const [name, value] of body) render(name, value, out);
  out.push('</', root, '>');
  return out.join('');
}

/** A namespaced root holding text only (GetBucketLocation). */
export function s3TextDocument(root: string, text: string): string {
  return `${XML_DECL}<${root} xmlns="${S3_XMLNS}">${escapeXml(text)}</${root}>`;
}

/** Error documents have no namespace in S3. */
export function errorDocument(body: XmlNode): string {
  const out: string[] = [XML_DECL, '<Error>'];
  for (const [name, value] of body) render(name, value, out);
  out.push('</Error>');
  return out.join('');
}

/** Text of every `<tag>…</tag>` in document order; enough for the request bodies S3 takes. */
export function allTags(xml: string, tag: string): string[] {
  const found: string[] = [];
  const re = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, 'g');
  for (let m = re.exec(xml); m !== null; m = re.exec(xml)) found.push(m[1] ?? '');
  return found;
}

export function firstTag(xml: string, tag: string): string | undefined {
  return allTags(xml, tag)[0];
}
