import type { Deps } from '../../deps';
import { describeError } from '../../platform/logger';
import { retryDelaySeconds } from '../../queues/retry';
import { AggregateMessageSchema, type AggregateMessage } from './aggregates.schemas';

/** Statements per D1 batch, and per consumer invocation (D1 allows 1,000 queries in one invocation). */
const BATCH_STATEMENTS = 400;
const INVOCATION_STATEMENTS = 900;

/**
 * Consumes an AGGREGATES batch: the messages' deltas (many learners') are written
 * together, a few hundred statements to a D1 batch, so a queue batch of 100 messages
 * costs D1 one or two round trips. A D1 batch is acked after it commits; a failure
 * retries its messages (receipts make the repeat a no-op), and messages past the
 * invocation's statement budget are retried at once. A message that fails its schema
 * is recorded as rejected and acked; one of a learner who erased their data is dropped. From the dead-letter queue, messages are kept in
 * D1 for `npm run events -- replay-dlq`.
 */
export async function consumeAggregates(
  batch: MessageBatch<unknown>,
  deps: Pick<Deps, 'aggregates' | 'events' | 'privacy' | 'logger'>,
  deadLetters: boolean,
): Promise<void> {
  const now = new Date().toISOString();
  const log = deps.logger.child({ queue: batch.queue, messages: batch.messages.length });
  const valid: { message: Message<unknown>; body: AggregateMessage }[] = [];
  for (const message of batch.messages) {
    try {
      if (deadLetters) {
        await deps.events.deadLetter(message.body, now);
        log.log('error', 'aggregates.dead_lettered', { messageId: message.id });
        message.ack();
        continue;
      }
      const parsed = AggregateMessageSchema.safeParse(message.body);
      if (parsed.success) {
        valid.push({ message, body: parsed.data });
        continue;
      }
      await deps.events.reject(message.body, parsed.error.message, now);
      log.log('warn', 'aggregates.rejected_message', { messageId: message.id, reason: parsed.error.message.slice(0, 500) });
      message.ack();
    } catch (error) {
      log.log('warn', 'aggregates.attempt_failed', { messageId: message.id, ...describeError(error) });
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts, Math.random()) });
    }
  }
  // Deltas of learners who erased their data since are dropped: their id stays out of the shared tables.
  const erased = await deps.privacy.erased(valid.map((v) => v.body.learnerId)).catch((error: unknown) => {
    log.log('warn', 'aggregates.attempt_failed', { retried: valid.length, ...describeError(error) });
    for (const v of valid) v.message.retry({ delaySeconds: retryDelaySeconds(v.message.attempts, Math.random()) });
    return null;
  });
  if (!erased) return;
  let spent = 0;
  let group: typeof valid = [];
  let size = 0;
  const write = async () => {
    if (group.length === 0) return;
    const messages = group;
    group = [];
    size = 0;
    try {
      await deps.aggregates.apply(
        messages.map((m) => m.body),
        crypto.randomUUID(),
        now,
      );
      for (const m of messages) m.message.ack();
    } catch (error) {
      log.log('warn', 'aggregates.attempt_failed', { retried: messages.length, ...describeError(error) });
      for (const m of messages) m.message.retry({ delaySeconds: retryDelaySeconds(m.message.attempts, Math.random()) });
    }
  };
  for (const item of valid) {
    if (erased.has(item.body.learnerId)) {
      item.message.ack();
      continue;
    }
    const statements = deps.aggregates.statementCount(item.body);
    if (spent + statements > INVOCATION_STATEMENTS) {
      item.message.retry();
      continue;
    }
    if (size + statements > BATCH_STATEMENTS) await write();
    group.push(item);
    size += statements;
    spent += statements;
  }
  await write();
}
