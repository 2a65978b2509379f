import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DemoError } from '../../../src/demo/demo-error.js';
import { parseAuth } from '../../../src/demo/parse-auth.js';
import type { RequestInfo } from '../../../src/demo/request-info.js';

function info(headers: Record<string, string>, query: Array<[string, string]> = []): RequestInfo {
  return { method: 'GET', rawTarget: '/', rawPath: '/', query, params: new Map(query), headers };
}

const AUTH = 'AWS4-ECDSA-P256-SHA256 Credential=AKID/20260101/s3/aws4_request, SignedHeaders=host;x-amz-date;x-amz-region-set, Signature=3045';

describe('embedded S3: SigV4A claims', () => {
  it('reads the header form: region-less credential, region set from x-amz-region-set', () => {
    const claim = parseAuth(info({ authorization: AUTH, 'x-amz-region-set': 'us-east-1, eu-*', 'x-amz-date': '20260101T000000Z' }));
    expect(claim).toMatchObject({ kind: 'header', algorithm: 'sigv4a', accessKeyId: 'AKID', shortDate: '20260101', region: '', service: 's3', regionSet: ['us-east-1', 'eu-*'] });
  });

  it('reads the query form with X-Amz-Region-Set', () => {
    const claim = parseAuth(info({}, [
      ['X-Amz-Algorithm', 'AWS4-ECDSA-P256-SHA256'], ['X-Amz-Credential', 'AKID/20260101/s3/aws4_request'], ['X-Amz-Date', '20260101T000000Z'],
      ['X-Amz-Expires', '60'], ['X-Amz-SignedHeaders', 'host'], ['X-Amz-Region-Set', '*'], ['X-Amz-Signature', '3045'],
    ]));
    expect(claim).toMatchObject({ kind: 'query', algorithm: 'sigv4a', regionSet: ['*'], expiresSeconds: 60 });
  });

  it('refuses a SigV4A claim without a region set, with an empty region, or with a SigV4 credential', () => {
    expect(() => parseAuth(info({ authorization: AUTH }))).toThrow(DemoError);
    expect(() => parseAuth(info({ authorization: AUTH, 'x-amz-region-set': 'us-east-1,' }))).toThrow(DemoError);
    expect(() => parseAuth(info({ authorization: AUTH.replace('/s3/', '/us-east-1/s3/'), 'x-amz-region-set': '*' }))).toThrow(DemoError);
  });

  it('answers any Authorization after the SigV4A algorithm with a claim or a DemoError, never another error', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), fc.option(fc.string({ maxLength: 40 }), { nil: undefined }), (rest, regionSet) => {
      const headers: Record<string, string> = { authorization: 'AWS4-ECDSA-P256-SHA256 ' + rest };
      if (regionSet !== undefined) headers['x-amz-region-set'] = regionSet;
      try {
        parseAuth(info(headers));
      } catch (err) {
        expect(err).toBeInstanceOf(DemoError);
      }
    }), { numRuns: 2000 });
  });
});
