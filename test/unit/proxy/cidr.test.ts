import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addressAllowed, Cidr, parseAddress } from '../../../src/proxy/cidr.js';

/** Reference reading, independent of the byte compare: the address as a 128-bit integer. */
function toBig(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}
function inRange(net: bigint, prefix: number, addr: bigint): boolean {
  const shift = BigInt(128 - prefix);
  return (net >> shift) === (addr >> shift);
}
const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));
const groups = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 });
const v6 = groups.map((g) => g.map((n) => n.toString(16)).join(':'));

describe('parseAddress', () => {
  it('reads the forms a socket reports and refuses what is not an address', () => {
    expect([...parseAddress('127.0.0.1')!.bytes.slice(10)]).toEqual([0xff, 0xff, 127, 0, 0, 1]);
    expect(toBig(parseAddress('::ffff:127.0.0.1')!.bytes)).toBe(toBig(parseAddress('127.0.0.1')!.bytes));
    expect(toBig(parseAddress('::1')!.bytes)).toBe(1n);
    expect(toBig(parseAddress('fe80::1%eth0')!.bytes)).toBe((0xfe80n << 112n) | 1n);
    expect(toBig(parseAddress('::')!.bytes)).toBe(0n);
    for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.-1', ' 1.2.3.4', 'a.b.c.d', 'localhost',
      '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1::2::3', ':1::', '1:::2', '12345::', 'g::1', '::1.2.3', '1.2.3.4::', '::ffff:1.2.3.4:1',
      '1:2:3:4:5:6:7::8:9', '::ffff:1.2.3', '::ffff:01.2.3.4', '::ffff:1.2.3.4.', '::ffff:.1.2.3', '::ffff:1..2.3', '::ffff:256.0.0.1']) {
      expect(parseAddress(bad), bad).toBeNull();
    }
  });

  it('agrees with node:net isIP on random IPv6 text, compressed or not', () => {
    fc.assert(fc.property(groups, fc.nat(8), fc.nat(8), (g, from, len) => {
      const full = g.map((n) => n.toString(16)).join(':');
      // Compress a run of groups (whatever their value) into '::' when the run is zeros.
      const zeroed = g.map((n, i) => (i >= from && i < from + len ? 0 : n));
      const text = len > 0 && from + len <= 8
        ? zeroed.slice(0, from).map((n) => n.toString(16)).join(':') + '::' + zeroed.slice(from + len).map((n) => n.toString(16)).join(':')
        : full;
      expect(isIP(text)).toBe(6);
      const expected = toBig(Uint8Array.from((len > 0 && from + len <= 8 ? zeroed : g).flatMap((n) => [n >> 8, n & 0xff])));
      expect(toBig(parseAddress(text)!.bytes)).toBe(expected);
    }));
  });

  it('reads an IPv4-mapped address (the fast path) as the general IPv6 reading does', () => {
    fc.assert(fc.property(v4, (a) => {
      const mapped = toBig(parseAddress('::ffff:' + a)!.bytes);
      expect(mapped).toBe(toBig(parseAddress('0:0:0:0:0:ffff:' + a)!.bytes));
      expect(mapped).toBe(toBig(parseAddress(a)!.bytes));
    }));
  });
});

describe('Cidr', () => {
  it('matches an IPv4 range against plain and IPv4-mapped peers alike', () => {
    const lo = Cidr.parse('127.0.0.0/8')!;
    expect(addressAllowed([lo], '127.0.0.1')).toBe(true);
    expect(addressAllowed([lo], '::ffff:127.9.9.9')).toBe(true);
    expect(addressAllowed([lo], '10.0.0.1')).toBe(false);
    expect(addressAllowed([lo], '::1')).toBe(false);
    expect(addressAllowed([Cidr.parse('2001:db8::/32')!], '2001:db8:ffff::1')).toBe(true);
    expect(addressAllowed([Cidr.parse('2001:db8::/32')!], '2001:db9::1')).toBe(false);
    expect(addressAllowed([Cidr.parse('10.1.2.3')!], '10.1.2.3')).toBe(true);
    expect(addressAllowed([Cidr.parse('10.1.2.3')!], '10.1.2.4')).toBe(false);
    expect(addressAllowed([Cidr.parse('0.0.0.0/0')!], '203.0.113.9')).toBe(true);
    expect(addressAllowed([Cidr.parse('0.0.0.0/0')!], '2001:db8::1')).toBe(false);
    expect(addressAllowed([lo], undefined)).toBe(false);
    expect(addressAllowed([lo], 'not-an-address')).toBe(false);
  });

  it('refuses malformed ranges', () => {
    for (const bad of ['10.0.0.0/33', '10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/08', '2001:db8::/129', '/8', 'host/8', '10.0.0.0/8/8', '10.0.0.0/ 8']) {
      expect(Cidr.parse(bad), bad).toBeNull();
    }
  });

  it('holds an IPv4 address exactly when its first n bits equal the network (128-bit reference)', () => {
    fc.assert(fc.property(v4, v4, fc.nat(32), (net, addr, n) => {
      const c = Cidr.parse(`${net}/${n}`)!;
      const expected = inRange(toBig(parseAddress(net)!.bytes), 96 + n, toBig(parseAddress(addr)!.bytes));
      expect(addressAllowed([c], addr)).toBe(expected);
      expect(addressAllowed([c], '::ffff:' + addr)).toBe(expected);
    }));
  });

  it('holds an IPv6 address exactly when its first n bits equal the network (128-bit reference)', () => {
    fc.assert(fc.property(v6, v6, fc.nat(128), fc.boolean(), (net, addr, n, near) => {
      // Half the cases share a long prefix with the network, so "inside" is exercised too.
      const a = near ? net.split(':').slice(0, 7).join(':') + ':' + addr.split(':')[7] : addr;
      const c = Cidr.parse(`${net}/${n}`)!;
      expect(addressAllowed([c], a)).toBe(inRange(toBig(parseAddress(net)!.bytes), n, toBig(parseAddress(a)!.bytes)));
    }));
  });
});
