/**
 * Builds test/deploy/helm-render (Go text/template + sprig, as Helm uses) when Go and Debian's
 * sprig sources are installed (apt: golang-go golang-github-masterminds-sprig-dev
 * golang-k8s-sigs-yaml-dev). Returns undefined when they are not, so tests can skip.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const GOPATH = '/usr/share/gocode';
const source = fileURLToPath(new URL('./helm-render/main.go', import.meta.url));

export function buildHelmRender(): string | undefined {
  if (!existsSync(join(GOPATH, 'src/github.com/Masterminds/sprig')) || !existsSync(join(GOPATH, 'src/sigs.k8s.io/yaml'))) {
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'signet-helm-render-'));
  const bin = join(dir, 'helm-render');
  try {
    execFileSync('go', ['build', '-o', bin, source], {
      env: { ...process.env, GO111MODULE: 'off', GOPATH, GOCACHE: join(dir, 'cache'), GOFLAGS: '' },
      stdio: 'pipe',
    });
  } catch (err) {
    const e = err as { code?: string; stderr?: Buffer };
    if (e.code === 'ENOENT') return undefined;
    throw new Error(`go build helm-render failed: ${e.stderr?.toString() ?? String(err)}`, { cause: err });
  }
  return bin;
}

export interface RenderResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function render(bin: string, chartDir: string, args: string[]): RenderResult {
  const r = spawnSync(bin, [chartDir, ...args], { encoding: 'utf8' });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
