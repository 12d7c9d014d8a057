import { ApiError } from './api';

/** Waits before the automatic retries of a failed write; after the last one the failure is shown. */
export const RETRY_DELAYS_MS: readonly number[] = [1_000, 3_000, 8_000];
/** A `Retry-After` longer than this is not waited for in the background: the learner can retry. */
const MAX_RETRY_AFTER_MS = 30_000;

/** The identity of one learner event: fixed when the event happens, sent unchanged on every try. */
export interface EventStamp {
  eventId: string;
  occurredAt: string;
}

/** One learner event on its way to the API; `send` may be called again after a failure. */
export interface EventWrite<T> {
  readonly eventId: string;
  /** Sends the event (retrying transient failures); repeated calls while one is running share it. */
  send(): Promise<T>;
}

export interface EventWriteOptions {
  newId?: () => string;
  now?: () => Date;
  delaysMs?: readonly number[];
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Whether a failed write may succeed if sent again: the network, a timeout, a rate
 * limit or a server error. A 4xx answer will not change, so it is reported at once.
 */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  return error.status === 0 || error.status === 408 || error.status === 429 || error.status >= 500;
}

/** The wait before retry number `attempt` (0-based): the server's `Retry-After` if it said, else the schedule. */
export function retryDelayMs(error: unknown, attempt: number, delaysMs: readonly number[] = RETRY_DELAYS_MS): number | null {
  const planned = delaysMs[attempt];
  if (planned === undefined) return null;
  const retryAfter = error instanceof ApiError ? error.retryAfter : null;
  if (retryAfter === null) return planned;
  const asked = retryAfter * 1000;
  return asked > MAX_RETRY_AFTER_MS ? null : Math.max(planned, asked);
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A learner event whose id and time are chosen once, here. Every try of it (the
 * automatic retries and any "Try again" the learner presses) sends the same
 * eventId, so the API applies it exactly once however often it arrives.
 */
export function createEventWrite<T>(request: (stamp: EventStamp) => Promise<T>, options: EventWriteOptions = {}): EventWrite<T> {
  const { newId = () => crypto.randomUUID(), now = () => new Date(), delaysMs = RETRY_DELAYS_MS, sleep = wait } = options;
  const stamp: EventStamp = { eventId: newId(), occurredAt: now().toISOString() };
  // The one try in flight, or the one that succeeded; a failed one is dropped so the next call sends again.
  let running: Promise<T> | null = null;

  const attempt = async (): Promise<T> => {
    for (let retry = 0; ; retry++) {
      try {
        return await request(stamp);
      } catch (error) {
        const delay = isRetryable(error) ? retryDelayMs(error, retry, delaysMs) : null;
        if (delay === null) throw error;
        await sleep(delay);
      }
    }
  };

  return {
    eventId: stamp.eventId,
    send() {
      running ??= attempt().catch((error: unknown) => {
        running = null;
        throw error;
      });
      return running;
    },
  };
}
