/**
 * Sizes and durations as people write them. Sizes: `1048576`, `64KiB`, `1MiB`, `5GiB` (binary) or
 * `1MB` (decimal). Durations: `500ms`, `10s`, `5m`, `1h`, `1h30m`; a plain number means seconds.
 * Both return undefined for text that does not parse; the caller words the error.
 */

const SIZE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  ki: 2 ** 10,
  kib: 2 ** 10,
  mi: 2 ** 20,
  mib: 2 ** 20,
  gi: 2 ** 30,
  gib: 2 ** 30,
  ti: 2 ** 40,
  tib: 2 ** 40,
};

const SIZE_RE = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i;

export function parseSize(text: string): number | undefined {
  const m = SIZE_RE.exec(text.trim());
  if (m === null) return undefined;
  const unit = SIZE_UNITS[(m[2] ?? '').toLowerCase()];
  if (unit === undefined) return undefined;
  const bytes = Math.floor(Number(m[1]) * unit);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PLAIN_SECONDS_RE = /^\d+(?:\.\d+)?$/;
const DURATION_RE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const DURATION_PART_RE = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;

/** Returns milliseconds (rounded to a whole millisecond). */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (PLAIN_SECONDS_RE.test(t)) return Math.round(Number(t) * 1000);
  if (!DURATION_RE.test(t)) return undefined;
  let ms = 0;
  for (const m of t.matchAll(DURATION_PART_RE)) ms += Number(m[1]) * (DURATION_UNITS[m[2] ?? ''] ?? 0);
  const rounded = Math.round(ms);
  return Number.isSafeInteger(rounded) ? rounded : undefined;
}
