import { sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { V4A_PADDED_SIGNATURE_LENGTH, V4A_SIGNATURE_PADDING } from './constants.js';

/**
 * Hex of the DER ECDSA-P256 signature over SHA-256(stringToSign). ECDSA draws a fresh nonce each
 * time, so the same input never signs the same twice: only verification can check it.
 */
export function ecdsaSignatureHex(privateKey: KeyObject, stringToSign: string): string {
  return sign('sha256', Buffer.from(stringToSign, 'latin1'), privateKey).toString('hex');
}

/** Chunk and trailer signatures are right-padded with `*` to 144 chars, so chunk headers have one length. */
export function padV4aSignature(hex: string): string {
  return hex.length >= V4A_PADDED_SIGNATURE_LENGTH ? hex : hex + V4A_SIGNATURE_PADDING.repeat(V4A_PADDED_SIGNATURE_LENGTH - hex.length);
}

/** A chained signature loses its padding before it enters the next string to sign (aws_trim_padded_sigv4a_signature). */
export function trimV4aSignature(signature: string): string {
  let end = signature.length;
  while (end > 0 && signature.charCodeAt(end - 1) === 0x2a) end--;
  return end === signature.length ? signature : signature.slice(0, end);
}
