import { SigV4Error } from './errors.js';
import { CHUNK_SIGNATURE_EXTENSION, SIGNATURE_HEX_LENGTH } from './aws-chunked-wire.js';

/** `chunk-signature`, the extension name without its leading `;` and trailing `=`. */
const SIGNATURE_EXTENSION_NAME = CHUNK_SIGNATURE_EXTENSION.slice(1, -1);

export interface ChunkSizeLine {
  readonly size: number;
  /** Lower-case hex, or undefined when the line carries no well-formed `chunk-signature`. */
  readonly signature: string | undefined;
}

function malformed(what: string): SigV4Error {
  return new SigV4Error('SIGV4_CHUNK_MALFORMED', 'aws-chunked: ' + what);
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

function isHexSignature(value: string): boolean {
  if (value.length !== SIGNATURE_HEX_LENGTH) return false;
  for (let i = 0; i < value.length; i++) if (hexValue(value.charCodeAt(i)) < 0) return false;
  return true;
}

/**
 * Parses `hex-size[;name[=value]]*` (CRLF already removed), the chunk header of RFC 9112 §7.1 as
 * aws-chunked uses it. Sizes above `maxChunkSize` are refused while the digits are read, so a long
 * run of hex digits can never overflow.
 */
export function parseChunkSizeLine(line: Buffer, length: number, maxChunkSize: number): ChunkSizeLine {
  let i = 0;
  let size = 0;
  for (; i < length; i++) {
    const v = hexValue(line[i] as number);
    if (v < 0) break;
    size = size * 16 + v;
    if (size > maxChunkSize) throw new SigV4Error('SIGV4_CHUNK_TOO_LARGE', 'aws-chunked: chunk exceeds the size limit');
  }
  if (i === 0) throw malformed('chunk size is not hex');
  while (i < length && (line[i] === 0x20 || line[i] === 0x09)) i++;
  if (i === length) return { size, signature: undefined };
  if (line[i] !== 0x3b) throw malformed('unexpected byte after the chunk size');
  let signature: string | undefined;
  for (const extension of line.toString('latin1', i + 1, length).split(';')) {
    const eq = extension.indexOf('=');
    const name = (eq < 0 ? extension : extension.slice(0, eq)).trim();
    if (name === '') throw malformed('empty chunk extension');
    if (name === SIGNATURE_EXTENSION_NAME && eq >= 0) {
      const value = extension.slice(eq + 1).trim().toLowerCase();
      if (isHexSignature(value)) signature = value;
    }
  }
  return { size, signature };
}

export interface TrailerLine {
  /** Lower case. */
  readonly name: string;
  readonly value: string;
  /** The line as received, which is what the trailer signature covers. */
  readonly raw: string;
}

/** Parses one `name:value` trailer field (CRLF already removed); whitespace around the value is dropped. */
export function parseTrailerLine(line: Buffer, length: number): TrailerLine {
  const text = line.toString('latin1', 0, length);
  const colon = text.indexOf(':');
  if (colon <= 0) throw malformed('trailer line is not name:value');
  const name = text.slice(0, colon).toLowerCase();
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) throw malformed('trailer name holds a forbidden character');
  }
  return { name, value: text.slice(colon + 1).trim(), raw: text };
}
