import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectBytes } from '../../../src/demo/index.js';
import { uploadPage } from '../../../src/demo/upload-page.js';
import { browserMissing, launchBrowser } from '../../support/browser.js';
import type { TestBrowser } from '../../support/browser.js';
import { startHarness } from '../../support/harness.js';
import type { Harness } from '../../support/harness.js';

// signet demo's upload page (/_signet/demo) in headless Chromium: pick a file, upload it straight
// to the embedded S3 (another origin: CORS), see it listed, download it through a presigned link.

const missing = browserMissing();
if (missing !== null) console.warn(`skipping the browser tests: ${missing}`);

/** A file name every layer must encode: '+', '#', '%', '?', '&', '=' and non-ASCII. */
const NAME = 'a+b #1 \u00fc%20?&=.bin';
/** Where the screenshot of the page after an upload is left, for a person to look at. */
const SCREENSHOT = join(tmpdir(), 'signet-demo-page.png');

describe.skipIf(missing !== null)('the demo upload page in a real browser', () => {
  let h: Harness;
  let browser: TestBrowser;
  beforeAll(async () => {
    h = await startHarness({ demoPage: uploadPage('demo-bucket', 'uploads/') });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('uploads a file, lists it and downloads the same bytes through a presigned link', async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const failed: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
    });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(`${h.url}/_signet/demo`);
    // Nothing uploaded yet: the bucket does not exist, which the page shows as an empty list.
    await expect.poll(() => failed).toEqual([`404 ${h.url}/demo-bucket?list-type=2&prefix=uploads%2F`]);
    expect(await page.locator('#objects li').count()).toBe(0);
    expect(await page.textContent('#status')).toBe('');
    // Every byte value: the download must give back exactly what was picked, no text decoding on the way.
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7 + 3) % 256));
    await page.setInputFiles('#file', { name: NAME, mimeType: 'application/octet-stream', buffer: bytes });
    await page.click('#send');
    await expect.poll(() => page.textContent('#status')).toMatch(/^uploaded a\+b #1/);
    const stored = h.s3.buckets.get('demo-bucket')?.objects.get(`uploads/${NAME}`);
    expect(stored).toBeDefined();
    expect(objectBytes(stored!)).toEqual(bytes);
    expect(stored!.headers['content-type']).toBe('application/octet-stream');
    const link = page.locator('#objects a.download');
    await expect.poll(() => link.allTextContents()).toEqual([`uploads/${NAME}`]);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    // application/octet-stream is not shown but saved: the browser's download holds the bytes as received.
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.url().startsWith(h.s3.url + '/demo-bucket/uploads/')).toBe(true);
    expect(download.url()).toContain('X-Amz-Signature=');
    expect(await readFile(await download.path())).toEqual(bytes);
    // The one failed load is the first listing's (the browser logs it); no favicon request made signet sign a call.
    expect(errors).toEqual(['Failed to load resource: the server responded with a status of 404 (Not Found)']);
    expect(failed).toHaveLength(1);
    expect(h.logs.filter((l) => l.includes('favicon'))).toEqual([]);
  });
});
