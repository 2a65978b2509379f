import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SigV4Error } from '../../../src/sigv4/errors.js';
import { parseSigV2, verifySigV2 } from '../../../src/sigv4/sigv2.js';
import { sigV2StringToSign } from '../../../src/sigv4/sigv2-string-to-sign.js';

// The example key pair of the AWS S3 RESTAuthentication (SigV2) documentation.
const AKID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

type Pairs = Array<[string, string]>;

interface Vector {
  name: string;
  method: string;
  path: string;
  query?: Pairs;
  headers: Record<string, string>;
  bucket?: string;
  stringToSign: string;
  signature: string;
}

// Requests and signatures as published in the RESTAuthentication "Authentication examples".
const VECTORS: Vector[] = [
  {
    name: 'object GET, virtual-hosted',
    method: 'GET',
    path: '/photos/puppy.jpg',
    bucket: 'johnsmith',
    headers: { host: 'johnsmith.s3.amazonaws.com', date: 'Tue, 27 Mar 2007 19:36:42 +0000' },
    stringToSign: 'GET\n\n\nTue, 27 Mar 2007 19:36:42 +0000\n/johnsmith/photos/puppy.jpg',
    signature: 'bWq2s1WEIj+Ydj0vQ697zp+IXMU=',
  },
  {
    name: 'object PUT with a content type',
    method: 'PUT',
    path: '/photos/puppy.jpg',
    bucket: 'johnsmith',
    headers: { 'content-type': 'image/jpeg', 'content-length': '94328', date: 'Tue, 27 Mar 2007 21:15:45 +0000' },
    stringToSign: 'PUT\n\nimage/jpeg\nTue, 27 Mar 2007 21:15:45 +0000\n/johnsmith/photos/puppy.jpg',
    signature: 'MyyxeRY7whkBe+bq8fHCL/2kKUg=',
  },
  {
    name: 'list, leaving ordinary parameters out of the resource',
    method: 'GET',
    path: '/',
    query: [['prefix', 'photos'], ['max-keys', '50'], ['marker', 'puppy']],
    bucket: 'johnsmith',
    headers: { 'user-agent': 'Mozilla/5.0', date: 'Tue, 27 Mar 2007 19:42:41 +0000' },
    stringToSign: 'GET\n\n\nTue, 27 Mar 2007 19:42:41 +0000\n/johnsmith/',
    signature: 'htDYFYduRNen8P9ZfE/s9SuKy0U=',
  },
  {
    name: 'fetch ACL, a bare sub-resource',
    method: 'GET',
    path: '/',
    query: [['acl', '']],
    bucket: 'johnsmith',
    headers: { date: 'Tue, 27 Mar 2007 19:44:46 +0000' },
    stringToSign: 'GET\n\n\nTue, 27 Mar 2007 19:44:46 +0000\n/johnsmith/?acl',
    signature: 'c2WLPFtWHVgbEmeEG93a4cG37dM=',
  },
  {
    name: 'DELETE with x-amz-date, which empties the Date line',
    method: 'DELETE',
    path: '/johnsmith/photos/puppy.jpg',
    headers: { date: 'Tue, 27 Mar 2007 21:20:27 +0000', 'x-amz-date': 'Tue, 27 Mar 2007 21:20:26 +0000' },
    stringToSign: 'DELETE\n\n\n\nx-amz-date:Tue, 27 Mar 2007 21:20:26 +0000\n/johnsmith/photos/puppy.jpg',
    signature: 'R4dJ53KECjStyBO5iTBJZ4XVOaI=',
  },
  {
    name: 'upload with x-amz-meta headers, a repeated one joined, CNAME bucket',
    method: 'PUT',
    path: '/db-backup.dat.gz',
    bucket: 'static.johnsmith.net',
    headers: {
      'user-agent': 'curl/7.15.5',
      date: 'Tue, 27 Mar 2007 21:06:08 +0000',
      'x-amz-acl': 'public-read',
      'content-type': 'application/x-download',
      'content-md5': '4gJE4saaMU4BqNR0kLY+lw==',
      'x-amz-meta-reviewedby': 'joe@johnsmith.net,jane@johnsmith.net',
      'x-amz-meta-filechecksum': '0x02661779',
      'x-amz-meta-checksumalgorithm': 'crc32',
      'content-disposition': 'attachment; filename=database.dat',
      'content-encoding': 'gzip',
      'content-length': '5913339',
    },
    stringToSign:
      'PUT\n4gJE4saaMU4BqNR0kLY+lw==\napplication/x-download\nTue, 27 Mar 2007 21:06:08 +0000\n' +
      'x-amz-acl:public-read\nx-amz-meta-checksumalgorithm:crc32\nx-amz-meta-filechecksum:0x02661779\n' +
      'x-amz-meta-reviewedby:joe@johnsmith.net,jane@johnsmith.net\n/static.johnsmith.net/db-backup.dat.gz',
    signature: 'ilyl83RwaSoYIEdixDQcA4OnAnc=',
  },
  {
    name: 'list all buckets',
    method: 'GET',
    path: '/',
    headers: { date: 'Wed, 28 Mar 2007 01:29:59 +0000' },
    stringToSign: 'GET\n\n\nWed, 28 Mar 2007 01:29:59 +0000\n/',
    signature: 'qGdzdERIC03wnaRNKh6OqZehG9s=',
  },
  {
    name: 'unicode keys, the path kept exactly as encoded',
    method: 'GET',
    path: '/dictionary/fran%C3%A7ais/pr%c3%a9f%c3%a8re',
    headers: { date: 'Wed, 28 Mar 2007 01:49:49 +0000' },
    stringToSign: 'GET\n\n\nWed, 28 Mar 2007 01:49:49 +0000\n/dictionary/fran%C3%A7ais/pr%c3%a9f%c3%a8re',
    signature: 'DNEZGsoieTZ92F3bUfSPQcbGmlM=',
  },
];

describe('sigV2StringToSign and verifySigV2 on the published examples', () => {
  for (const v of VECTORS) {
    it(`reproduces and verifies: ${v.name}`, () => {
      const query = v.query ?? [];
      const headers = { ...v.headers, authorization: `AWS ${AKID}:${v.signature}` };
      const sts = sigV2StringToSign(v.method, v.path, query, headers, v.bucket ? { bucket: v.bucket } : {});
      expect(sts).toBe(v.stringToSign);
      const parsed = parseSigV2(v.method, v.path, query, headers);
      expect(parsed).toEqual({ kind: 'header', accessKeyId: AKID, signature: v.signature });
      expect(verifySigV2(parsed!, sts, SECRET)).toBe(true);
      expect(verifySigV2(parsed!, sts, SECRET.slice(1))).toBe(false);
    });
  }

  it('verifies the published query-string example and puts Expires where the Date goes', () => {
    const query: Pairs = [
      ['AWSAccessKeyId', AKID],
      ['Expires', '1175139620'],
      ['Signature', 'NpgCjnDzrM+WFzoENXmpNDUsSn8='],
    ];
    const parsed = parseSigV2('GET', '/photos/puppy.jpg', query, { host: 'johnsmith.s3.amazonaws.com' });
    expect(parsed).toEqual({ kind: 'query', accessKeyId: AKID, signature: 'NpgCjnDzrM+WFzoENXmpNDUsSn8=', expires: '1175139620' });
    const sts = sigV2StringToSign('GET', '/photos/puppy.jpg', query, {}, { bucket: 'johnsmith', expires: parsed!.expires! });
    expect(sts).toBe('GET\n\n\n1175139620\n/johnsmith/photos/puppy.jpg');
    expect(verifySigV2(parsed!, sts, SECRET, new Date(1175139000 * 1000))).toBe(true);
  });
});

describe('sigV2StringToSign details', () => {
  const sign = (s: string) => createHmac('sha1', SECRET).update(s).digest('base64');

  it('sorts sub-resources by name, signs values decoded, and includes response overrides', () => {
    const query: Pairs = [
      ['versionId', 'v 1'],
      ['response-content-type', 'text/plain'],
      ['prefix', 'ignored'],
      ['acl', ''],
    ];
    const sts = sigV2StringToSign('GET', '/b/k', query, { date: 'D' });
    expect(sts).toBe('GET\n\n\nD\n/b/k?acl&response-content-type=text/plain&versionId=v 1');
  });

  it('unfolds multi-line header values and trims them', () => {
    const sts = sigV2StringToSign('PUT', '/b/k', [], { 'x-amz-meta-a': '  one\r\n   two ', date: 'D' });
    expect(sts).toBe('PUT\n\n\nD\nx-amz-meta-a:one two\n/b/k');
  });

  it('counts x-amz-* query parameters as headers for query auth only', () => {
    const query: Pairs = [['x-amz-security-token', 'tok']];
    expect(sigV2StringToSign('GET', '/b/k', query, {}, { expires: '9' })).toBe('GET\n\n\n9\nx-amz-security-token:tok\n/b/k');
    expect(sigV2StringToSign('GET', '/b/k', query, { date: 'D' })).toBe('GET\n\n\nD\n/b/k');
  });

  it('drops a query string left on the raw path and treats an empty path as the root', () => {
    expect(sigV2StringToSign('GET', '/b/k?foo=1', [], { date: 'D' })).toBe('GET\n\n\nD\n/b/k');
    expect(sigV2StringToSign('GET', '', [], { date: 'D' })).toBe('GET\n\n\nD\n/');
  });

  it('matches an independent HMAC for a multipart upload part', () => {
    const query: Pairs = [['uploadId', 'xyz'], ['partNumber', '3']];
    const sts = sigV2StringToSign('PUT', '/k', query, { date: 'D', 'content-md5': 'm' }, { bucket: 'b' });
    expect(sts).toBe('PUT\nm\n\nD\n/b/k?partNumber=3&uploadId=xyz');
    const parsed = parseSigV2('PUT', '/k', query, { authorization: `AWS ${AKID}:${sign(sts)}` })!;
    expect(verifySigV2(parsed, sts, SECRET)).toBe(true);
  });
});

describe('parseSigV2', () => {
  const q = (pairs: Pairs) => parseSigV2('GET', '/', pairs, {});
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return e instanceof SigV4Error ? e.code : 'other';
    }
    return 'none';
  };

  it('returns null for SigV4 and for anonymous requests', () => {
    expect(parseSigV2('GET', '/', [], { authorization: 'AWS4-HMAC-SHA256 Credential=x' })).toBeNull();
    expect(q([['Expires', '10']])).toBeNull();
    expect(q([])).toBeNull();
  });

  it('refuses an Authorization without a colon, with an empty part or a non-base64 signature', () => {
    for (const value of ['AWS AKID', 'AWS :sig=', 'AWS AKID:', 'AWS AKID:not base64!', 'AWS AK ID:abc=']) {
      expect(code(() => parseSigV2('GET', '/', [], { authorization: value }))).toBe('SIGV4_V2_MALFORMED');
    }
  });

  it('refuses query auth that lacks a part or has a non-numeric Expires', () => {
    expect(code(() => q([['AWSAccessKeyId', AKID], ['Signature', 'abc=']]))).toBe('SIGV4_V2_MALFORMED');
    expect(code(() => q([['Signature', 'abc='], ['Expires', '1']]))).toBe('SIGV4_V2_MALFORMED');
    expect(code(() => q([['AWSAccessKeyId', AKID], ['Signature', 'abc='], ['Expires', '1e9']]))).toBe('SIGV4_V2_MALFORMED');
  });

  it('refuses credentials sent both in the header and in the query', () => {
    const query: Pairs = [['AWSAccessKeyId', AKID], ['Signature', 'abc='], ['Expires', '1']];
    expect(code(() => parseSigV2('GET', '/', query, { authorization: `AWS ${AKID}:abc=` }))).toBe('SIGV4_V2_MALFORMED');
  });

  it('restores a "+" that form decoding turned into a space', () => {
    const parsed = q([['AWSAccessKeyId', AKID], ['Signature', 'Npg zrM='], ['Expires', '1']]);
    expect(parsed?.signature).toBe('Npg+zrM=');
  });

  it('throws SIGV4_V2_EXPIRED for query auth past Expires', () => {
    const parsed = q([['AWSAccessKeyId', AKID], ['Signature', 'abc='], ['Expires', '1000']])!;
    expect(code(() => verifySigV2(parsed, 's', SECRET, new Date(1001 * 1000)))).toBe('SIGV4_V2_EXPIRED');
  });

  it('rejects a signature with trailing junk the base64 decoder would ignore', () => {
    const sts = 'GET\n\n\nD\n/';
    const good = createHmac('sha1', SECRET).update(sts).digest('base64');
    expect(verifySigV2({ kind: 'header', accessKeyId: AKID, signature: good + 'AAAA' }, sts, SECRET)).toBe(false);
    expect(verifySigV2({ kind: 'header', accessKeyId: AKID, signature: good.replace(/=$/, '') }, sts, SECRET)).toBe(false);
  });
});

describe('parseSigV2 under random input', () => {
  const outcome = (f: () => unknown): boolean => {
    try {
      f();
      return true;
    } catch (e) {
      return e instanceof SigV4Error && e.code === 'SIGV4_V2_MALFORMED';
    }
  };

  it('only returns null, a result, or throws SigV4Error for any Authorization value', () => {
    const valid = `AWS ${AKID}:bWq2s1WEIj+Ydj0vQ697zp+IXMU=`;
    const value = fc.oneof(
      fc.string(),
      fc.string().map((s) => 'AWS ' + s),
      fc.nat({ max: valid.length }).map((n) => valid.slice(0, n)),
      fc.tuple(fc.nat({ max: valid.length }), fc.string()).map(([n, s]) => valid.slice(0, n) + s),
    );
    fc.assert(fc.property(value, (v) => outcome(() => parseSigV2('GET', '/', [], { authorization: v }))), { numRuns: 2000 });
  });

  it('only returns null, a result, or throws SigV4Error for any query pairs', () => {
    const name = fc.constantFrom('AWSAccessKeyId', 'Signature', 'Expires', 'x', 'acl');
    const pairs = fc.array(fc.tuple(name, fc.string()), { maxLength: 6 });
    fc.assert(fc.property(pairs, (p) => outcome(() => parseSigV2('GET', '/', p, {}))), { numRuns: 2000 });
  });
});
