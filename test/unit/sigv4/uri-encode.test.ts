import { describe, expect, it } from 'vitest';
import { uriEncode, uriEncodePath } from '../../../src/sigv4/uri-encode.js';

describe('uriEncode', () => {
  it('leaves the unreserved set alone', () => {
    expect(uriEncode('AZaz09-._~')).toBe('AZaz09-._~');
  });
  it('encodes space as %20, plus as %2B and slash as %2F with uppercase hex', () => {
    expect(uriEncode('a b+c/d')).toBe('a%20b%2Bc%2Fd');
  });
  it("encodes the sub-delimiters encodeURIComponent would keep: ! ' ( ) *", () => {
    expect(uriEncode("!'()*")).toBe('%21%27%28%29%2A');
  });
  it('encodes UTF-8 bytes', () => {
    expect(uriEncode('ü日')).toBe('%C3%BC%E6%97%A5');
  });
  it('throws on a lone surrogate, which cannot be UTF-8', () => {
    expect(() => uriEncode('\ud800')).toThrow(URIError);
  });
});

describe('uriEncodePath', () => {
  it('keeps slashes, empty segments, dot segments and a trailing slash', () => {
    expect(uriEncodePath('/b/a//./../c d/')).toBe('/b/a//./../c%20d/');
  });
  it('encodes the published example key', () => {
    expect(uriEncodePath('/test$file.text')).toBe('/test%24file.text');
  });
});
