import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  maskAccessKey,
  redactCanonicalRequest,
  maskCredential,
  redactAuthorization,
  redactHeaderValue,
  redactQueryString,
  redactText,
} from '../../../src/s3/redact.js';

const AKID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SIG = 'fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024';

describe('redactAuthorization', () => {
  it('cuts SigV4 at Signature= and masks the key id of the credential', () => {
    const value = `AWS4-HMAC-SHA256 Credential=${AKID}/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range,Signature=${SIG}`;
    expect(redactAuthorization(value)).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIA…/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range,Signature=[REDACTED]',
    );
  });

  it('masks a SigV2 key id and drops its signature', () => {
    expect(redactAuthorization(`AWS ${AKID}:frJIUN8DYpKDtOLCwo//yllqDzg=`)).toBe('AWS AKIA…:[REDACTED]');
  });

  it('keeps only the scheme name of any other scheme', () => {
    expect(redactAuthorization('Bearer abc.def')).toBe('Bearer [REDACTED]');
    expect(redactAuthorization('opaque')).toBe('[REDACTED]');
  });
});

describe('redactHeaderValue', () => {
  it('hides session tokens and authorization, and leaves other headers alone', () => {
    expect(redactHeaderValue('x-amz-security-token', 'FQoGZXIvYXdzE')).toBe('[REDACTED]');
    expect(redactHeaderValue('proxy-authorization', 'Basic dXNlcjpwYXNz')).toBe('Basic [REDACTED]');
    expect(redactHeaderValue('authorization', `AWS ${AKID}:sig=`)).toBe('AWS AKIA…:[REDACTED]');
    expect(redactHeaderValue('x-amz-meta-a', 'visible')).toBe('visible');
  });
});

describe('redactQueryString', () => {
  it('masks presign signature, token and the key part of the credential, encoded or not', () => {
    const qs =
      `?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${AKID}%2F20130524%2Fus-east-1%2Fs3%2Faws4_request` +
      `&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-Security-Token=tok%2Fen&X-Amz-SignedHeaders=host&X-Amz-Signature=${SIG}`;
    expect(redactQueryString(qs)).toBe(
      '?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA…%2F20130524%2Fus-east-1%2Fs3%2Faws4_request' +
        '&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-Security-Token=[REDACTED]&X-Amz-SignedHeaders=host&X-Amz-Signature=[REDACTED]',
    );
  });

  it('masks SigV2 query auth and a lower-case token parameter', () => {
    expect(redactQueryString(`AWSAccessKeyId=${AKID}&Expires=1&Signature=abc%3D&x-amz-security-token=t`)).toBe(
      'AWSAccessKeyId=AKIA…&Expires=1&Signature=[REDACTED]&x-amz-security-token=[REDACTED]',
    );
  });

  it('returns a query without secrets unchanged', () => {
    const qs = 'list-type=2&prefix=a%2Fb&acl';
    expect(redactQueryString(qs)).toBe(qs);
    expect(redactQueryString('')).toBe('');
  });

  it('never lets a random signature or token value through', () => {
    const value = fc.string({ minLength: 12 }).filter((s) => !s.includes('&') && !s.includes('[REDACTED]'));
    fc.assert(
      fc.property(value, fc.constantFrom('X-Amz-Signature', 'X-Amz-Security-Token', 'Signature'), (v, name) => {
        expect(redactQueryString(`a=1&${name}=${v}&b=2`)).not.toContain(v);
      }),
      { numRuns: 300 },
    );
  });
});

describe('maskAccessKey and maskCredential', () => {
  it('keep four characters of a long key id and hide short ones whole', () => {
    expect(maskAccessKey(AKID)).toBe('AKIA…');
    expect(maskAccessKey('short')).toBe('[REDACTED]');
    expect(maskCredential(`${AKID}/20130524/us-east-1/s3/aws4_request`)).toBe('AKIA…/20130524/us-east-1/s3/aws4_request');
    expect(maskCredential(AKID)).toBe('AKIA…');
  });
});

describe('redactText', () => {
  it('scrubs every occurrence of a secret, also URL-encoded', () => {
    const text = `key=${SECRET} again ${encodeURIComponent(SECRET)} and ${SECRET}`;
    const out = redactText(text, [SECRET]);
    expect(out).toBe('key=[REDACTED] again [REDACTED] and [REDACTED]');
  });

  it('removes a secret that contains another one whole and ignores empty strings', () => {
    expect(redactText('abcdef-xyz', ['abc', 'abcdef', ''])).toBe('[REDACTED]-xyz');
  });

  it('never leaves a secret in the output', () => {
    // Secrets drawn from characters absent from '[REDACTED]', as real keys and tokens are in practice.
    const secretChar = fc.constantFrom(...'abcfghijklmnopqrstuvwxyz0123456789/+=%');
    const secretArb = fc.string({ unit: secretChar, minLength: 1 });
    fc.assert(
      fc.property(fc.string(), secretArb, fc.string(), (pre, secret, post) => {
        expect(redactText(pre + secret + post, [secret])).not.toContain(secret);
      }),
      { numRuns: 500 },
    );
  });
});

describe('SSE-C customer keys', () => {
  const KEY = 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=';
  it.each(['x-amz-server-side-encryption-customer-key', 'x-amz-copy-source-server-side-encryption-customer-key'])(
    '%s is redacted as a header and as a query parameter', (name) => {
      expect(redactHeaderValue(name, KEY)).not.toContain(KEY);
      expect(redactQueryString(`a=1&${name}=${encodeURIComponent(KEY)}`)).toBe(`a=1&${name}=[REDACTED]`);
    });
});

describe('redactCanonicalRequest', () => {
  const KEY = Buffer.alloc(32, 3).toString('base64');
  const creq = [
    'PUT', '/b/k', 'X-Amz-Security-Token=tok%2Fen&a=1',
    'host:h', `x-amz-server-side-encryption-customer-key:${KEY}`, 'x-amz-meta-k:customer-key:kept', '',
    'host;x-amz-meta-k;x-amz-server-side-encryption-customer-key', 'UNSIGNED-PAYLOAD',
  ].join('\n');

  it('masks secret header values and query parameters, keeps every other line byte for byte', () => {
    const out = redactCanonicalRequest(creq).split('\n');
    expect(out[2]).toBe('X-Amz-Security-Token=[REDACTED]&a=1');
    expect(out[4]).toBe('x-amz-server-side-encryption-customer-key:[REDACTED]');
    expect(out.filter((_, i) => i !== 2 && i !== 4)).toEqual(creq.split('\n').filter((_, i) => i !== 2 && i !== 4));
  });

  it('never changes a canonical request without secrets', () => {
    fc.assert(fc.property(fc.array(fc.stringMatching(/^[a-z-]{1,12}:[ -~]{0,20}$/), { maxLength: 6 }), (headers) => {
      const c = ['GET', '/', 'a=1', ...headers.filter((h) => !/token|customer-key:/.test(h.split(':')[0]!)), '', 'host', 'x'].join('\n');
      expect(redactCanonicalRequest(c)).toBe(c);
    }));
  });
});
