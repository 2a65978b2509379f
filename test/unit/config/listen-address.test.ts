import { describe, expect, it } from 'vitest';
import { formatListenAddress, parseListenAddress } from '../../../src/config/listen-address.js';

describe('parseListenAddress', () => {
  it.each([
    ['127.0.0.1:8080', '127.0.0.1', 8080],
    [':8080', '0.0.0.0', 8080],
    ['0.0.0.0:8080', '0.0.0.0', 8080],
    ['[::1]:8080', '::1', 8080],
    ['[::]:9090', '::', 9090],
    ['localhost:0', 'localhost', 0],
  ])('reads %s as host %s port %d', (text, host, port) => {
    expect(parseListenAddress(text)).toEqual({ host, port });
  });

  it.each(['8080', '127.0.0.1', '127.0.0.1:70000', '::1:8080', 'host:port', '[::1]', 'a b:1'])('rejects %j', (text) => {
    expect(parseListenAddress(text)).toBeUndefined();
  });

  it('formats IPv6 hosts with brackets so the text parses back', () => {
    expect(formatListenAddress({ host: '::1', port: 1 })).toBe('[::1]:1');
    expect(formatListenAddress({ host: '127.0.0.1', port: 1 })).toBe('127.0.0.1:1');
  });
});
