import { describe, expect, it } from 'vitest';
import type { ParsedS3Error } from '../../../src/s3/s3-error-xml.js';
import { diagnoseSignatureMismatch } from '../../../src/s3/signature-diagnosis.js';

const TOKEN = 'FQoGZXIvYXdzEXAMPLETOKENVALUE';
const HASH = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function cr(opts: { method?: string; path?: string; query?: string; headers?: string[]; signed?: string; payload?: string } = {}): string {
  const headers = opts.headers ?? ['host:b.s3.amazonaws.com', 'x-amz-date:20240101T000000Z', `x-amz-security-token:${TOKEN}`];
  return [
    opts.method ?? 'GET',
    opts.path ?? '/b/k',
    opts.query ?? 'a=1&b=%20',
    ...headers,
    '',
    opts.signed ?? headers.map((h) => h.slice(0, h.indexOf(':'))).join(';'),
    opts.payload ?? HASH,
  ].join('\n');
}

function sts(date = '20240101T000000Z', scope = '20240101/us-east-1/s3/aws4_request', hash = 'abc'): string {
  return ['AWS4-HMAC-SHA256', date, scope, hash].join('\n');
}

function s3(canonicalRequest?: string, stringToSign?: string): ParsedS3Error {
  return { code: 'SignatureDoesNotMatch', message: 'm', canonicalRequest, stringToSign, fields: {} };
}

describe('diagnoseSignatureMismatch', () => {
  it('names a differing canonical query with both values', () => {
    const d = diagnoseSignatureMismatch({ canonicalRequest: cr(), stringToSign: sts() }, s3(cr({ query: 'a=1&b=+' }), sts()));
    expect(d.summary).toBe("canonical query differs: ours 'a=1&b=%20' vs S3 'a=1&b=+'");
    expect(d.differences).toEqual([{ line: 3, section: 'query', ours: 'a=1&b=%20', theirs: 'a=1&b=+' }]);
  });

  it('names a header whose value differs', () => {
    const ours = cr({ headers: ['host:h', 'x-amz-meta-x:one'] });
    const theirs = cr({ headers: ['host:h', 'x-amz-meta-x:one two'] });
    const d = diagnoseSignatureMismatch({ canonicalRequest: ours, stringToSign: sts() }, s3(theirs, sts()));
    expect(d.summary).toBe("header x-amz-meta-x differs: ours 'one' vs S3 'one two'");
    expect(d.differences[0]).toMatchObject({ line: 5, section: 'header', name: 'x-amz-meta-x' });
  });

  it('names a header S3 saw that signet did not sign, and counts the other differences', () => {
    const ours = cr({ headers: ['host:h'] });
    const theirs = cr({ headers: ['foo:bar', 'host:h'] });
    const d = diagnoseSignatureMismatch({ canonicalRequest: ours, stringToSign: sts() }, s3(theirs, sts()));
    expect(d.summary).toBe("S3 saw header 'foo' that signet did not sign (and 1 more difference)");
    expect(d.differences.map((x) => x.section)).toEqual(['header', 'signed-headers']);
    expect(d.differences[1]).toMatchObject({ line: 7, ours: 'host', theirs: 'foo;host' });
  });

  it('names a header signet signed that S3 did not see', () => {
    const ours = cr({ headers: ['host:h', 'range:bytes=0-9'], signed: 'host;range' });
    const theirs = cr({ headers: ['host:h'], signed: 'host;range' });
    const d = diagnoseSignatureMismatch({ canonicalRequest: ours, stringToSign: sts() }, s3(theirs, sts()));
    expect(d.summary).toBe("signet signed header 'range' that S3 did not see");
  });

  it('names method, path and payload differences', () => {
    const base = { canonicalRequest: cr(), stringToSign: sts() };
    expect(diagnoseSignatureMismatch(base, s3(cr({ method: 'PUT' }))).differences[0]).toMatchObject({ line: 1, section: 'method' });
    expect(diagnoseSignatureMismatch(base, s3(cr({ path: '/b/k%20' }))).summary).toBe("canonical URI differs: ours '/b/k' vs S3 '/b/k%20'");
    const p = diagnoseSignatureMismatch(base, s3(cr({ payload: 'UNSIGNED-PAYLOAD' })));
    expect(p.differences).toEqual([{ line: 9, section: 'payload', ours: HASH, theirs: 'UNSIGNED-PAYLOAD' }]);
  });

  it('points at the clock or the region when only the date or scope of the string to sign differs', () => {
    const same = cr();
    const d = diagnoseSignatureMismatch(
      { canonicalRequest: same, stringToSign: sts() },
      s3(same, sts('20240101T000000Z', '20240101/eu-west-1/s3/aws4_request')),
    );
    expect(d.summary).toBe(
      "string-to-sign differs only in date/scope → clock or region: ours '20240101/us-east-1/s3/aws4_request' vs S3 '20240101/eu-west-1/s3/aws4_request'",
    );
    expect(d.differences).toEqual([]);
  });

  it('blames the key when canonical request and string to sign both match', () => {
    const d = diagnoseSignatureMismatch({ canonicalRequest: cr(), stringToSign: sts() }, s3(cr(), sts()));
    expect(d.summary).toContain('signing key differs');
  });

  it('says so when S3 sent nothing to compare', () => {
    expect(diagnoseSignatureMismatch({ canonicalRequest: cr(), stringToSign: sts() }, s3()).summary).toBe(
      'S3 sent no CanonicalRequest or StringToSign to compare with',
    );
  });

  it('treats CRLF line ends in the S3 body like LF', () => {
    const d = diagnoseSignatureMismatch({ canonicalRequest: cr(), stringToSign: sts() }, s3(cr().replaceAll('\n', '\r\n'), sts()));
    expect(d.differences).toEqual([]);
  });

  it('redacts session tokens, presign signatures and credential key ids in every value it shows', () => {
    const presign = (sig: string, token: string) =>
      `X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20240101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Security-Token=${token}&X-Amz-Signature=${sig}`;
    const ours = cr({ query: presign('aaaa1111', TOKEN), headers: ['host:h', `x-amz-security-token:${TOKEN}`] });
    const theirs = cr({ query: presign('bbbb2222', TOKEN + 'X'), headers: ['host:h', `x-amz-security-token:${TOKEN}X`] });
    const d = diagnoseSignatureMismatch({ canonicalRequest: ours, stringToSign: sts() }, s3(theirs, sts()));
    const shown = JSON.stringify(d);
    for (const secret of [TOKEN, 'aaaa1111', 'bbbb2222', 'AKIAIOSFODNN7EXAMPLE']) expect(shown).not.toContain(secret);
    expect(d.differences.map((x) => x.section)).toEqual(['query', 'header']);
    expect(d.differences[1]).toMatchObject({ ours: '[REDACTED]', theirs: '[REDACTED]' });
  });
});
