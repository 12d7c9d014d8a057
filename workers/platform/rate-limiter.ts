/** A fixed-window limit on how often one key may act. */
export interface RateLimiter {
  /** True when `key` may go ahead; every call counts against the window. */
  allow(key: string): Promise<boolean>;
  /** Seconds until the window that refused a call is over, at most. */
  readonly periodSeconds: number;
}

/**
 * Adapter over the Workers Rate Limiting binding. Its counters are per Cloudflare
 * location and eventually consistent: fine for abuse protection, never used for
 * anything that must be exact (the model budget lives in D1 for that reason).
 */
export function createBindingRateLimiter(binding: RateLimit, periodSeconds: number): RateLimiter {
  return {
    periodSeconds,
    async allow(key) {
      const { success } = await binding.limit({ key });
      return success;
    },
  };
}
