import type { Deps } from '../deps';
import { ingestLesson } from '../features/content/content.jobs';
import { describeError } from '../platform/logger';
import { ingestSource } from '../features/sources/sources.jobs';
import { consumeEvents } from '../features/events/events.jobs';
import { consumeAggregates } from '../features/aggregates/aggregates.jobs';
import { IngestJobSchema, QUEUES, type IngestJob } from './messages';
import { retryDelaySeconds } from './retry';

/**
 * Dispatches a batch by queue. Each message is acked or retried on its own, so one
 * bad lesson never holds back the others. A message that fails its schema is
 * logged and acked: retrying cannot fix it.
 */
export async function consumeBatch(batch: MessageBatch<unknown>, deps: Deps): Promise<void> {
  if (batch.queue === QUEUES.events || batch.queue === QUEUES.eventsDlq) {
    return consumeEvents(batch, deps, batch.queue === QUEUES.eventsDlq);
  }
  if (batch.queue === QUEUES.aggregates || batch.queue === QUEUES.aggregatesDlq) {
    return consumeAggregates(batch, deps, batch.queue === QUEUES.aggregatesDlq);
  }
  const { logger } = deps;
  for (const message of batch.messages) {
    const now = new Date().toISOString();
    const log = logger.child({ queue: batch.queue, messageId: message.id, attempts: message.attempts });
    if (batch.queue !== QUEUES.ingest && batch.queue !== QUEUES.ingestDlq) {
      log.log('warn', 'queue.unhandled_message');
      message.ack();
      continue;
    }
    const parsed = IngestJobSchema.safeParse(message.body);
    if (!parsed.success) {
      log.log('error', 'queue.rejected_message', { reason: parsed.error.message });
      message.ack();
      continue;
    }
    const job = parsed.data;
    const item = job.type === 'lesson.ingest' ? { lesson: job.lessonSlug } : { source: job.sourceId };
    try {
      if (batch.queue === QUEUES.ingestDlq) {
        await giveUp(deps, job, now);
        log.log('error', 'ingest.dead_lettered', item);
      } else if (job.type === 'lesson.ingest') {
        await ingestLesson(deps, job, now);
      } else {
        await ingestSource(deps, job, now);
      }
      message.ack();
    } catch (error) {
      log.log('warn', 'ingest.attempt_failed', { ...item, ...describeError(error) });
      const reason = error instanceof Error ? error.message : String(error);
      await recordAttemptError(deps, job, reason, now).catch((recordError: unknown) =>
        log.log('error', 'ingest.record_failure_failed', { ...item, ...describeError(recordError) }),
      );
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts, Math.random()) });
    }
  }
}

/** A job out of retries: its lesson or source is marked failed with the last attempt's reason. */
async function giveUp(deps: Deps, job: IngestJob, now: string): Promise<void> {
  if (job.type === 'lesson.ingest') return deps.content.markIngestFailed(job.lessonSlug, job.contentHash, now);
  const source = await deps.sources.get(job.sourceId);
  const reason = `gave up after retries: ${source?.error ?? 'unknown error'}`;
  await deps.sources.markFailed(job.sourceId, job.contentHash, reason, now);
}

function recordAttemptError(deps: Deps, job: IngestJob, reason: string, now: string): Promise<void> {
  return job.type === 'lesson.ingest'
    ? deps.content.recordIngestError(job.lessonSlug, job.contentHash, reason, now)
    : deps.sources.recordError(job.sourceId, job.contentHash, reason, now);
}
