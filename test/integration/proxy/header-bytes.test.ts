import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness } from '../../support/harness.js';
import type { Harness } from '../../support/harness.js';
import { socketExchange } from '../../support/raw-socket.js';
import { smithySigner } from '../../support/smithy-reference.js';

// Requests go out over a bare socket with their exact octets: Node's http client would re-encode
// some values (content-disposition) and write a head sent with a string body as UTF-8.
const octets = (bytes: Buffer): string => bytes.toString('latin1');
const utf8 = (text: string): string => octets(Buffer.from(text, 'utf8'));
const sha256hex = (text: string): string => createHash('sha256').update(text).digest('hex');

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

async function putAndHead(key: string, headers: Record<string, string>) {
  let lines = '';
  for (const [name, value] of Object.entries(headers)) lines += `${name}: ${value}\r\n`;
  const put = await socketExchange(h.url, `PUT /bytes/${key} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n${lines}\r\n`, Buffer.from('hi'));
  const head = await socketExchange(h.url, `GET /bytes/${key} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  return { put, head };
}

describe('header values with non-ASCII bytes are signed as the bytes sent', () => {
  const cases: Array<[string, string]> = [
    ['UTF-8 café', utf8('café')],
    ['UTF-8 ending in à (its second octet is 0xA0, which String.trim would eat)', utf8('voilà')],
    ['UTF-8 with an inner no-break space', utf8('a\u00a0b')],
    ['UTF-8 four-byte emoji', utf8('rocket 🚀 launch')],
    ['latin-1 bytes that are not UTF-8', octets(Buffer.from([0x63, 0x61, 0x66, 0xe9]))],
    ['a lone 0xFF and 0x80', octets(Buffer.from([0x41, 0xff, 0x20, 0x80, 0x42]))],
  ];
  for (const [name, value] of cases) {
    it(`stores and returns ${name} in x-amz-meta-*, content-disposition and cache-control`, async () => {
      const { put, head } = await putAndHead(`k-${cases.findIndex((c) => c[0] === name)}`, {
        'x-amz-meta-name': value,
        'content-disposition': `attachment; filename="${value}"`,
        'cache-control': `private, x-note=${value}`,
      });
      expect(put.body.toString()).not.toContain('SignatureDoesNotMatch');
      expect(put.status).toBe(200);
      expect(head.status).toBe(200);
      expect(head.headers['x-amz-meta-name']).toBe(value);
      expect(head.headers['content-disposition']).toBe(`attachment; filename="${value}"`);
      // The embedded S3 recomputed the signature with smithy over what it received.
      const seen = h.s3.requests.find((r) => r.method === 'PUT' && r.headers['x-amz-meta-name'] === value);
      expect(seen).toBeDefined();
    });
  }

  it('signs any byte string a client may send in a header value (property)', async () => {
    // Octets an HTTP/1.1 field value may hold: HTAB, SP, VCHAR and obs-text; leading and trailing
    // whitespace is not part of the value (RFC 9110 §5.5), so the generated value has none.
    const octet = fc.oneof(fc.integer({ min: 0x21, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }), fc.constantFrom(0x20, 0x09));
    const value = fc.array(octet, { minLength: 1, maxLength: 40 })
      .map((b) => octets(Buffer.from(b)))
      .map((v) => v.replace(/^[ \t]+|[ \t]+$/g, ''))
      .filter((v) => v !== '');
    let n = 0;
    await fc.assert(
      fc.asyncProperty(value, async (v) => {
        const { put, head } = await putAndHead(`prop-${n++}`, { 'x-amz-meta-p': v });
        expect(put.status).toBe(200);
        // S3 and HTTP collapse nothing inside a metadata value but trim its ends; the bytes return.
        expect(head.headers['x-amz-meta-p']).toBe(v);
      }),
      { numRuns: 150 },
    );
  });
});

describe('in gateway mode, a client signature over non-ASCII header values verifies', () => {
  const CLIENT = { accessKeyId: 'BYTESCLIENT', secretAccessKey: 'bytes-client-secret/+abcdefghijklmnopqr' };
  let gw: Harness;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'signet-bytes-'));
    writeFileSync(join(dir, 'keys'), `${CLIENT.accessKeyId} ${CLIENT.secretAccessKey}\n`);
    gw = await startHarness({ args: ['--inbound-keys', join(dir, 'keys')] });
  });
  afterAll(async () => {
    await gw.close();
  });

  const port = (): string => new URL(gw.url).port;
  const value = 'café à 🚀';

  it('SigV4: the SDK signs the Unicode value and sends its UTF-8; signet verifies and re-signs the same octets', async () => {
    const signed = await smithySigner(CLIENT, 'us-east-1').sign({
      method: 'PUT', protocol: 'http:', hostname: '127.0.0.1', port: Number(port()), path: '/gw-bytes/v4', query: {},
      headers: { host: `127.0.0.1:${port()}`, 'x-amz-meta-name': value, 'content-length': '2', 'x-amz-content-sha256': sha256hex('hi') },
    });
    let lines = '';
    for (const [name, v] of Object.entries(signed.headers)) lines += `${name}: ${utf8(v)}\r\n`;
    const put = await socketExchange(gw.url, `PUT /gw-bytes/v4 HTTP/1.1\r\n${lines}\r\n`, Buffer.from('hi'));
    expect(put.body.toString()).toBe('');
    expect(put.status).toBe(200);
    expect(gw.s3.requests.at(-1)!.headers['x-amz-meta-name']).toBe(utf8(value));
  });

  it('SigV2: the string to sign is HMACed over the UTF-8 octets, as boto signs it', async () => {
    const date = new Date().toUTCString();
    const sts = `PUT\n\n\n${date}\nx-amz-meta-name:${value}\n/gw-bytes/v2`;
    const signature = createHmac('sha1', CLIENT.secretAccessKey).update(sts, 'utf8').digest('base64');
    const head = `PUT /gw-bytes/v2 HTTP/1.1\r\nHost: 127.0.0.1:${port()}\r\nDate: ${date}\r\nx-amz-meta-name: ${utf8(value)}\r\n` +
      `Authorization: AWS ${CLIENT.accessKeyId}:${signature}\r\nContent-Length: 2\r\n\r\n`;
    const put = await socketExchange(gw.url, head, Buffer.from('hi'));
    expect(put.body.toString()).toBe('');
    expect(put.status).toBe(200);
  });
});

describe('header octets HTTP does not allow', () => {
  it('a control character in a value is refused with 400 before anything is signed or sent', async () => {
    const before = h.s3.requests.length;
    const res = await socketExchange(h.url, 'PUT /bytes/ctl HTTP/1.1\r\nHost: x\r\nx-amz-meta-a: a\x01b\r\nContent-Length: 2\r\n\r\n', Buffer.from('hi'));
    expect(res.status).toBe(400);
    expect(h.s3.requests.length).toBe(before);
  });
});
