import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { Busboy } from '@fastify/busboy';
import { createChecksum, isChecksumAlgorithm } from './checksum.js';
import type { Checksum } from './checksum.js';
import { DEFAULT_CONTENT_TYPE, META_PREFIX, STORED_HEADERS } from './constants.js';
import type { ServerState } from './context.js';
import { DemoError, badDigest, invalidArgument, noSuchBucket } from './demo-error.js';
import { checkPolicy, parseCredential, required, signatureMatches } from './post-policy-check.js';
import type { SizeRange } from './post-policy-check.js';
import { sendEmpty, sendXml } from './respond.js';
import { newBucket, quotedMd5 } from './store.js';
import type { StoredObject } from './store.js';
import type { KeyStore } from './types.js';
import { s3Document } from './xml.js';

/** S3 keeps the form (everything but the file) small; so does this server. */
const MAX_FIELD_BYTES = 20 * 1024;
const MAX_FIELDS = 100;
/** The largest file this in-memory server takes in one POST, whatever the policy allows. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

export interface PostObjectContext {
  req: IncomingMessage;
  res: ServerResponse;
  state: ServerState;
  keys: KeyStore;
  bucketName: string;
  now: number;
}

/** A browser upload: POST to the bucket with a multipart/form-data body and no other auth. */
export function isPostObject(method: string, key: string, headers: Record<string, string>): boolean {
  return method === 'POST' && key === '' && /^multipart\/form-data\s*;/i.test(headers['content-type'] ?? '') &&
    headers['authorization'] === undefined;
}

const malformed = (): DemoError => new DemoError(400, 'MalformedPOSTRequest', 'The body of your POST request is not well-formed multipart/form-data.');

/** Authenticates the form once every field before the file has arrived. */
function authenticate(c: PostObjectContext, fields: Map<string, string>): SizeRange {
  const credential = parseCredential(fields);
  if (credential.region !== c.state.region) {
    throw new DemoError(400, 'AuthorizationQueryParametersError', `Error parsing the X-Amz-Credential parameter; the region '${credential.region}' is wrong; expecting '${c.state.region}'`);
  }
  const entry = c.keys.lookup(credential.accessKeyId);
  if (entry === undefined) throw new DemoError(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', [['AWSAccessKeyId', credential.accessKeyId]]);
  if (entry.expiresAt !== undefined && entry.expiresAt <= c.now) throw new DemoError(400, 'ExpiredToken', 'The provided token has expired.');
  if (fields.get('x-amz-security-token') !== entry.sessionToken) throw new DemoError(403, 'InvalidToken', 'The provided token is malformed or otherwise invalid.');
  if (!signatureMatches(fields, credential, entry.secretAccessKey)) {
    throw new DemoError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
  }
  return checkPolicy(fields, c.bucketName, c.now);
}

interface Received {
  fields: Map<string, string>;
  filename: string;
  mimeType: string;
  parts: Buffer[];
  size: number;
  md5: Buffer;
  checksums: StoredObject['checksums'];
}

/** Streams the form: fields into a bounded map, the file through the size and checksum checks. */
function receive(c: PostObjectContext): Promise<Received> {
  return new Promise((resolve, reject) => {
    const fields = new Map<string, string>();
    let result: Received | null = null;
    let failure: DemoError | null = null;
    let fileSeen = false;
    const fail = (err: unknown): void => {
      failure ??= err instanceof DemoError ? err : malformed();
    };
    let bb: ReturnType<typeof Busboy>;
    try {
      bb = new Busboy({
        headers: c.req.headers as { 'content-type': string },
        isPartAFile: (name) => name === 'file',
        limits: { fields: MAX_FIELDS, fieldSize: MAX_FIELD_BYTES, files: 1, parts: MAX_FIELDS + 1, fileSize: MAX_FILE_BYTES + 1 },
      });
    } catch {
      reject(malformed());
      return;
    }
    bb.on('field', (rawName, value, _nameTruncated, valueTruncated) => {
      // S3 ignores what comes after the file.
      if (fileSeen) return;
      const name = rawName.toLowerCase();
      if (valueTruncated) fail(invalidArgument(`Your POST field ${rawName} is too long.`, rawName, ''));
      else if (fields.has(name)) fail(invalidArgument(`Bucket POST has a duplicate field ${rawName}`, rawName, ''));
      else fields.set(name, value);
    });
    bb.on('file', (_name, stream: Readable & { truncated?: boolean }, filename, _te, mimeType) => {
      fileSeen = true;
      let range: SizeRange;
      let checksum: { algorithm: string; expected: string; running: Checksum } | null = null;
      try {
        range = authenticate(c, fields);
        for (const [name, value] of fields) {
          const alg = name.startsWith('x-amz-checksum-') ? name.slice('x-amz-checksum-'.length) : '';
          if (alg === 'algorithm' || alg === '') continue;
          if (!isChecksumAlgorithm(alg)) throw invalidArgument(`Unsupported checksum ${name}`, name, value);
          checksum = { algorithm: alg, expected: value, running: createChecksum(alg) };
        }
      } catch (err) {
        fail(err);
        stream.resume();
        return;
      }
      const md5 = createHash('md5');
      const parts: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        if (failure !== null) return;
        size += chunk.length;
        if (size > range.max || size > MAX_FILE_BYTES) {
          fail(new DemoError(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', [['ProposedSize', size], ['MaxSizeAllowed', range.max]]));
          return;
        }
        md5.update(chunk);
        checksum?.running.update(chunk);
        parts.push(chunk);
      });
      stream.on('end', () => {
        if (failure !== null) return;
        if (size < range.min) {
          fail(new DemoError(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', [['ProposedSize', size], ['MinSizeAllowed', range.min]]));
          return;
        }
        const checksums: StoredObject['checksums'] = {};
        if (checksum !== null) {
          const got = checksum.running.digestBase64();
          if (got !== checksum.expected) {
            fail(badDigest(`The ${checksum.algorithm.toUpperCase()} you specified did not match the calculated checksum.`));
            return;
          }
          checksums[checksum.algorithm as keyof StoredObject['checksums']] = got;
        }
        result = { fields, filename, mimeType, parts, size, md5: md5.digest(), checksums };
      });
    });
    // A malformed body ends the parse without 'finish': answer now, the server drains the rest.
    bb.on('error', (err: unknown) => {
      fail(err);
      c.req.unpipe(bb);
      reject(failure ?? malformed());
    });
    bb.on('finish', () => {
      if (failure !== null) reject(failure);
      else if (result === null) reject(fileSeen ? malformed() : invalidArgument('POST requires exactly one file upload per request.', 'file', '0'));
      else resolve(result);
    });
    c.req.on('error', () => fail(malformed()));
    c.req.pipe(bb);
  });
}

function storedHeaders(r: Received): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of STORED_HEADERS) {
    const v = r.fields.get(name);
    if (v !== undefined) headers[name] = v;
  }
  headers['content-type'] ??= r.mimeType !== '' ? r.mimeType : DEFAULT_CONTENT_TYPE;
  for (const [name, value] of r.fields) if (name.startsWith(META_PREFIX)) headers[name] = value;
  return headers;
}

/**
 * POST Object (S3 "POST Object" with SigV4 form auth): the form is authenticated before a byte
 * of the file is kept, the file is bounded by the policy's content-length-range while it streams,
 * and the answer follows success_action_redirect, then success_action_status (default 204).
 */
export async function postObject(c: PostObjectContext): Promise<void> {
  let bucket = c.state.buckets.get(c.bucketName);
  if (bucket === undefined && !c.state.autoCreateBuckets) throw noSuchBucket(c.bucketName);
  const r = await receive(c);
  bucket ??= c.state.buckets.get(c.bucketName);
  if (bucket === undefined) {
    bucket = newBucket(c.bucketName, c.now);
    c.state.buckets.set(c.bucketName, bucket);
  }
  const key = required(r.fields, 'key').replaceAll('${filename}', r.filename);
  if (key === '' || Buffer.byteLength(key) > 1024) throw invalidArgument('The key must be 1 to 1024 bytes', 'key', key);
  const object: StoredObject = {
    parts: c.state.discardBodies ? [] : r.parts, size: r.size, etag: quotedMd5(r.md5), lastModified: c.now,
    headers: storedHeaders(r), checksums: r.checksums,
  };
  bucket.objects.set(key, object);
  const host = c.req.headers.host ?? 'localhost';
  const location = `http://${host}/${encodeURIComponent(c.bucketName)}/${key.split('/').map(encodeURIComponent).join('/')}`;
  const headers = { etag: object.etag, location };
  const redirect = r.fields.get('success_action_redirect') ?? r.fields.get('redirect');
  if (redirect !== undefined && /^https?:\/\//.test(redirect)) {
    const target = new URL(redirect);
    target.searchParams.set('bucket', c.bucketName);
    target.searchParams.set('key', key);
    target.searchParams.set('etag', object.etag);
    sendEmpty(c.res, 303, { ...headers, location: target.href });
    return;
  }
  const status = r.fields.get('success_action_status');
  if (status === '201') {
    sendXml(c.res, 201, s3Document('PostResponse', [['Location', location], ['Bucket', c.bucketName], ['Key', key], ['ETag', object.etag]]), headers);
    return;
  }
  sendEmpty(c.res, status === '200' ? 200 : 204, headers);
}

