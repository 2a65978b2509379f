import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness } from '../../support/harness.js';
import type { Harness } from '../../support/harness.js';
import { rawRequest } from '../../support/http.js';
import { metricValue, signedRegion } from './scope.js';

// signet believes us-west-2; the demo S3 lives in us-east-1 and refuses any other region's signature.
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ args: ['--region', 'us-west-2'] });
});
afterAll(async () => {
  await h.close();
});

async function metrics(): Promise<string> {
  return (await request(`${h.signet.admin!.url}/metrics`)).body.text();
}

describe('region discovery', () => {
  it('retries a request once in the region named by a 400 AuthorizationHeaderMalformed, then goes straight there', async () => {
    const before = h.s3.requests.length;
    const put = await rawRequest(h.url, { method: 'PUT', path: '/east/a.txt', headers: { 'content-length': 5 }, body: 'hello' });
    expect(put.status).toBe(200);
    const first = h.s3.requests.slice(before);
    expect(first.map((r) => [r.status, r.errorCode ?? '', signedRegion(r)])).toEqual([
      [400, 'AuthorizationHeaderMalformed', 'us-west-2'],
      [200, '', 'us-east-1'],
    ]);
    // The buffered body was sent whole both times.
    expect(first[1]!.bodyBytes).toBe(5);

    const mark = h.s3.requests.length;
    const get = await rawRequest(h.url, { path: '/east/a.txt' });
    expect(get.status).toBe(200);
    expect(get.body.toString()).toBe('hello');
    expect(h.s3.requests.slice(mark).map(signedRegion)).toEqual(['us-east-1']);
    expect(metricValue(await metrics(), 'signet_region_redirects_total')).toBe(1);
    expect(metricValue(await metrics(), 'signet_retries_total{reason="region"}')).toBe(1);
  });

  it('keeps what it learned per bucket: another bucket starts from the configured region again', async () => {
    const mark = h.s3.requests.length;
    expect((await rawRequest(h.url, { method: 'PUT', path: '/other', headers: { 'content-length': 0 } })).status).toBe(200);
    expect(h.s3.requests.slice(mark).map(signedRegion)).toEqual(['us-west-2', 'us-east-1']);
  });

  it('follows a 301 PermanentRedirect that names the region in x-amz-bucket-region', async () => {
    h.s3.faults.nextResponses = [{ status: 301, code: 'PermanentRedirect', headers: { 'x-amz-bucket-region': 'us-east-1' } }];
    const mark = h.s3.requests.length;
    const res = await rawRequest(h.url, { method: 'PUT', path: '/moved', headers: { 'content-length': 0 } });
    expect(res.status).toBe(200);
    const seen = h.s3.requests.slice(mark);
    expect(seen.map((r) => [r.status, signedRegion(r)])).toEqual([[301, 'us-west-2'], [200, 'us-east-1']]);
  });

  it('ignores a region from the upstream that is not a region name: no retry towards it, one warning', async () => {
    for (const bad of ['evil.example.com/x', 'us-east-1.attacker:80', '../../etc']) {
      h.s3.faults.nextResponses = [{
        status: 301, code: 'PermanentRedirect', headers: { 'x-amz-bucket-region': bad },
        body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PermanentRedirect</Code><Message>m</Message><Region>${bad}</Region></Error>`,
      }];
      const mark = h.s3.requests.length;
      const res = await rawRequest(h.url, { method: 'PUT', path: '/hostile-region', headers: { 'content-length': 0 } });
      expect(res.status, bad).toBe(301);
      expect(h.s3.requests.slice(mark).map(signedRegion), bad).toEqual(['us-west-2']);
    }
    expect(h.logs.filter((l) => l.includes('not a region name')).length).toBe(1);
  });

  it('follows a 301 whose body alone names the region', async () => {
    h.s3.faults.nextResponses = [{
      status: 301, code: 'PermanentRedirect',
      body: '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PermanentRedirect</Code><Message>Use the right endpoint</Message>' +
        '<Endpoint>s3.us-east-1.amazonaws.com</Endpoint><Bucket>bodyonly</Bucket><Region>us-east-1</Region></Error>',
    }];
    const mark = h.s3.requests.length;
    expect((await rawRequest(h.url, { method: 'PUT', path: '/bodyonly', headers: { 'content-length': 0 } })).status).toBe(200);
    expect(h.s3.requests.slice(mark).map(signedRegion)).toEqual(['us-west-2', 'us-east-1']);
  });

  it('does not resend a streamed body: the client gets the error, and the next request goes to the learned region', async () => {
    const h2 = await startHarness({ args: ['--region', 'us-west-2', '--payload', 'unsigned', '--upstream-capabilities', 'all'] });
    try {
      const mark = h2.s3.requests.length;
      const put = await rawRequest(h2.url, { method: 'PUT', path: '/stream/x', headers: { 'content-length': 4 }, body: 'data' });
      expect(put.status).toBe(400);
      expect(put.body.toString()).toContain('<Code>AuthorizationHeaderMalformed</Code>');
      expect(h2.s3.requests.slice(mark).map(signedRegion)).toEqual(['us-west-2']);
      const again = await rawRequest(h2.url, { method: 'PUT', path: '/stream/x', headers: { 'content-length': 4 }, body: 'data' });
      expect(again.status).toBe(200);
      expect(h2.s3.requests.at(-1)!.bodyBytes).toBe(4);
      expect(signedRegion(h2.s3.requests.at(-1)!)).toBe('us-east-1');
    } finally {
      await h2.close();
    }
  });
});
