// Runs src/cli.ts in a child process (node --import tsx), so tests see real exit codes and signals without a build.
import { main } from '../../../src/cli.js';

main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`signet: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
