import type { CheckResult } from './types.js';

const MARK = { ok: 'ok     ', problem: 'PROBLEM', skipped: 'skipped' } as const;

/** One line per check, the fix indented under each problem. */
export function formatReport(results: ReadonlyArray<CheckResult>): string {
  const width = Math.max(...results.map((r) => r.name.length));
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${MARK[r.status]}  ${r.name.padEnd(width)}  ${r.detail}`);
    if (r.fix !== undefined) lines.push(`${' '.repeat(9 + width + 2)}fix: ${r.fix}`);
  }
  const problems = results.filter((r) => r.status === 'problem').length;
  lines.push(problems === 0 ? 'all checks passed' : `${problems} problem${problems === 1 ? '' : 's'} found`);
  return lines.join('\n');
}

export function reportJson(results: ReadonlyArray<CheckResult>): string {
  return JSON.stringify({ ok: results.every((r) => r.status !== 'problem'), checks: results }, null, 2);
}
