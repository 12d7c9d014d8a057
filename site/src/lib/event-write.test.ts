import { describe, expect, it, vi } from 'vitest';
import { ApiError } from './api';
import { createEventWrite, isRetryable, retryDelayMs, type EventStamp } from './event-write';

const NOW = new Date('2026-11-20T12:00:00Z');

/** A write whose requests answer in turn with `outcomes` (an error is thrown, anything else returned). */
function writeWith(outcomes: unknown[], delaysMs: readonly number[] = [10, 20, 40]) {
  const stamps: EventStamp[] = [];
  const slept: number[] = [];
  let ids = 0;
  const write = createEventWrite(
    (stamp) => {
      stamps.push(stamp);
      const next = outcomes.shift();
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    },
    {
      newId: () => `00000000-0000-4000-8000-00000000000${++ids}`,
      now: () => NOW,
      delaysMs,
      sleep: (ms) => {
        slept.push(ms);
        return Promise.resolve();
      },
    },
  );
  return { write, stamps, slept };
}

const offline = () => new ApiError(0, null, 'offline');
const status = (code: number, retryAfter: number | null = null) => new ApiError(code, null, `status ${code}`, retryAfter);

describe('isRetryable', () => {
  it.each([
    ['an unreachable server', offline(), true],
    ['a timeout', status(408), true],
    ['a rate limit', status(429), true],
    ['a server error', status(503), true],
    ['a refused body', status(400), false],
    ['an unknown lesson', status(404), false],
    ['a bug in the page', new TypeError('x is undefined'), false],
  ])('%s: %s', (_name, error, expected) => {
    expect(isRetryable(error)).toBe(expected);
  });
});

describe('retryDelayMs', () => {
  it('follows the schedule, then gives up', () => {
    expect([0, 1, 2, 3].map((n) => retryDelayMs(offline(), n, [100, 200, 400]))).toEqual([100, 200, 400, null]);
  });

  it('waits as long as Retry-After asks, but not for minutes in the background', () => {
    expect(retryDelayMs(status(429, 5), 0, [100])).toBe(5000);
    expect(retryDelayMs(status(503, 120), 0, [100])).toBeNull();
  });
});

describe('createEventWrite', () => {
  it('sends one eventId and time, fixed when the write is created', async () => {
    const { write, stamps } = writeWith([{ applied: true }]);
    expect(await write.send()).toEqual({ applied: true });
    expect(stamps).toEqual([{ eventId: write.eventId, occurredAt: NOW.toISOString() }]);
  });

  it('retries a transient failure with the same eventId, waiting between tries', async () => {
    const { write, stamps, slept } = writeWith([offline(), status(502), { applied: true }]);
    expect(await write.send()).toEqual({ applied: true });
    expect(new Set(stamps.map((s) => s.eventId))).toEqual(new Set([write.eventId]));
    expect(stamps).toHaveLength(3);
    expect(slept).toEqual([10, 20]);
  });

  it('reports a failure that will not change at once', async () => {
    const { write, stamps } = writeWith([status(400)]);
    await expect(write.send()).rejects.toMatchObject({ status: 400 });
    expect(stamps).toHaveLength(1);
  });

  it('gives up after the last retry, and sends the same event again when asked', async () => {
    const { write, stamps } = writeWith([offline(), offline(), offline(), offline(), { applied: false }]);
    await expect(write.send()).rejects.toMatchObject({ status: 0 });
    expect(stamps).toHaveLength(4);
    expect(await write.send()).toEqual({ applied: false });
    expect(stamps.map((s) => s.eventId)).toEqual(Array(5).fill(write.eventId));
    expect(new Set(stamps.map((s) => s.occurredAt)).size).toBe(1);
  });

  it('sends once when asked twice at the same time, and keeps the result', async () => {
    const { write, stamps } = writeWith([{ applied: true }]);
    const [a, b] = await Promise.all([write.send(), write.send()]);
    expect(a).toBe(b);
    await write.send();
    expect(stamps).toHaveLength(1);
  });

  it('gives each write its own eventId (a random UUID by default)', () => {
    const request = vi.fn(() => Promise.resolve(null));
    const first = createEventWrite(request);
    const second = createEventWrite(request);
    expect(first.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(second.eventId).not.toBe(first.eventId);
    expect(request).not.toHaveBeenCalled();
  });
});
