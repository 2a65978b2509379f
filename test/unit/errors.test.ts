import { describe, expect, it } from 'vitest';
import { errors } from 'undici';
import { SignetError, toSignetError } from '../../src/errors.js';

// What a client is told for what broke: the upstream's failures are 502/504, never signet's 500.
describe('toSignetError', () => {
  it('passes a SignetError through', () => {
    const e = new SignetError('SlowDown', 'x');
    expect(toSignetError(e)).toBe(e);
  });

  it.each([
    [new errors.HeadersTimeoutError(), 'GatewayTimeout'],
    [new errors.BodyTimeoutError(), 'GatewayTimeout'],
    [new errors.ConnectTimeoutError(), 'GatewayTimeout'],
    [new errors.SocketError('other side closed'), 'BadGateway'],
    [new errors.HeadersOverflowError(), 'BadGateway'],
    [new errors.ResponseContentLengthMismatchError(), 'BadGateway'],
    [new errors.HTTPParserError('Response does not match the HTTP/1.1 protocol (Invalid header value char)'), 'BadGateway'],
    [Object.assign(new errors.HTTPParserError('Invalid status'), { code: 'HPE_INVALID_STATUS' }), 'BadGateway'],
    [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'BadGateway'],
  ])('maps undici %s to %s', (err, code) => {
    expect(toSignetError(err).code).toBe(code);
  });

  it('keeps InternalError for what is signet\'s own failure', () => {
    expect(toSignetError(new TypeError('x is undefined')).code).toBe('InternalError');
    expect(toSignetError('a string').code).toBe('InternalError');
  });
});
