// Child process for off.test.ts: signet (tracing on or off per argv) answers a PUT and a GET,
// then prints which OpenTelemetry packages the process has loaded.
import { createRequire } from 'node:module';
import { startHarness } from '../../support/harness.js';
import { rawRequest } from '../../support/http.js';

// The OTel packages ship CommonJS (no "exports" map), so even when imported from ESM each
// module lands in the CommonJS cache, by path.
const PACKAGE = /[\\/]node_modules[\\/](@opentelemetry[\\/][^\\/]+)[\\/]/;

const h = await startHarness({ args: process.argv.slice(2), env: { OTEL_TRACES_SAMPLER: 'always_off' } });
await rawRequest(h.url, { method: 'PUT', path: '/b/k', headers: { 'content-length': 1 }, body: 'x' });
await rawRequest(h.url, { path: '/b/k' });
const loaded = new Set<string>();
for (const path of Object.keys(createRequire(import.meta.url).cache)) {
  const m = PACKAGE.exec(path);
  if (m !== null) loaded.add(m[1]!.replace('\\', '/'));
}
await h.close();
process.stdout.write(JSON.stringify([...loaded].sort()) + '\n');
