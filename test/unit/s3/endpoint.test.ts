import { describe, expect, it } from 'vitest';
import { parseUpstream } from '../../../src/config/upstream.js';
import { resolveEndpoint } from '../../../src/s3/endpoint.js';
import type { Upstream } from '../../../src/s3/endpoint.js';

function upstream(url: string): Upstream {
  const target = parseUpstream(url);
  if (typeof target === 'string') throw new Error(target);
  return target;
}

describe('resolveEndpoint', () => {
  const aws = upstream('https://s3.eu-west-1.amazonaws.com');
  const mrap = upstream('https://accesspoint.s3-global.amazonaws.com');

  it('puts DNS-compatible buckets in the host on AWS, dotted ones in the path', () => {
    expect(resolveEndpoint(aws, 'my-bucket', 'auto')).toEqual({ origin: 'https://my-bucket.s3.eu-west-1.amazonaws.com', host: 'my-bucket.s3.eu-west-1.amazonaws.com', virtualHosted: true });
    expect(resolveEndpoint(aws, 'my.bucket', 'auto')).toEqual({ origin: 'https://s3.eu-west-1.amazonaws.com', host: 's3.eu-west-1.amazonaws.com', virtualHosted: false });
  });

  it('puts a Multi-Region Access Point alias in the host: S3 has no path style for it (bucket names may not end in .mrap)', () => {
    expect(resolveEndpoint(mrap, 'mfzwi23gnjvgw.mrap', 'virtual')).toEqual({
      origin: 'https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com', host: 'mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com', virtualHosted: true,
    });
    expect(resolveEndpoint(mrap, 'a.b.mrap', 'virtual').virtualHosted).toBe(false);
    expect(resolveEndpoint(mrap, 'mfzwi23gnjvgw.mrap', 'path').virtualHosted).toBe(false);
  });
});
