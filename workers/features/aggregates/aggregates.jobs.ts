import type { Deps } from '../../deps';
import { describeError } from '../../platform/logger';
import { retryDelaySeconds } from '../../queues/retry';
import { AggregateMessageSchema } from './aggregates.schemas';

/**
 * Consumes an AGGREGATES batch: each message (one learner's packed deltas) is applied
 * in its own D1 batch and acked after that commit; a failure retries just that message.
 * A message that fails its schema is recorded as rejected and acked. From the
 * dead-letter queue, messages are kept in D1 for `npm run events -- replay-dlq`.
 */
export async function consumeAggregates(
  batch: MessageBatch<unknown>,
  deps: Pick<Deps, 'aggregates' | 'events' | 'logger'>,
  deadLetters: boolean,
): Promise<void> {
  for (const message of batch.messages) {
    const now = new Date().toISOString();
    const log = deps.logger.child({ queue: batch.queue, messageId: message.id, attempts: message.attempts });
    try {
      if (deadLetters) {
        await deps.events.deadLetter(message.body, now);
        log.log('error', 'aggregates.dead_lettered');
      } else {
        const parsed = AggregateMessageSchema.safeParse(message.body);
        if (parsed.success) await deps.aggregates.apply(parsed.data, crypto.randomUUID(), now);
        else {
          await deps.events.reject(message.body, parsed.error.message, now);
          log.log('warn', 'aggregates.rejected_message', { reason: parsed.error.message.slice(0, 500) });
        }
      }
      message.ack();
    } catch (error) {
      log.log('warn', 'aggregates.attempt_failed', describeError(error));
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts, Math.random()) });
    }
  }
}
