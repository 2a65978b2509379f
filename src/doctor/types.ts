/** One line of the doctor's report. */
export interface CheckResult {
  readonly name: string;
  readonly status: 'ok' | 'problem' | 'skipped';
  /** What was found; never a secret. */
  readonly detail: string;
  /** What to do about a problem. */
  readonly fix?: string;
}

export const ok = (name: string, detail: string): CheckResult => ({ name, status: 'ok', detail });
export const problem = (name: string, detail: string, fix: string): CheckResult => ({ name, status: 'problem', detail, fix });
export const skipped = (name: string, detail: string): CheckResult => ({ name, status: 'skipped', detail });
