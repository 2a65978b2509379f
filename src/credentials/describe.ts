import { ACCESS_KEY_ID_PREFIX_LENGTH } from './constants.js';

const MAX_REASON_LENGTH = 300;

/**
 * One line about an error, fit for a log field or a status page. SDK messages can span lines
 * (the chain's warnings do); only the first line is kept, and never a credential, since the
 * providers' messages name variables and files, not values.
 */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const name = err.name && err.name !== 'Error' ? `${err.name}: ` : '';
    return clip(`${name}${firstLine(err.message)}`);
  }
  return clip(firstLine(String(err)));
}

/** The part of an access key id that may be logged. */
export function accessKeyIdPrefix(accessKeyId: string): string {
  return accessKeyId.slice(0, ACCESS_KEY_ID_PREFIX_LENGTH);
}

function firstLine(text: string): string {
  const line = text.trim().split('\n', 1)[0] ?? '';
  return line.trim();
}

function clip(text: string): string {
  return text.length > MAX_REASON_LENGTH ? `${text.slice(0, MAX_REASON_LENGTH - 1)}…` : text;
}
