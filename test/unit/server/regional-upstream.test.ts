import { describe, expect, it } from 'vitest';
import { parseUpstream } from '../../../src/config/index.js';
import type { UpstreamTarget } from '../../../src/config/index.js';
import { regionalUpstream } from '../../../src/server/signet.js';

const upstream = (url: string) => parseUpstream(url) as UpstreamTarget;

describe('regionalUpstream (where a redirected bucket is sent)', () => {
  it('follows the region on an AWS default endpoint', () => {
    const u = regionalUpstream(upstream('https://s3.us-west-2.amazonaws.com'))('eu-central-1');
    expect(u).toMatchObject({ origin: 'https://s3.eu-central-1.amazonaws.com', host: 's3.eu-central-1.amazonaws.com', port: 443, isAws: true });
  });

  it('keeps the configured scheme and a non-default port', () => {
    expect(regionalUpstream(upstream('http://s3.us-east-1.amazonaws.com'))('us-west-1')).toMatchObject({
      origin: 'http://s3.us-west-1.amazonaws.com', host: 's3.us-west-1.amazonaws.com', port: 80,
    });
    expect(regionalUpstream(upstream('https://s3.us-east-1.amazonaws.com:8443'))('us-west-1').host).toBe('s3.us-west-1.amazonaws.com:8443');
  });

  it('uses amazonaws.com.cn for China regions', () => {
    expect(regionalUpstream(upstream('https://s3.cn-north-1.amazonaws.com.cn'))('cn-northwest-1').origin).toBe('https://s3.cn-northwest-1.amazonaws.com.cn');
  });

  it('leaves custom endpoints and AWS endpoints that are not S3 regional ones alone', () => {
    const custom = upstream('http://127.0.0.1:9000');
    expect(regionalUpstream(custom)('eu-west-1')).toBe(custom);
    const vpce = upstream('https://bucket.vpce-1a2b3c4d-5e6f.s3.us-east-1.vpce.amazonaws.com');
    expect(regionalUpstream(vpce)('eu-west-1')).toBe(vpce);
  });
});
