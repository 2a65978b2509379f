import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientLimiter } from '../../../src/proxy/client-limiter.js';
import { InboundDirectory } from '../../../src/proxy/inbound-directory.js';
import { parseInboundClients } from '../../../src/proxy/inbound-clients.js';

describe('ClientLimiter', () => {
  it('admits up to maxConcurrent in flight and admits again once one is released', () => {
    const l = new ClientLimiter({ maxConcurrent: 2, requestsPerSecond: 0, burst: 1 }, 0);
    expect(l.tryAcquire(0)).toBeNull();
    expect(l.tryAcquire(0)).toBeNull();
    expect(l.tryAcquire(0)).toEqual({ reason: 'concurrency', retryAfter: 1 });
    l.release();
    expect(l.tryAcquire(0)).toBeNull();
    expect(l.active).toBe(2);
  });

  it('spends a burst at once, then refills at requestsPerSecond and says how long to wait', () => {
    const l = new ClientLimiter({ maxConcurrent: 0, requestsPerSecond: 0.5, burst: 3 }, 100);
    for (let i = 0; i < 3; i++) {
      expect(l.tryAcquire(100)).toBeNull();
      l.release();
    }
    // One token every two seconds: empty now, so wait 2 s.
    expect(l.tryAcquire(100)).toEqual({ reason: 'rate', retryAfter: 2 });
    expect(l.tryAcquire(101)).toEqual({ reason: 'rate', retryAfter: 1 });
    expect(l.tryAcquire(102)).toBeNull();
    // A long idle time saves no more than the burst.
    l.release();
    for (let i = 0; i < 3; i++) expect(l.tryAcquire(1000)).toBeNull();
    expect(l.tryAcquire(1000)?.reason).toBe('rate');
  });

  it('a refusal by concurrency spends no token', () => {
    const l = new ClientLimiter({ maxConcurrent: 1, requestsPerSecond: 1, burst: 2 }, 0);
    expect(l.tryAcquire(0)).toBeNull();
    expect(l.tryAcquire(0)?.reason).toBe('concurrency');
    l.release();
    expect(l.tryAcquire(0)).toBeNull();
  });

  it('never admits more than burst + rate × elapsed requests (property)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 50 }),
      fc.array(fc.double({ min: 0, max: 2, noNaN: true }), { minLength: 1, maxLength: 200 }),
      (rate, burst, gaps) => {
        const l = new ClientLimiter({ maxConcurrent: 0, requestsPerSecond: rate, burst }, 0);
        let now = 0;
        let admitted = 0;
        for (const gap of gaps) {
          now += gap;
          const r = l.tryAcquire(now);
          if (r === null) {
            admitted++;
            l.release();
          } else {
            expect(r.retryAfter).toBeGreaterThanOrEqual(1);
          }
          expect(admitted).toBeLessThanOrEqual(burst + rate * now + 1e-9);
        }
      },
    ));
  });

  it('keeps in-flight counts and spent tokens across an update (a reload is no fresh allowance)', () => {
    const l = new ClientLimiter({ maxConcurrent: 2, requestsPerSecond: 1, burst: 2 }, 0);
    expect(l.tryAcquire(0)).toBeNull();
    expect(l.tryAcquire(0)).toBeNull();
    l.update({ maxConcurrent: 3, requestsPerSecond: 1, burst: 5 }, 0);
    expect(l.active).toBe(2);
    expect(l.tryAcquire(0)?.reason).toBe('rate');
    l.update({ maxConcurrent: 1, requestsPerSecond: 10, burst: 5 }, 1);
    expect(l.tryAcquire(1)?.reason).toBe('concurrency');
  });
});

describe('InboundDirectory', () => {
  const file = (rps: number, extra = ''): string => `clients:
  - accessKeyId: LIMITED
    secret: s1
    requestsPerSecond: ${rps}
    maxConcurrent: 1
${extra}`;

  it('keeps each key\'s limiter across a replace, and drops removed keys', () => {
    let now = 0;
    const d = new InboundDirectory(parseInboundClients(file(1), 'k.yaml'), () => now);
    const slot = d.acquire('LIMITED');
    expect(slot).toBeInstanceOf(ClientLimiter);
    d.replace(parseInboundClients(file(2, '  - accessKeyId: OTHER\n    secret: s2\n'), 'k.yaml'));
    // Still one in flight from before the reload.
    expect(d.acquire('LIMITED')).toMatchObject({ reason: 'concurrency' });
    expect(d.acquire('OTHER')).toBeNull();
    (slot as ClientLimiter).release();
    now = 10;
    expect(d.acquire('LIMITED')).toBe(slot);
    d.replace(parseInboundClients('clients:\n  - accessKeyId: OTHER\n    secret: s2\n', 'k.yaml'));
    expect(d.get('LIMITED')).toBeUndefined();
    expect(d.acquire('LIMITED')).toBeNull();
    expect(d.size).toBe(1);
  });
});

describe('parseInboundClients: sourceCidrs and limits', () => {
  const one = (fields: string): string => `clients:\n  - accessKeyId: K1\n    secret: s1\n${fields}`;
  it('reads ranges and limits, burst defaulting to one second\'s worth', () => {
    const c = parseInboundClients(one('    sourceCidrs: ["10.0.0.0/8", "2001:db8::/32"]\n    maxConcurrent: 4\n    requestsPerSecond: 2.5\n'), 'k.yaml').get('K1')!;
    expect(c.sourceCidrs!.map((r) => r.source)).toEqual(['10.0.0.0/8', '2001:db8::/32']);
    expect(c.limits).toEqual({ maxConcurrent: 4, requestsPerSecond: 2.5, burst: 3 });
    expect(c.policy).toBeNull();
    expect(parseInboundClients(one('    requestsPerSecond: 0.2\n    burst: 10\n'), 'k.yaml').get('K1')!.limits).toEqual({ maxConcurrent: 0, requestsPerSecond: 0.2, burst: 10 });
    expect(parseInboundClients(one(''), 'k.yaml').get('K1')).toMatchObject({ sourceCidrs: null, limits: null });
  });

  it('refuses bad values with one line naming the file and the client', () => {
    const cases: Array<[string, string]> = [
      ['    sourceCidrs: ["10.0.0.0/33"]\n', '--inbound-keys k.yaml clients[0].sourceCidrs[0] (client K1): "10.0.0.0/33" is not an address range'],
      ['    sourceCidrs: ["10.0.0.0/8", "example.com/8"]\n', 'clients[0].sourceCidrs[1] (client K1): the value is not'],
      ['    sourceCidrs: "10.0.0.0/8"\n', 'clients[0].sourceCidrs: expected a non-empty list of strings'],
      ['    sourceCidrs: []\n', 'clients[0].sourceCidrs: expected a non-empty list'],
      ['    maxConcurrent: 0\n', 'clients[0].maxConcurrent: expected a number from 1'],
      ['    maxConcurrent: 1.5\n', 'clients[0].maxConcurrent: expected a whole number'],
      ['    maxConcurrent: "4"\n', 'clients[0].maxConcurrent: expected a number'],
      ['    requestsPerSecond: -1\n', 'clients[0].requestsPerSecond: expected a number'],
      ['    requestsPerSecond: .inf\n', 'clients[0].requestsPerSecond: expected a number'],
      ['    burst: 5\n', 'clients[0].burst: needs requestsPerSecond'],
      ['    requestsPerSecond: 1\n    burst: 0\n', 'clients[0].burst: expected a number from 1'],
    ];
    for (const [fields, message] of cases) {
      expect(() => parseInboundClients(one(fields), 'k.yaml'), fields).toThrow(message);
    }
  });

  it('never quotes what is not address-like (a secret pasted into sourceCidrs) in the message', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    let message = '';
    try {
      parseInboundClients(one(`    sourceCidrs: ["${secret}"]\n`), 'k.yaml');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe('--inbound-keys k.yaml clients[0].sourceCidrs[0] (client K1): the value is not an address range (e.g. 10.0.0.0/8, 2001:db8::/32)');
  });
});
