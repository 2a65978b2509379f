import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SignetError } from '../../../src/errors.js';
import { checkDeleteEntries, checkPolicy, deleteNeedsKeyCheck, Glob, iamAction, parseCopySource, versionIdOf } from '../../../src/proxy/client-policy.js';
import { parseInboundClients } from '../../../src/proxy/inbound-clients.js';

const YAML = `# two teams
clients:
  - accessKeyId: TEAMAKEY
    secretEnv: TEAM_A_SECRET
    name: team-a
    buckets: ["team-a-*"]
    keys: ["uploads/*"]
    actions: ["read-only", "s3:PutObject"]
  - accessKeyId: ADMINKEY
    secret: admin-secret
`;

function policyOf(id: string) {
  return parseInboundClients(YAML, 'keys.yaml', { TEAM_A_SECRET: 'from-env' }).get(id)!;
}

function denied(f: () => void): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SignetError);
    return (e as SignetError).code;
  }
  return 'allowed';
}

describe('--inbound-keys with clients and policies', () => {
  it('reads secrets from the file or the environment, names, and keeps the flat form working', () => {
    expect(policyOf('TEAMAKEY')).toMatchObject({ secret: 'from-env', name: 'team-a' });
    expect(policyOf('ADMINKEY')).toMatchObject({ secret: 'admin-secret', name: 'ADMINKEY', policy: null });
    expect(parseInboundClients('K1 s1\n# c\nK2 s2\n', 'flat').get('K2')).toMatchObject({ secret: 's2', policy: null });
  });

  it('refuses bad files in one line naming the entry, never the secret', () => {
    const bad = (text: string, env = {}) => {
      try {
        parseInboundClients(text, 'k.yaml', env);
      } catch (e) {
        return (e as Error).message;
      }
      return 'parsed';
    };
    expect(bad('clients:\n  - accessKeyId: A\n    secretEnv: NOPE\n')).toBe('--inbound-keys k.yaml clients[0]: environment variable NOPE (secretEnv) is not set');
    expect(bad('clients:\n  - accessKeyId: A\n    secret: s3cr3t\n    secretEnv: X\n')).toMatch(/exactly one of secret/);
    expect(bad('clients:\n  - accessKeyId: A\n    secret: s3cr3t\n    bucket: [x]\n')).toMatch(/unknown field "bucket"/);
    expect(bad('clients:\n  - accessKeyId: A\n    secret: s3cr3t\n  - accessKeyId: A\n    secret: other\n')).toMatch(/listed twice/);
    expect(bad('clients: []\n')).toMatch(/non-empty "clients:" list/);
    expect(bad('clients:\n  - accessKeyId: A\n    secret: s3cr3t\n    actions: []\n')).toMatch(/actions: expected a non-empty list/);
    for (const m of [bad('clients:\n  - accessKeyId: A\n    secret: s3cr3t\n    bucket: [x]\n')]) expect(m).not.toContain('s3cr3t');
  });

  it('maps operations to IAM actions as S3 checks them', () => {
    expect(iamAction('HeadObject')).toBe('s3:GetObject');
    expect(iamAction('ListObjectsV2')).toBe('s3:ListBucket');
    expect(iamAction('UploadPart')).toBe('s3:PutObject');
    expect(iamAction('DeleteObject')).toBe('s3:DeleteObject');
  });

  it('allows and denies by action, bucket and key; copies need read access to their source', () => {
    const p = policyOf('TEAMAKEY').policy!;
    const r = (operation: string, bucket: string, key = '', copySource = '') => denied(() => checkPolicy(p, { operation, bucket, key, copySource }));
    expect(r('GetObject', 'team-a-data', 'uploads/x/y')).toBe('allowed');
    expect(r('ListObjectsV2', 'team-a-data')).toBe('allowed');
    expect(r('UploadPart', 'team-a-data', 'uploads/big')).toBe('allowed');
    expect(r('DeleteObject', 'team-a-data', 'uploads/x')).toBe('AccessDenied');
    expect(r('GetObject', 'team-b-data', 'uploads/x')).toBe('AccessDenied');
    expect(r('GetObject', 'team-a-data', 'secrets/x')).toBe('AccessDenied');
    expect(r('PutBucketPolicy', 'team-a-data')).toBe('AccessDenied');
    expect(r('Other', 'team-a-data', 'uploads/x')).toBe('AccessDenied');
    expect(r('CopyObject', 'team-a-data', 'uploads/copy', '/team-a-data/uploads/src')).toBe('allowed');
    expect(r('CopyObject', 'team-a-data', 'uploads/copy', 'team-b-data/uploads/src')).toBe('AccessDenied');
    expect(r('CopyObject', 'team-a-data', 'uploads/copy', '/team-a-data/secrets%2Fsrc?versionId=1')).toBe('AccessDenied');
    expect(r('DeleteObjects', 'team-a-data')).toBe('AccessDenied');
  });

  it('checks DeleteObjects per entry: s3:DeleteObject on each key, s3:DeleteObjectVersion for a version', () => {
    const clients = parseInboundClients(`clients:
  - accessKeyId: DEL
    secret: s
    keys: ["tmp/*"]
    actions: ["s3:DeleteObject"]
  - accessKeyId: DELV
    secret: s
    keys: ["tmp/*"]
    actions: ["s3:DeleteObject*"]
  - accessKeyId: ALLKEYS
    secret: s
    actions: ["s3:DeleteObject"]
  - accessKeyId: EVERYTHING
    secret: s
    actions: ["s3:*"]
`, 'k.yaml');
    const p = (id: string) => clients.get(id)!.policy!;
    const check = (id: string, entries: Array<{ key: string; versionId: string }>) => denied(() => checkDeleteEntries(p(id), entries));
    expect(deleteNeedsKeyCheck(p('DEL'))).toBe(true);
    expect(deleteNeedsKeyCheck(p('ALLKEYS'))).toBe(true);
    expect(deleteNeedsKeyCheck(p('EVERYTHING'))).toBe(false);
    expect(denied(() => checkPolicy(p('DEL'), { operation: 'DeleteObjects', bucket: 'b', key: '', copySource: '' }))).toBe('allowed');
    expect(check('DEL', [{ key: 'tmp/a', versionId: '' }, { key: 'tmp/b/c', versionId: '' }])).toBe('allowed');
    expect(check('DEL', [{ key: 'tmp/a', versionId: '' }, { key: 'keep/b', versionId: '' }])).toBe('AccessDenied');
    expect(check('DEL', [{ key: 'tmp/a', versionId: 'v1' }])).toBe('AccessDenied');
    expect(check('DELV', [{ key: 'tmp/a', versionId: 'v1' }])).toBe('allowed');
    expect(check('DELV', [{ key: 'keep/a', versionId: 'v1' }])).toBe('AccessDenied');
    expect(check('ALLKEYS', [{ key: 'any/thing', versionId: '' }])).toBe('allowed');
    expect(check('ALLKEYS', [{ key: 'any/thing', versionId: 'v1' }])).toBe('AccessDenied');
  });

  it('needs the *Version action for a request that names a version, as IAM does', () => {
    const clients = parseInboundClients(`clients:
  - accessKeyId: PLAIN
    secret: s
    actions: ["s3:GetObject", "s3:DeleteObject", "s3:PutObject", "s3:GetObjectTagging"]
  - accessKeyId: READONLY
    secret: s
    actions: ["read-only", "s3:PutObject"]
`, 'k.yaml');
    const r = (id: string, operation: string, versionId: string, copySource = '') =>
      denied(() => checkPolicy(clients.get(id)!.policy!, { operation, bucket: 'b', key: 'k', copySource, versionId }));
    expect(r('PLAIN', 'GetObject', '')).toBe('allowed');
    expect(r('PLAIN', 'GetObject', 'v1')).toBe('AccessDenied');
    expect(r('PLAIN', 'HeadObject', 'v1')).toBe('AccessDenied');
    expect(r('PLAIN', 'DeleteObject', 'v1')).toBe('AccessDenied');
    expect(r('PLAIN', 'GetObjectTagging', 'v1')).toBe('AccessDenied');
    expect(r('PLAIN', 'PutObject', 'v1')).toBe('allowed');
    expect(r('PLAIN', 'CopyObject', '', '/b/src')).toBe('allowed');
    expect(r('PLAIN', 'CopyObject', '', '/b/src?versionId=v1')).toBe('AccessDenied');
    expect(r('READONLY', 'GetObject', 'v1')).toBe('allowed');
    expect(r('READONLY', 'CopyObject', '', '/b/src?versionId=v1')).toBe('allowed');
    expect(versionIdOf([['uploadId', 'u'], ['versionId', 'v9']])).toBe('v9');
    expect(versionIdOf([])).toBe('');
  });

  it('parses x-amz-copy-source in its forms', () => {
    expect(parseCopySource('/b/k%20x?versionId=3')).toEqual({ bucket: 'b', key: 'k x', versioned: true });
    expect(parseCopySource('/b/k%20x?other=3')).toEqual({ bucket: 'b', key: 'k x' });
    expect(parseCopySource('b/dir/k')).toEqual({ bucket: 'b', key: 'dir/k' });
    expect(parseCopySource('/nokey')).toBeNull();
    expect(parseCopySource('/b/%E0%A4%A')).toBeNull();
  });
});

describe('Glob', () => {
  const reference = (pattern: string): RegExp =>
    new RegExp('^' + [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&'))).join('') + '$', 's');

  it('matches as the equivalent regular expression does (property, short inputs)', () => {
    fc.assert(fc.property(fc.stringMatching(/^[ab*?/]{0,8}$/), fc.stringMatching(/^[ab/]{0,10}$/), (pattern, value) => {
      expect(new Glob(pattern).test(value)).toBe(reference(pattern).test(value));
    }), { numRuns: 2000 });
  });

  it('takes linear-ish time on a pattern that makes a RegExp backtrack', () => {
    const key = 'a'.repeat(1024) + 'b';
    const started = process.hrtime.bigint();
    expect(new Glob('*a*a*a*a*a*a*a*c').test(key)).toBe(false);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(500);
  });
});
