#!/usr/bin/env node
// Thin launcher so `npx signet` works after `npm ci` (prepare builds dist/).
import { setFlagsFromString } from 'node:v8';

// undici parses HTTP with llhttp compiled to WebAssembly. Once the parser is hot, V8 recompiles
// its one huge function with TurboFan on a background thread, and that compilation alone takes
// ~30 MiB of memory: a 30 MiB jump in peak RSS in the middle of traffic (measured during a
// 1 GiB PUT: 106 → 143 MiB). Liftoff's code costs ~1–2 µs per request (bench/RESULTS.md). Set
// here, before anything compiles WebAssembly: undici compiles llhttp on its first connection.
setFlagsFromString('--liftoff-only');

const { main } = await import('../dist/cli.js');
main(process.argv.slice(2)).then(
  (code) => { if (typeof code === 'number') process.exitCode = code; },
  (err) => { console.error(`signet: ${err instanceof Error ? err.message : String(err)}`); process.exitCode = 1; },
);
