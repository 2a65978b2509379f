#!/usr/bin/env node
// Thin launcher so `npx signet` works after `npm ci` (prepare builds dist/).
import { setFlagsFromString } from 'node:v8';

// undici parses HTTP with llhttp compiled to WebAssembly. Once the parser is hot, V8 recompiles
// its one huge function with TurboFan on a background thread, and that compilation alone takes
// ~30 MiB of memory: a 30 MiB jump in peak RSS in the middle of traffic (measured during a
// 1 GiB PUT: 106 → 143 MiB). Liftoff's code costs ~1–2 µs per request (bench/RESULTS.md). Set
// here, before anything compiles WebAssembly: undici compiles llhttp on its first connection.
setFlagsFromString('--liftoff-only');

// V8 sweeps dead ArrayBuffers (every request-body piece is one) on its background GC threads after
// each scavenge. During a multipart conversion that kept restarting major GCs every ~80 ms (a
// Mark-Compact storm, ~30 per GiB, each freeing ~0.2 MB) whose concurrent marking and sweeping
// cost ~0.5 s of CPU per GiB on V8's worker threads: converted uploads used 2.5–2.8 s per GiB
// against 2.0 s for a streamed single PUT. Swept on the main thread instead, the storm does not
// start, and both cost the same (bench/RESULTS.md, "Multipart conversion").
setFlagsFromString('--no-concurrent-array-buffer-sweeping');

const { main } = await import('../dist/cli.js');
main(process.argv.slice(2)).then(
  (code) => { if (typeof code === 'number') process.exitCode = code; },
  (err) => { console.error(`signet: ${err instanceof Error ? err.message : String(err)}`); process.exitCode = 1; },
);
