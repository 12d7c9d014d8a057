/** Backoff for a retried message: 2, 4, 8 ... seconds, capped, with jitter. */
export function retryDelaySeconds(attempts: number, random: number): number {
  const base = Math.min(300, 2 ** Math.max(1, attempts));
  return Math.round(base * (0.75 + random * 0.5));
}
