import { describe, expect, it } from 'vitest';
import { backoffMs } from './text-generator';

describe('backoffMs', () => {
  it.each([
    [1, 0, null, 250],
    [1, 1, null, 500],
    [2, 1, null, 1000],
    [3, 0.5, null, 1500],
    [6, 1, null, 8000],
    [9, 1, null, 8000],
  ])('attempt %i with jitter %f waits %i ms (full-jitter exponential, capped)', (attempt, random, retryAfter, expected) => {
    expect(backoffMs(attempt, retryAfter, () => random)).toBe(expected);
  });

  it('never waits less than the server asked, but no longer than the cap', () => {
    expect(backoffMs(1, 3000, () => 0)).toBe(3000);
    expect(backoffMs(1, 60_000, () => 0)).toBe(8000);
    expect(backoffMs(3, 100, () => 1)).toBe(2000);
  });
});
