import type { Deps } from '../../deps';
import { describeError } from '../../platform/logger';
import { retryDelaySeconds } from '../../queues/retry';
import { applyEvent } from '../learners/learner.client';
import { EventMessageSchema } from './events.schemas';

/** Outcomes a retry cannot change, and the reason recorded with the rejected message. */
const REFUSALS = {
  unknown_subject: 'no such lesson, quiz item, plan task, recommendation or answer of this learner',
  conflict: 'eventId already used by another event of this learner',
} as const;

/**
 * Consumes an EVENTS batch. Each message is applied by its learner's object (exactly
 * once, by eventId) and acked after that; a failure retries just that message with
 * backoff. A message that fails its schema, names a lesson or quiz item that does not
 * exist, reuses an eventId for another event, or is refused by its subject (a skip of a
 * plan's task that completed itself) is recorded as rejected and acked:
 * retrying cannot fix it. One whose learner is gone (erased since it was accepted) is
 * acked and nothing of it kept.
 * From the dead-letter queue, messages are kept in D1 for `npm run events -- replay-dlq`.
 */
export async function consumeEvents(
  batch: MessageBatch<unknown>,
  deps: Pick<Deps, 'events' | 'content' | 'mastery' | 'learner' | 'afterApplied' | 'logger' | 'config'>,
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
      if (outcome.result === 'no_learner') {
        // Accepted with a valid token, so the learner existed: they erased their data since. Nothing of it is kept.
        log.log('info', 'events.learner_gone', { eventId: parsed.data.event.eventId });
        message.ack();
        continue;
      }
      const refused =
        outcome.result === 'refused' ? outcome.reason : (REFUSALS[outcome.result as keyof typeof REFUSALS] as string | undefined);
      if (refused) {
        await deps.events.reject(message.body, refused, now);
        log.log('warn', 'events.rejected_message', { reason: refused, eventId: parsed.data.event.eventId });
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
