#!/usr/bin/env node
// Thin launcher so `npx signet` works after `npm ci` (prepare builds dist/).
import { main } from '../dist/cli.js';

main(process.argv.slice(2)).then(
  (code) => { if (typeof code === 'number') process.exitCode = code; },
  (err) => { console.error(`signet: ${err instanceof Error ? err.message : String(err)}`); process.exitCode = 1; },
);
