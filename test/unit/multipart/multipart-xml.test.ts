import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { completeBody, parseCompleteAnswer, tagText } from '../../../src/multipart/multipart-xml.js';
import type { CompletedPart } from '../../../src/multipart/multipart-xml.js';
import { escapeXml } from '../../../src/s3/xml-escape.js';

const algorithms = fc.constantFrom(undefined, 'crc32' as const, 'crc32c' as const, 'sha1' as const, 'sha256' as const);
const ELEMENT = { crc32: 'ChecksumCRC32', crc32c: 'ChecksumCRC32C', sha1: 'ChecksumSHA1', sha256: 'ChecksumSHA256' } as const;

const parts = fc.array(fc.record({
  etag: fc.oneof(fc.stringMatching(/^[0-9a-f]{32}$/).map((h) => `"${h}"`), fc.string()),
  checksum: fc.base64String({ minLength: 8, maxLength: 44 }),
}), { maxLength: 30 }).map((xs): CompletedPart[] => xs.map((x, i) => ({ partNumber: i + 1, ...x })));

describe('tagText', () => {
  it('reads back any text escaped into an element', () => {
    fc.assert(fc.property(fc.string(), fc.string(), (text, before) => {
      expect(tagText(`<R>${escapeXml(before)}<UploadId>${escapeXml(text)}</UploadId></R>`, 'UploadId')).toBe(text);
    }));
  });

  it('takes the first element, and is undefined when it is missing or not closed', () => {
    expect(tagText('<A><ETag>1</ETag><ETag>2</ETag></A>', 'ETag')).toBe('1');
    expect(tagText('<A><Key>k</Key></A>', 'ETag')).toBeUndefined();
    expect(tagText('<A><ETag>"x"', 'ETag')).toBeUndefined();
    expect(tagText('<ETag>&quot;abc-3&quot;</ETag>', 'ETag')).toBe('"abc-3"');
  });
});

describe('completeBody', () => {
  it('lists every part in order with its ETag (escaped) and, with an algorithm, its checksum', () => {
    fc.assert(fc.property(parts, algorithms, (ps, algorithm) => {
      const xml = completeBody(ps, algorithm);
      expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">')).toBe(true);
      expect(xml.endsWith('</CompleteMultipartUpload>')).toBe(true);
      const found = [...xml.matchAll(/<Part>(.*?)<\/Part>/g)].map((m) => m[1]!);
      expect(found).toHaveLength(ps.length);
      found.forEach((part, i) => {
        expect(tagText(part, 'PartNumber')).toBe(String(i + 1));
        expect(tagText(part, 'ETag')).toBe(ps[i]!.etag);
        for (const [alg, element] of Object.entries(ELEMENT)) {
          expect(tagText(part, element)).toBe(alg === algorithm ? ps[i]!.checksum : undefined);
        }
      });
    }));
  });
});

describe('parseCompleteAnswer', () => {
  it('takes the ETag of a CompleteMultipartUploadResult, unescaped', () => {
    const xml = '<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUploadResult><Location>l</Location><Bucket>b</Bucket><Key>k</Key><ETag>&quot;3858f62230ac3c915f300c664312c11f-9&quot;</ETag></CompleteMultipartUploadResult>';
    expect(parseCompleteAnswer(xml)).toEqual({ etag: '"3858f62230ac3c915f300c664312c11f-9"' });
  });

  it('turns a 200 that carries an <Error> into its code and message', () => {
    const xml = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message><RequestId>r</RequestId></Error>';
    expect(parseCompleteAnswer(xml)).toEqual({ code: 'InternalError', message: 'We encountered an internal error. Please try again.' });
    expect(parseCompleteAnswer('<Error><Message>m</Message></Error>')).toEqual({ code: 'InternalError', message: 'm' });
  });

  it('an answer without an ETag is an InternalError, not an empty ETag', () => {
    expect(parseCompleteAnswer('<CompleteMultipartUploadResult></CompleteMultipartUploadResult>')).toMatchObject({ code: 'InternalError' });
    expect(parseCompleteAnswer('')).toMatchObject({ code: 'InternalError' });
  });
});
