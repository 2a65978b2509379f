import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../../scripts/dockerfile-stages.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const text = readFileSync(`${root}Dockerfile`, 'utf8');
const { stages } = parseDockerfile(text);
const runtime = stages[stages.length - 1]!;
const find = (keyword: string) => runtime.instructions.filter((i) => i.keyword === keyword);

describe('Dockerfile', () => {
  it('passes the dockerfile-utils linter without a warning', () => {
    expect(validate(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  it('builds in a stage with dev dependencies and runs with production ones only', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'deps', 'runtime']);
    const runs = (name: string) => stages.find((s) => s.name === name)!.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runs('build')).toEqual(['npm ci --ignore-scripts --no-audit --no-fund', 'npm run build']);
    expect(runs('deps')[0]).toMatch(/^npm ci --omit=dev --ignore-scripts /);
    const copies = find('COPY').map((i) => `${i.flags.from ?? 'context'}:${i.args}`);
    expect(copies).toContain('deps:/app/node_modules ./node_modules');
    expect(copies).toContain('build:/app/dist ./dist');
    expect(find('RUN')).toEqual([]);
  });

  it('uses Node.js 24 images pinned by tag', () => {
    for (const s of stages) expect(s.base).toMatch(/nodejs?24|node:24/);
    for (const s of stages) expect(s.base).not.toMatch(/:latest$/);
  });

  it('runs as a numeric non-root user with the spool dir as a volume', () => {
    expect(find('USER').map((i) => i.args)).toEqual(['65532:65532']);
    expect(find('ENV').map((i) => i.args).join(' ')).toContain('SIGNET_SPOOL_DIR=/var/spool/signet');
    expect(find('VOLUME')[0]?.json).toEqual(['/var/spool/signet']);
    expect(find('ENV').map((i) => i.args).join(' ')).toContain('SIGNET_ADMIN_LISTEN=0.0.0.0:9090');
  });

  it('starts node directly in exec form, with `serve` as the command', () => {
    expect(find('ENTRYPOINT')[0]?.json).toEqual(['/nodejs/bin/node', '/app/bin/signet.js']);
    expect(find('CMD')[0]?.json).toEqual(['serve']);
  });

  it('sends only what it copies in the build context', () => {
    const ignore = readFileSync(`${root}.dockerignore`, 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    expect(ignore[0]).toBe('*');
    const allowed = ignore.slice(1).map((l) => l.replace(/^!/, '').replace(/\/$/, '')).sort();
    const copied = [...new Set(stages
      .flatMap((s) => s.instructions)
      .filter((i) => i.keyword === 'COPY' && i.flags.from === undefined)
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1)))].sort();
    expect(allowed).toEqual(copied);
  });
});
