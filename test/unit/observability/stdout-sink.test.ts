import { describe, expect, it } from 'vitest';
import { ATOMIC_WRITE_BYTES, createLineSink } from '../../../src/observability/stdout-sink.js';

/** A sink whose write(2) is recorded: each call's bytes, as one piece. */
function recorded(minLength: number) {
  const writes: Buffer[] = [];
  const sink = createLineSink({ fd: 99, minLength, writeSync: (_fd, buf) => (writes.push(Buffer.from(buf)), buf.length) });
  return { sink, writes };
}

const line = (n: number, width: number): string => JSON.stringify({ n, pad: 'x'.repeat(width) }) + '\n';

describe('createLineSink', () => {
  it('writes whole lines, each write(2) at most PIPE_BUF bytes, so processes sharing a pipe never split each other\'s lines', () => {
    const { sink, writes } = recorded(4096);
    const sent: string[] = [];
    for (let i = 0; i < 500; i++) {
      const l = line(i, (i * 37) % 300);
      sent.push(l);
      sink.write(l);
    }
    sink.flushSync();
    expect(ATOMIC_WRITE_BYTES).toBe(4096);
    for (const w of writes) {
      expect(w.length).toBeLessThanOrEqual(ATOMIC_WRITE_BYTES);
      expect(w.at(-1)).toBe(0x0a);
    }
    expect(Buffer.concat(writes).toString()).toBe(sent.join(''));
    // Still batched: far fewer writes than lines.
    expect(writes.length).toBeLessThan(sent.length / 5);
  });

  it('splits a batch of multi-byte lines at line ends when its bytes outgrow PIPE_BUF', () => {
    const { sink, writes } = recorded(4096);
    const sent: string[] = [];
    for (let i = 0; i < 100; i++) {
      const l = JSON.stringify({ i, name: 'ü€'.repeat(100) }) + '\n';
      sent.push(l);
      sink.write(l);
    }
    sink.flushSync();
    for (const w of writes) {
      expect(w.length).toBeLessThanOrEqual(ATOMIC_WRITE_BYTES);
      expect(w.at(-1)).toBe(0x0a);
    }
    expect(Buffer.concat(writes).toString()).toBe(sent.join(''));
  });

  it('writes a single line longer than PIPE_BUF whole, in one write', () => {
    const { sink, writes } = recorded(0);
    const long = line(1, 10_000);
    sink.write(long);
    expect(writes.map((w) => w.toString())).toEqual([long]);
  });

  it('drops lines once the fd is gone (EPIPE) and counts them', () => {
    const sink = createLineSink({ fd: 99, writeSync: () => { throw Object.assign(new Error('EPIPE'), { code: 'EPIPE' }); } });
    sink.write(line(1, 1));
    sink.write(line(2, 1));
    expect(sink.dropped).toBe(2);
  });
});
