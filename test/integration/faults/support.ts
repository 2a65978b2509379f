/** Log helpers shared by the fault tests. */

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export function parsed(logs: readonly string[]): LogLine[] {
  return logs.map((l) => JSON.parse(l) as LogLine);
}

/** The access-log lines (one per request). */
export function accessLines(logs: readonly string[]): LogLine[] {
  return parsed(logs).filter((l) => l.msg === 'request');
}

/** Lines at error level or above. */
export function errorLines(logs: readonly string[]): LogLine[] {
  return parsed(logs).filter((l) => l.level >= 50);
}

/** The first access line `match` accepts, waiting for it up to `timeoutMs` (a request is logged when it ends). */
export async function untilLogged(logs: readonly string[], match: (l: LogLine) => boolean, timeoutMs = 5000): Promise<LogLine> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = accessLines(logs).find(match);
    if (line !== undefined) return line;
    if (Date.now() > deadline) throw new Error(`no matching access line within ${timeoutMs} ms:\n${logs.join('\n')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
