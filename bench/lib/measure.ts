/** Runs `fn` repeatedly for about `ms` milliseconds after a warm-up and returns operations per second. */
export async function opsPerSecond(fn: () => unknown | Promise<unknown>, ms = 2000, isAsync = false): Promise<number> {
  const warmUntil = performance.now() + Math.min(500, ms / 4);
  while (performance.now() < warmUntil) {
    if (isAsync) await fn();
    else fn();
  }
  let n = 0;
  const start = performance.now();
  const end = start + ms;
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++) {
      if (isAsync) await fn();
      else fn();
    }
    n += 100;
  }
  return (n * 1000) / (performance.now() - start);
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
