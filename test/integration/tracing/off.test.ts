import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./loaded-modules.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

async function loadedPackages(args: string[]): Promise<string[]> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', CHILD, ...args], { cwd: ROOT, env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' } });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as string[];
}

describe('tracing off costs nothing', () => {
  it('loads no OpenTelemetry SDK or exporter module without --tracing', async () => {
    // @opentelemetry/api alone is there either way: prom-client's default metrics require it.
    expect(await loadedPackages([])).toEqual(['@opentelemetry/api']);
  });

  it('loads the SDK and one exporter with --tracing (the check above can see them)', async () => {
    const loaded = await loadedPackages(['--tracing']);
    expect(loaded).toEqual(expect.arrayContaining(['@opentelemetry/sdk-trace', '@opentelemetry/exporter-trace-otlp-proto', '@opentelemetry/core']));
    expect(loaded).not.toContain('@opentelemetry/exporter-trace-otlp-http');
  });
});
