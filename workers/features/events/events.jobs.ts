import type { Deps } from '../../deps';
import { describeError } from '../../platform/logger';
import { retryDelaySeconds } from '../../queues/retry';
import { applyEvent } from './events.apply';
import { EventMessageSchema } from './events.schemas';

/**
 * Consumes an EVENTS batch. Each message is applied in its own D1 batch and acked only
 * after that commit; a failure retries just that message with backoff. A message
 * that fails its schema, or answers a quiz item that does not exist, is recorded as
 * rejected and acked: retrying cannot fix it.
 * From the dead-letter queue, messages are kept in D1 for `npm run events -- replay-dlq`.
 */
export async function consumeEvents(
  batch: MessageBatch<unknown>,
  deps: Pick<Deps, 'events' | 'mastery' | 'cache' | 'logger'>,
  deadLetters: boolean,
): Promise<void> {
  for (const message of batch.messages) {
    const now = new Date().toISOString();
    const log = deps.logger.child({ queue: batch.queue, messageId: message.id, attempts: message.attempts });
    try {
      if (deadLetters) {
        await deps.events.deadLetter(message.body, now);
        log.log('error', 'events.dead_lettered');
        message.ack();
        continue;
      }
      const parsed = EventMessageSchema.safeParse(message.body);
      if (!parsed.success) {
        await deps.events.reject(message.body, parsed.error.message, now);
        log.log('warn', 'events.rejected_message', { reason: parsed.error.message.slice(0, 500) });
        message.ack();
        continue;
      }
      const outcome = await applyEvent(deps, parsed.data);
      if (outcome.result === 'unknown_item') {
        await deps.events.reject(message.body, 'no such quiz item', now);
        log.log('warn', 'events.rejected_message', { reason: 'no such quiz item', eventId: parsed.data.event.eventId });
      } else if (outcome.result === 'duplicate') {
        log.log('info', 'events.duplicate', { eventId: parsed.data.event.eventId });
      }
      message.ack();
    } catch (error) {
      log.log('warn', 'events.attempt_failed', describeError(error));
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts, Math.random()) });
    }
  }
}
