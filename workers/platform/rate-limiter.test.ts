import { describe, expect, it } from 'vitest';
import { createWindowRateLimiter } from './rate-limiter';

describe('window rate limiter', () => {
  it('lets `limit` calls through per wall-clock window, refuses the rest, and starts again with the next window', async () => {
    let now = Date.UTC(2026, 11, 6, 12, 0, 59, 0);
    const limiter = createWindowRateLimiter(3, 60, () => now);
    expect(limiter.periodSeconds).toBe(60);
    const calls = async (n: number) => Promise.all(Array.from({ length: n }, () => limiter.allow('learner:a')));
    expect(await calls(4)).toEqual([true, true, true, false]);
    // Refused calls count for nothing more: the window stays spent, not longer.
    now += 500;
    expect(await calls(1)).toEqual([false]);
    // 12:01:00 is a new window, aligned to the clock (not 60 s after the first call).
    now = Date.UTC(2026, 11, 6, 12, 1, 0, 0);
    expect(await calls(4)).toEqual([true, true, true, false]);
  });
});
