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

/**
 * A fixed-window limit counted in memory, aligned to the wall clock as the binding's
 * windows are. Exact where one instance sees every call of its key: inside a learner's
 * object, which the runtime runs one call at a time, wherever the calls come from. Its
 * count starts again when the object is evicted (after idling, so not under a flood).
 */
export function createWindowRateLimiter(limit: number, periodSeconds: number, clock: () => number = Date.now): RateLimiter {
  let window = -1;
  let count = 0;
  return {
    periodSeconds,
    allow() {
      const now = Math.floor(clock() / (periodSeconds * 1000));
      if (now !== window) {
        window = now;
        count = 0;
      }
      if (count >= limit) return Promise.resolve(false);
      count += 1;
      return Promise.resolve(true);
    },
  };
}
