/**
 * A bad setting. The message is always one line that names the flag (or key), the value and what
 * is allowed, so `signet serve` can print it as is and exit.
 */
const BRAND = Symbol.for('signet.ConfigError');

export class ConfigError extends Error {
  constructor(message: string) {
    // Values are quoted with JSON.stringify by callers; this guards against a stray newline anyway.
    super(message.replace(/[\r\n]+/g, ' '));
    this.name = 'ConfigError';
  }
  get [BRAND](): true {
    return true;
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

/** Quotes a value for a message: one line, bounded length. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  const short = text.length > 120 ? `${text.slice(0, 117)}...` : text;
  return JSON.stringify(short);
}
