import { describe, expect, it } from 'vitest';
import { runMode } from '../../../bench/fuzz/http-fuzz.js';
import type { Mode } from '../../../bench/fuzz/http-fuzz.js';

// A fixed-seed sample of `npm run fuzz:http` (issue 11): 1,000 raw requests per mode, none may
// crash signet, hang an exchange, or stop /healthz answering.
describe('HTTP fuzz sample', () => {
  for (const mode of ['sidecar', 'gateway', 'routes'] as Mode[]) {
    it(`${mode}: 1000 mutated requests, no crash, no hang`, async () => {
      const r = await runMode(mode, { seed: 11, requests: 1000, concurrency: 32, timeoutMs: 10_000, modes: [mode] });
      expect(r.crashes.map((f) => f.request)).toEqual([]);
      expect(r.hangs.map((f) => f.request)).toEqual([]);
      expect(r.healthFailures).toBe(0);
    }, 120_000);
  }
});
