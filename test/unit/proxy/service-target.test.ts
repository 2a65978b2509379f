import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseServiceTarget } from '../../../src/proxy/service-target.js';
import { signRequest } from '../../../src/sigv4/signer.js';
import { smithySigner } from '../../support/smithy-reference.js';

const KEYS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const DATE = new Date('2026-12-07T12:00:00Z');
const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** signet's Authorization for the normalised target vs smithy's (uriEscapePath) for the path as the client sent it. */
async function both(rawTarget: string, service = 'es'): Promise<[string, string]> {
  const t = parseServiceTarget(rawTarget);
  const headers = { host: 'search.example', 'x-amz-content-sha256': EMPTY, 'x-amz-date': '20261207T120000Z' };
  const ours = signRequest({ method: 'GET', path: t.path, query: t.query, headers: { host: 'search.example' } },
    { credentials: KEYS, region: 'eu-west-1', service, date: DATE, payloadHash: EMPTY, query: t.queryString });
  const q = rawTarget.indexOf('?');
  const query: Record<string, string> = {};
  for (const [n, v] of t.query) query[n] = v;
  const theirs = await smithySigner(KEYS, 'eu-west-1', service).sign({
    method: 'GET', protocol: 'https:', hostname: 'search.example', path: q === -1 ? rawTarget : rawTarget.slice(0, q), query, headers,
  }, { signingDate: DATE });
  return [ours.authorization, theirs.headers['authorization'] as string];
}

describe('parseServiceTarget (generic SigV4 services)', () => {
  it('normalises dot segments and empty segments, keeping the client\'s encoding and a trailing slash', () => {
    expect(parseServiceTarget('/idx//a/./b/../_doc/%2Fx%20y/?q=1').path).toBe('/idx/a/_doc/%2Fx%20y/');
    expect(parseServiceTarget('/../..').path).toBe('/');
    expect(parseServiceTarget('/').path).toBe('/');
    expect(parseServiceTarget('/a?b=c+d&e').query).toEqual([['b', 'c d'], ['e', '']]);
  });

  it('refuses a malformed escape or a target without a leading slash', () => {
    for (const target of ['/a%zz', '/a%2', 'a']) {
      expect(() => parseServiceTarget(target)).toThrow(expect.objectContaining({ code: 'InvalidURI', status: 400 }) as Error);
    }
  });

  it('signs exactly as @smithy/signature-v4 with uriEscapePath (double encoding) for fixed cases', async () => {
    for (const target of ['/', '/idx/_search', '/a//b/../c/./d/', '/_doc/%C3%A9t%C3%A9', '/x/%2F/y', "/it's(ok)*!", '/a b'.replace(' ', '%20'), '/2015-03-31/functions/f/invocations?Qualifier=%24LATEST']) {
      const [ours, theirs] = await both(target);
      expect(ours, target).toBe(theirs);
    }
  });

  it('signs exactly as smithy for any path a client can send (property)', async () => {
    const segment = fc.oneof(
      fc.constantFrom('', '.', '..', '%2F', '%20', '%25', '_doc', '~x', "a'b", '(c)', '*', '!'),
      fc.string({ unit: 'grapheme' }).map((s) => encodeURIComponent(s)),
    );
    await fc.assert(fc.asyncProperty(fc.array(segment, { maxLength: 8 }), fc.boolean(), async (segments, trailing) => {
      const target = '/' + segments.join('/') + (trailing ? '/' : '');
      const [ours, theirs] = await both(target);
      expect(ours).toBe(theirs);
    }), { numRuns: 300 });
  });
});
