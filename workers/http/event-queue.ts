import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { describeError } from '../platform/logger';
import type { AppEnv } from './app-env';
import { AppError } from './problem';

/** A single-consumer async queue: producers push from any callback, the stream drains it. */
export function createEventQueue<T>(): AsyncIterable<T> & { push: (item: T) => void; close: () => void } {
  const items: T[] = [];
  let closed = false;
  let wake: () => void = () => undefined;
  return {
    push(item) {
      items.push(item);
      wake();
    },
    close() {
      closed = true;
      wake();
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const item = items.shift();
        if (item !== undefined) {
          yield item;
          continue;
        }
        if (closed) return;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
}

/**
 * A failure after a stream started, as its `error` event's data: an AppError as it is,
 * anything else logged and told as a generic internal error naming `what` failed.
 */
export function streamError(c: Context<AppEnv>, error: unknown, what: string): { status: number; code: string; detail: string } {
  const problem =
    error instanceof AppError
      ? error
      : new AppError('internal_error', `${what} failed on our side; the request id identifies it in the logs`);
  if (!(error instanceof AppError))
    c.get('logger').log('error', 'unexpected_error', { path: c.req.path, ...describeError(error) });
  return { status: problem.status, code: problem.code, detail: problem.message };
}

/** The queued events as server-sent events (JSON data), until the queue closes. */
export function sseResponse(c: Context<AppEnv>, events: AsyncIterable<{ event: string; data: unknown }>) {
  return streamSSE(c, async (stream) => {
    for await (const event of events) await stream.writeSSE({ event: event.event, data: JSON.stringify(event.data) });
  });
}
