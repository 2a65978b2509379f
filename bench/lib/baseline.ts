import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './signet-proc.js';

/** Another build of signet, from `git archive` of `commit` into a temp dir (this checkout's node_modules, linked). */
export function baselineCheckout(commit: string): string {
  const dir = join(tmpdir(), `signet-bench-baseline-${commit}`);
  if (existsSync(join(dir, 'dist', 'cli.js'))) return dir;
  mkdirSync(dir, { recursive: true });
  execFileSync('sh', ['-c', `git -C "${root}" archive "${commit}" | tar -x -C "${dir}"`]);
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.build.json')], { stdio: 'inherit' });
  return dir;
}
