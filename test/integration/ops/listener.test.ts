import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync } from 'node:fs';
import { request } from 'node:https';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startHarness } from '../../support/harness.js';
import { rawRequest } from '../../support/http.js';
import { eventually, slowUpload } from './slow-upload.js';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A self-signed certificate for 127.0.0.1, written to `<dir>/<name>.{crt,key}`. */
function selfSigned(dir: string, name: string, cn: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', `/CN=${cn}`, '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' });
  return { cert, key };
}

function httpsGet(url: string, ca: Buffer, put?: string): Promise<{ status: number; body: string; peer: PeerCertificate }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, agent: false, method: put === undefined ? 'GET' : 'PUT' }, (res) => {
      const peer = (res.socket as TLSSocket).getPeerCertificate();
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, peer }));
    });
    req.on('error', reject);
    req.end(put);
  });
}

describe.skipIf(!hasOpenssl())('listener TLS (needs openssl on PATH)', () => {
  it('serves https with --tls-cert/--tls-key and picks up a replaced certificate within seconds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'signet-tls-'));
    const first = selfSigned(dir, 'first', 'signet-first');
    const next = selfSigned(dir, 'next', 'signet-next');
    const live = { cert: join(dir, 'live.crt'), key: join(dir, 'live.key') };
    execFileSync('cp', [first.cert, live.cert]);
    execFileSync('cp', [first.key, live.key]);
    const h = await startHarness({ args: ['--tls-cert', live.cert, '--tls-key', live.key] });
    try {
      expect(h.url.startsWith('https://127.0.0.1:')).toBe(true);
      expect((await httpsGet(`${h.url}/tls-bucket/o.txt`, readFileSync(first.cert), 'over tls')).status).toBe(200);
      const a = await httpsGet(`${h.url}/tls-bucket/o.txt`, readFileSync(first.cert));
      expect(a.peer.subject.CN).toBe('signet-first');
      expect(a.body).toBe('over tls');
      // cert-manager style rotation: the files are swapped in place (renames, so never half-written).
      execFileSync('cp', [next.key, `${live.key}.tmp`]);
      execFileSync('cp', [next.cert, `${live.cert}.tmp`]);
      renameSync(`${live.key}.tmp`, live.key);
      renameSync(`${live.cert}.tmp`, live.cert);
      await eventually(async () => (await httpsGet(`${h.url}/tls-bucket/o.txt`, readFileSync(next.cert))).peer.subject.CN === 'signet-next', 8000, 'the new certificate');
      expect(h.logs.some((l) => l.includes('TLS certificate reloaded'))).toBe(true);
    } finally {
      await h.close();
    }
  }, 20_000);
});

describe('limits on the proxy listener', () => {
  it('answers 503 SlowDown XML past --max-concurrent while one request is in flight', async () => {
    const h = await startHarness({ args: ['--max-concurrent', '1'] });
    try {
      const upload = slowUpload(h.url, '/limit-bucket/slow.txt');
      await eventually(async () => h.signet.proxy.inFlight() === 1, 5000, 'the upload to be in flight');
      const second = await rawRequest(h.url, { path: '/limit-bucket/slow.txt' });
      expect(second.status).toBe(503);
      expect(second.body.toString()).toContain('<Code>SlowDown</Code>');
      upload.finish();
      expect((await upload.response).status).toBe(200);
      await eventually(async () => h.signet.proxy.inFlight() === 0, 2000, 'the slot to free up');
      expect((await rawRequest(h.url, { path: '/limit-bucket/slow.txt' })).status).toBe(200);
    } finally {
      await h.close();
    }
  });

  it('answers 431 to a header block larger than --max-header-size', async () => {
    const h = await startHarness({ args: ['--max-header-size', '16KiB'] });
    try {
      const res = await rawRequest(h.url, { path: '/limit-bucket/x', headers: { 'x-amz-meta-big': 'a'.repeat(32 * 1024) } });
      expect(res.status).toBe(431);
      const ok = await rawRequest(h.url, { path: '/limit-bucket?list-type=2', headers: { 'x-amz-meta-small': 'a'.repeat(1024) } });
      expect(ok.status).not.toBe(431);
    } finally {
      await h.close();
    }
  });
});
