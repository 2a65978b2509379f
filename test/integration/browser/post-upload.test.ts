import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page, Response } from 'playwright-core';
import { browserMissing, launchBrowser } from '../../support/browser.js';
import type { TestBrowser } from '../../support/browser.js';
import { startHarness } from '../../support/harness.js';
import type { Harness } from '../../support/harness.js';

// Browser uploads (S3 POST Object) from headless Chromium: a page served by signet asks
// /_signet/presign-post for the form fields and the browser itself builds and sends the
// multipart/form-data body, as a native form submission (the answer is the page the browser shows)
// and as fetch + FormData (a cross-origin read, so CORS), both straight to the embedded S3 the
// minted URL names and through signet's listener (the POST Object relay, byte for byte).

const missing = browserMissing();
if (missing !== null) console.warn(`skipping the browser tests: ${missing}`);

const BUCKET = 'browser-forms';
/** Far over the 256 KiB the policy allows, and more than one read of any socket: the relay streams it. */
const BIG = 2 * 1024 * 1024;

/** The test page, same origin as signet (so minting is same-origin) and another origin than S3. */
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>post test</title></head><body>
<form id="f" method="post" enctype="multipart/form-data"><input type="file" id="file" name="file"><button id="go" type="submit">send</button></form>
<script>
window.mint = async (body) => {
  const r = await fetch('/_signet/presign-post', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!r.ok) throw new Error('presign-post: ' + r.status + ' ' + await r.text());
  return r.json();
};
// The form's fields in the order given, then the file: S3 reads the fields before the file.
window.fill = (fields, action) => {
  const f = document.getElementById('f');
  f.action = action;
  for (const el of [...f.querySelectorAll('input[type=hidden]')]) el.remove();
  for (const [name, value] of Object.entries(fields)) {
    const i = document.createElement('input');
    i.type = 'hidden'; i.name = name; i.value = value;
    f.insertBefore(i, document.getElementById('file'));
  }
};
window.send = async () => {
  const f = document.getElementById('f');
  try {
    const r = await fetch(f.action, { method: 'POST', body: new FormData(f) });
    return { status: r.status, text: await r.text(), etag: r.headers.get('etag'), location: r.headers.get('location') };
  } catch (err) { return { error: String(err) }; }
};
window.put = async (url, headers, body) => {
  try {
    const r = await fetch(url, { method: 'PUT', headers, body });
    return { status: r.status, text: await r.text(), etag: r.headers.get('etag') };
  } catch (err) { return { error: String(err) }; }
};
window.get = async (url) => {
  try {
    const r = await fetch(url);
    return { status: r.status, text: await r.text(), type: r.headers.get('content-type') };
  } catch (err) { return { error: String(err) }; }
};
</script></body></html>
`;

interface Minted { url: string; fields: Record<string, string>; expiresAt: string }
interface Answer { status?: number; text?: string; etag?: string | null; location?: string | null; type?: string | null; error?: string }
/** The functions PAGE defines, as page.evaluate sees them (its callbacks run in the page: no closures). */
interface TestPage {
  mint(body: unknown): Promise<Minted>;
  fill(fields: Record<string, string>, action: string): void;
  send(): Promise<Answer>;
  put(url: string, headers: Record<string, string>, body: string): Promise<Answer>;
  get(url: string): Promise<Answer>;
}

const md5 = (b: Buffer): string => '"' + createHash('md5').update(b).digest('hex') + '"';
const code = (xml: string): string | undefined => /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];

describe.skipIf(missing !== null)('browser POST uploads (headless Chromium)', () => {
  let h: Harness;
  let browser: TestBrowser;
  let page: Page;
  beforeAll(async () => {
    h = await startHarness({ demoPage: PAGE });
    browser = await launchBrowser();
    page = await browser.context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  /** Loads the page, mints a policy from it and fills the form for `target`; returns the minted answer. */
  async function prepare(target: 'direct' | 'relay', policy: Record<string, unknown>, file: { name: string; mimeType: string; buffer: Buffer }, override: Record<string, string> = {}): Promise<Minted> {
    await page.goto(`${h.url}/_signet/demo`);
    const minted = await page.evaluate((body) => (globalThis as unknown as TestPage).mint(body), { bucket: BUCKET, expires: '5m', ...policy });
    // (a) the URL the policy names: the embedded S3 itself; (b) the same bucket on signet's listener.
    const action = target === 'direct' ? minted.url : `${h.url}/${BUCKET}`;
    await page.evaluate(([fields, to]) => (globalThis as unknown as TestPage).fill(fields, to), [{ ...minted.fields, ...override }, action] as const);
    await page.setInputFiles('#file', file);
    return minted;
  }

  /** A native form submission: the response is the document the browser navigates to. */
  async function submit(): Promise<Response> {
    const [response] = await Promise.all([page.waitForNavigation(), page.click('#go')]);
    if (response === null) throw new Error('the form submission did not navigate');
    return response;
  }

  async function storedThroughSignet(key: string): Promise<{ status: number; type: string | null; body: Buffer }> {
    const res = await fetch(`${h.url}/${BUCKET}/${key.split('/').map(encodeURIComponent).join('/')}`);
    return { status: res.status, type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()) };
  }

  it('the minted URL names the embedded S3, another origin than the page', async () => {
    await page.goto(`${h.url}/_signet/demo`);
    const minted = await page.evaluate((body) => (globalThis as unknown as TestPage).mint(body), { bucket: BUCKET, prefix: 'x/' });
    expect(minted.url).toBe(`${h.s3.url}/${BUCKET}`);
    expect(new URL(minted.url).origin).not.toBe(new URL(page.url()).origin);
  });

  describe.each(['direct', 'relay'] as const)('%s', (target) => {
    const dir = `${target}/`;

    it('a native form with success_action_status 201: the browser shows the PostResponse, the object has the bytes and the form\'s Content-Type', async () => {
      const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 31 + 7) % 256));
      await prepare(target, { prefix: dir, contentType: 'image/', successActionStatus: '201' },
        { name: 'pixel map.png', mimeType: 'image/png', buffer: bytes }, { 'Content-Type': 'image/png' });
      const res = await submit();
      expect(res.status()).toBe(201);
      const xml = await res.text();
      expect(xml).toContain(`<Key>${dir}pixel map.png</Key>`);
      expect(xml).toContain(`<Bucket>${BUCKET}</Bucket>`);
      expect(xml).toContain(`<ETag>${md5(bytes).replaceAll('"', '&quot;')}</ETag>`);
      const got = await storedThroughSignet(`${dir}pixel map.png`);
      expect(got.status).toBe(200);
      expect(got.type).toBe('image/png');
      expect(got.body).toEqual(bytes);
    });

    it('success_action_redirect: a 303 the browser follows, with bucket, key and etag in the query', async () => {
      const bytes = Buffer.from(`redirected ${target}\n`);
      const back = `${h.url}/_signet/demo?done=1`;
      await prepare(target, { key: `${dir}redirected.txt`, successActionRedirect: back }, { name: 'r.txt', mimeType: 'text/plain', buffer: bytes });
      const res = await submit();
      const first = await res.request().redirectedFrom()?.response();
      expect(first?.status()).toBe(303);
      expect(res.status()).toBe(200);
      const landed = new URL(page.url());
      expect(landed.origin + landed.pathname).toBe(`${h.url}/_signet/demo`);
      expect(Object.fromEntries(landed.searchParams)).toEqual({ done: '1', bucket: BUCKET, key: `${dir}redirected.txt`, etag: md5(bytes) });
      expect((await storedThroughSignet(`${dir}redirected.txt`)).body).toEqual(bytes);
    });

    it('fetch + FormData: 204 by default and 200 when asked, ETag readable by the page', async () => {
      const bytes = Buffer.from(`fetched ${target}\n`);
      await prepare(target, { prefix: dir }, { name: 'fetched.txt', mimeType: 'text/plain', buffer: bytes });
      const a = await page.evaluate(() => (globalThis as unknown as TestPage).send());
      expect(a).toMatchObject({ status: 204, text: '', etag: md5(bytes) });
      await prepare(target, { prefix: dir, successActionStatus: '200' }, { name: 'fetched-200.txt', mimeType: 'text/plain', buffer: bytes });
      const b = await page.evaluate(() => (globalThis as unknown as TestPage).send());
      expect(b).toMatchObject({ status: 200, etag: md5(bytes) });
      const got = await storedThroughSignet(`${dir}fetched.txt`);
      expect(got.type).toBe('text/plain');
      expect(got.body).toEqual(bytes);
    });

    it('content-length-range: the bound is taken, one byte more is EntityTooLarge in the browser\'s response', async () => {
      await prepare(target, { prefix: dir, maxSize: '16', successActionStatus: '201' }, { name: 'sixteen.txt', mimeType: 'text/plain', buffer: Buffer.alloc(16, 'a') });
      expect((await submit()).status()).toBe(201);
      await prepare(target, { prefix: dir, maxSize: '16', successActionStatus: '201' }, { name: 'seventeen.txt', mimeType: 'text/plain', buffer: Buffer.alloc(17, 'a') });
      const res = await submit();
      expect(res.status()).toBe(400);
      const xml = await res.text();
      expect(code(xml)).toBe('EntityTooLarge');
      expect(xml).toContain('<MaxSizeAllowed>16</MaxSizeAllowed>');
      expect((await storedThroughSignet(`${dir}seventeen.txt`)).status).toBe(404);
    });

    it('a file far over content-length-range streams through and is refused, nothing stored', async () => {
      await prepare(target, { prefix: dir, maxSize: '256KiB', successActionStatus: '201' }, { name: 'big.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(BIG, 7) });
      const res = await submit();
      expect(res.status()).toBe(400);
      expect(code(await res.text())).toBe('EntityTooLarge');
      expect((await storedThroughSignet(`${dir}big.bin`)).status).toBe(404);
    });

    it('a key outside the policy\'s prefix, or a Content-Type outside its prefix, is AccessDenied', async () => {
      const file = { name: 'k.txt', mimeType: 'text/plain', buffer: Buffer.from('nope') };
      await prepare(target, { prefix: dir }, file, { key: 'elsewhere/${filename}' });
      const res = await submit();
      expect(res.status()).toBe(403);
      const xml = await res.text();
      expect(code(xml)).toBe('AccessDenied');
      expect(xml).toContain('Policy Condition failed: [&quot;starts-with&quot;,&quot;$key&quot;');
      expect((await storedThroughSignet('elsewhere/k.txt')).status).toBe(404);
      await prepare(target, { prefix: dir, contentType: 'image/' }, file, { 'Content-Type': 'text/html' });
      const typed = await submit();
      expect(typed.status()).toBe(403);
      expect(await typed.text()).toContain('$Content-Type');
    });

    it('an expired policy is refused as expired', async () => {
      const minted = await prepare(target, { prefix: dir, expires: '1s' }, { name: 'late.txt', mimeType: 'text/plain', buffer: Buffer.from('late') });
      await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(minted.expiresAt) - Date.now()) + 50));
      const res = await submit();
      expect(res.status()).toBe(403);
      const xml = await res.text();
      expect(code(xml)).toBe('AccessDenied');
      expect(xml).toContain('Policy expired.');
    });
  });

  it('CORS as the browser does it: a presigned PUT with a Content-Type is preflighted; a GET is read cross-origin', async () => {
    await page.goto(`${h.url}/_signet/demo`);
    const origin = new URL(page.url()).origin;
    const presign = await fetch(`${h.url}/_signet/presign`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'PUT', bucket: BUCKET, key: 'cors/put.png', expires: '5m', headers: { 'content-type': 'image/png' } }),
    });
    const put = (await presign.json()) as { url: string; headers: Record<string, string> };
    expect(new URL(put.url).origin).toBe(h.s3.url);
    const before = h.s3.requests.length;
    const answer = await page.evaluate(([url, headers]) => (globalThis as unknown as TestPage).put(url, headers, 'png-ish bytes'), [put.url, put.headers] as const);
    expect(answer).toMatchObject({ status: 200, etag: md5(Buffer.from('png-ish bytes')) });
    const seen = h.s3.requests.slice(before);
    // PUT is not a CORS-safelisted method and image/png not a safelisted type: the browser asked first.
    expect(seen.map((r) => r.method)).toEqual(['OPTIONS', 'PUT']);
    expect(seen[0]!.headers).toMatchObject({ origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' });
    expect(seen[0]!.status).toBe(200);
    expect(seen[1]!.headers['origin']).toBe(origin);

    const get = (await (await fetch(`${h.url}/_signet/presign?bucket=${BUCKET}&key=cors/put.png`)).json()) as { url: string };
    expect(await page.evaluate((url) => (globalThis as unknown as TestPage).get(url), get.url)).toEqual({ status: 200, text: 'png-ish bytes', type: 'image/png' });
  });

  it('signet\'s own endpoints answer without CORS: a page from another origin cannot read a minted URL', async () => {
    // The same listener under another name is another origin to the browser; the fetch is sent, its answer withheld.
    await page.goto(`${h.url.replace('127.0.0.1', 'localhost')}/_signet/demo`);
    const answer = await page.evaluate((url) => (globalThis as unknown as TestPage).get(url), `${h.url}/_signet/presign?bucket=${BUCKET}&key=x`);
    expect(answer.error).toMatch(/Failed to fetch/);
  });
});
