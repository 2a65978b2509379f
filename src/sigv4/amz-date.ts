/** `YYYYMMDDTHHMMSSZ` and `YYYYMMDD`, cached for the current second (formatted once per second). */
export interface AmzDate {
  readonly amzDate: string;
  readonly shortDate: string;
}

let lastSecond = -1;
let last: AmzDate = { amzDate: '', shortDate: '' };

export function formatAmzDate(date: Date): AmzDate {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new RangeError('invalid signing date');
  const second = Math.floor(ms / 1000);
  if (second === lastSecond) return last;
  const iso = date.toISOString(); // 2013-05-24T00:00:00.000Z
  const shortDate = iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10);
  const amzDate = shortDate + 'T' + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19) + 'Z';
  lastSecond = second;
  last = { amzDate, shortDate };
  return last;
}

/** Parses `YYYYMMDDTHHMMSSZ`; returns NaN-dated null on malformed input. */
export function parseAmzDate(value: string): Date | null {
  if (!/^\d{8}T\d{6}Z$/.test(value)) return null;
  const d = new Date(
    `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}T${value.slice(9, 11)}:${value.slice(11, 13)}:${value.slice(13, 15)}Z`,
  );
  return Number.isNaN(d.getTime()) ? null : d;
}
