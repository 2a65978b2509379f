import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseS3Error, renderS3Error } from '../../../src/s3/s3-error-xml.js';
import { escapeXml, unescapeXml } from '../../../src/s3/xml-escape.js';

const DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';

describe('renderS3Error', () => {
  it('writes Code, Message, Resource and RequestId in the S3 layout', () => {
    expect(renderS3Error({ code: 'NoSuchKey', message: 'The specified key does not exist.', resource: '/b/k', requestId: 'r1' })).toBe(
      DECL +
        '<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>' +
        '<Resource>/b/k</Resource><RequestId>r1</RequestId></Error>',
    );
  });

  it('escapes markup and quotes in every value', () => {
    const xml = renderS3Error({ code: 'A&B', message: `<"it's">`, resource: '/b/a&b<c>', extra: { Key: 'x>y' } });
    expect(xml).toBe(
      DECL +
        '<Error><Code>A&amp;B</Code><Message>&lt;&quot;it&apos;s&quot;&gt;</Message>' +
        '<Resource>/b/a&amp;b&lt;c&gt;</Resource><Key>x&gt;y</Key></Error>',
    );
  });

  it('omits optional elements that were not given', () => {
    expect(renderS3Error({ code: 'C', message: 'M' })).toBe(DECL + '<Error><Code>C</Code><Message>M</Message></Error>');
  });

  it('refuses an extra element name that would break the document', () => {
    expect(() => renderS3Error({ code: 'C', message: 'M', extra: { 'a><b': 'x' } })).toThrow(TypeError);
  });

  it('parses back what it renders, for any text', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string(), fc.string(), fc.string(), (code, message, resource, key) => {
        const parsed = parseS3Error(renderS3Error({ code, message, resource, requestId: 'id', extra: { Key: key } }));
        expect(parsed).not.toBeNull();
        expect([parsed!.code, parsed!.message, parsed!.resource, parsed!.fields['Key'], parsed!.requestId]).toEqual([
          code, message, resource, key, 'id',
        ]);
      }),
      { numRuns: 500 },
    );
  });
});

describe('xml escaping', () => {
  it('decodes named, decimal and hex entities and leaves unknown ones alone', () => {
    expect(unescapeXml('a &amp; b &lt;&gt; &#65;&#x42; &nbsp; &#xFFFFFFF;')).toBe('a & b <> AB &nbsp; &#xFFFFFFF;');
  });

  it('returns the very same string when there is nothing to escape', () => {
    const s = 'plain text';
    expect(escapeXml(s)).toBe(s);
  });
});

describe('parseS3Error on bodies shaped like real S3 errors', () => {
  it('reads a SignatureDoesNotMatch with its canonical request, newlines and entities kept', () => {
    const body =
      DECL +
      '<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided. Check your key and signing method.</Message>' +
      '<AWSAccessKeyId>AKIAIOSFODNN7EXAMPLE</AWSAccessKeyId>' +
      '<StringToSign>AWS4-HMAC-SHA256\n20240101T000000Z\n20240101/us-east-1/s3/aws4_request\nabc123</StringToSign>' +
      '<SignatureProvided>deadbeef</SignatureProvided><StringToSignBytes>41 57 53</StringToSignBytes>' +
      '<CanonicalRequest>GET\n/b/k\na=1&amp;b=2\nhost:b.example\n\nhost\nUNSIGNED-PAYLOAD</CanonicalRequest>' +
      '<CanonicalRequestBytes>47 45 54</CanonicalRequestBytes><RequestId>4442587FB7D0A2F9</RequestId>' +
      '<HostId>aGVsbG8=</HostId></Error>';
    const parsed = parseS3Error(body)!;
    expect(parsed.code).toBe('SignatureDoesNotMatch');
    expect(parsed.canonicalRequest).toBe('GET\n/b/k\na=1&b=2\nhost:b.example\n\nhost\nUNSIGNED-PAYLOAD');
    expect(parsed.stringToSign).toBe('AWS4-HMAC-SHA256\n20240101T000000Z\n20240101/us-east-1/s3/aws4_request\nabc123');
    expect(parsed.awsAccessKeyId).toBe('AKIAIOSFODNN7EXAMPLE');
    expect(parsed.signatureProvided).toBe('deadbeef');
    expect(parsed.requestId).toBe('4442587FB7D0A2F9');
    expect(parsed.hostId).toBe('aGVsbG8=');
    expect(parsed.fields['CanonicalRequestBytes']).toBe('47 45 54');
  });

  it('reads the Endpoint and Bucket of a PermanentRedirect', () => {
    const body =
      DECL +
      '<Error>\n  <Code>PermanentRedirect</Code>\n  <Message>The bucket you are attempting to access must be addressed using the specified endpoint.</Message>\n' +
      '  <Endpoint>examplebucket.s3.eu-west-1.amazonaws.com</Endpoint>\n  <Bucket>examplebucket</Bucket>\n' +
      '  <RequestId>R</RequestId>\n  <HostId>H</HostId>\n</Error>\n';
    const parsed = parseS3Error(body)!;
    expect(parsed).toMatchObject({
      code: 'PermanentRedirect',
      endpoint: 'examplebucket.s3.eu-west-1.amazonaws.com',
      bucket: 'examplebucket',
      requestId: 'R',
      hostId: 'H',
    });
  });

  it('reads the Region of an AuthorizationHeaderMalformed', () => {
    const body =
      '<Error><Code>AuthorizationHeaderMalformed</Code><Message>The authorization header is malformed; the region &apos;us-east-1&apos; is wrong; expecting &apos;eu-west-1&apos;</Message>' +
      '<Region>eu-west-1</Region><RequestId>R</RequestId><HostId>H</HostId></Error>';
    const parsed = parseS3Error(body)!;
    expect(parsed.region).toBe('eu-west-1');
    expect(parsed.message).toContain("the region 'us-east-1' is wrong");
  });

  it('reads the times of a RequestTimeTooSkewed', () => {
    const body =
      '<Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the request time and the current time is too large.</Message>' +
      '<RequestTime>20240101T000000Z</RequestTime><ServerTime>2024-01-01T00:20:00Z</ServerTime>' +
      '<MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds><RequestId>R</RequestId><HostId>H</HostId></Error>';
    expect(parseS3Error(body)).toMatchObject({
      requestTime: '20240101T000000Z',
      serverTime: '2024-01-01T00:20:00Z',
      maxAllowedSkewMilliseconds: '900000',
    });
  });

  it('accepts self-closing and CDATA elements and skips nested ones', () => {
    const parsed = parseS3Error('<Error><Code>X</Code><Message/><Resource><![CDATA[/a<b]]></Resource><Nest><A>1</A></Nest><RequestId>R</RequestId></Error>')!;
    expect(parsed.message).toBe('');
    expect(parsed.resource).toBe('/a<b');
    expect(parsed.fields['Nest']).toBeUndefined();
    expect(parsed.requestId).toBe('R');
  });

  it('returns null for bodies that are not S3 errors', () => {
    for (const body of ['', 'not xml', '<ListBucketResult></ListBucketResult>', '<Error><Message>m</Message></Error>', '<Error><Code>']) {
      expect(parseS3Error(body)).toBeNull();
    }
  });

  it('keeps "__proto__" elements as data, never as a prototype', () => {
    const parsed = parseS3Error('<Error><Code>X</Code><__proto__>p</__proto__></Error>')!;
    expect(parsed.fields['__proto__']).toBe('p');
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
  });

  it('never throws on truncated or random bodies', () => {
    const full = renderS3Error({ code: 'C', message: 'M&<', resource: 'r', requestId: 'q' });
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.nat({ max: full.length }).map((n) => full.slice(0, n))), (body) => {
        const parsed = parseS3Error(body);
        expect(parsed === null || typeof parsed.code === 'string').toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
