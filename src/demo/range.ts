import { DemoError } from './demo-error.js';

export interface ByteRange {
  start: number;
  end: number;
}

const RANGE = /^bytes=(\d*)-(\d*)$/;

/**
 * One byte range (S3 serves a single range). A header S3 cannot parse is ignored (whole object);
 * a range starting past the end is 416 InvalidRange.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | null {
  if (header === undefined) return null;
  const m = RANGE.exec(header.trim());
  if (m === null || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) throw invalidRange(size, header);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return null;
  }
  if (start >= size) throw invalidRange(size, header);
  return { start, end };
}

function invalidRange(size: number, requested: string): DemoError {
  return new DemoError(416, 'InvalidRange', 'The requested range is not satisfiable', [['RangeRequested', requested], ['ActualObjectSize', size]], {
    'content-range': `bytes */${size}`,
  });
}
