import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observability/index.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const TOKEN = 'FQoGZXIvYXdzEXAMPLETOKEN';
const SIGNATURE = 'fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024';
const KEY_ID = 'AKIAIOSFODNN7EXAMPLE';

function capture(level = 'trace') {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger({ level, destination }), lines };
}

describe('createLogger', () => {
  it('writes JSON lines with the service name, an ISO time and the message', () => {
    const { logger, lines } = capture();
    logger.info({ op: 'GetObject' }, 'done');
    const line = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(line).toMatchObject({ level: 30, service: 'signet', op: 'GetObject', msg: 'done' });
    expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('names the worker process on every line when it is one (--workers)', () => {
    const lines: string[] = [];
    const destination = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    createLogger({ level: 'info', destination, worker: 2 }).info({}, 'hello');
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ service: 'signet', worker: 2, msg: 'hello' });
    const { logger, lines: single } = capture();
    logger.info({}, 'hello');
    expect(JSON.parse(single[0] ?? '')).not.toHaveProperty('worker');
  });

  it('honours the level', () => {
    const { logger, lines } = capture('warn');
    logger.info('hidden');
    logger.warn('shown');
    expect(lines).toHaveLength(1);
    expect(logger.isLevelEnabled('debug')).toBe(false);
  });

  it('removes secrets from request headers, credentials and signing details', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        req: {
          method: 'PUT',
          url: '/bucket/key',
          headers: { authorization: `AWS4-HMAC-SHA256 Credential=${KEY_ID}/x, Signature=${SIGNATURE}`, 'x-amz-security-token': TOKEN },
        },
        upstream: { authorization: `AWS4-HMAC-SHA256 Signature=${SIGNATURE}`, 'x-amz-security-token': TOKEN },
        credentials: { accessKeyId: KEY_ID, secretAccessKey: SECRET, sessionToken: TOKEN },
        chunk: { signature: SIGNATURE },
        secretAccessKey: SECRET,
        sessionToken: TOKEN,
        'x-amz-security-token': TOKEN,
      },
      'signed',
    );
    const text = lines.join('');
    for (const secret of [SECRET, TOKEN, SIGNATURE, KEY_ID]) expect(text).not.toContain(secret);
    const line = JSON.parse(text) as { req: { headers: Record<string, string> }; credentials: Record<string, string> };
    expect(line.req.headers.authorization).toBe('[REDACTED]');
    expect(line.credentials.secretAccessKey).toBe('[REDACTED]');
    expect(line.req.headers).toHaveProperty('x-amz-security-token', '[REDACTED]');
  });

  it('masks signatures, credentials and tokens inside a logged URL, keeping the other parameters', () => {
    const { logger, lines } = capture();
    const query = `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${KEY_ID}%2F20130524%2Fus-east-1&X-Amz-Signature=${SIGNATURE}&x-amz-security-token=${TOKEN}&part=1`;
    logger.info({ req: { method: 'GET', url: `/b/k?${query}` }, url: `/b/k?AWSAccessKeyId=${KEY_ID}&Signature=${SIGNATURE}` });
    const text = lines.join('');
    for (const secret of [TOKEN, SIGNATURE, KEY_ID]) expect(text).not.toContain(secret);
    expect(text).toContain('X-Amz-Algorithm=AWS4-HMAC-SHA256');
    expect(text).toContain('part=1');
  });

  it('serializes errors with their message and stack', () => {
    const { logger, lines } = capture();
    logger.error({ err: new Error('boom') }, 'failed');
    const line = JSON.parse(lines[0] ?? '') as { err: { message: string; stack: string } };
    expect(line.err.message).toBe('boom');
    expect(line.err.stack).toContain('Error: boom');
  });
});

describe('SSE-C customer keys', () => {
  const KEY = 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=';
  it('are masked in request header maps, at the top level and one level down', () => {
    const { logger, lines } = capture();
    const headers = {
      'x-amz-server-side-encryption-customer-key': KEY,
      'x-amz-copy-source-server-side-encryption-customer-key': KEY,
    };
    logger.debug({ req: { headers } }, 'req');
    logger.debug({ ...headers }, 'top');
    logger.debug({ upstream: headers }, 'nested');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).not.toContain(KEY);
  });
});
