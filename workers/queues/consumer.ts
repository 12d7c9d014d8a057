import type { Deps } from '../deps';
import { ingestLesson } from '../features/content/content.jobs';
import { describeError } from '../platform/logger';
import { IngestJobSchema, QUEUES } from './messages';

/** Backoff for a retried message: 2, 4, 8 ... seconds, capped, with jitter. */
export function retryDelaySeconds(attempts: number, random: number): number {
  const base = Math.min(300, 2 ** Math.max(1, attempts));
  return Math.round(base * (0.75 + random * 0.5));
}

/**
 * Dispatches a batch by queue. Each message is acked or retried on its own, so one
 * bad lesson never holds back the others. A message that fails its schema is
 * logged and acked: retrying cannot fix it.
 */
export async function consumeBatch(batch: MessageBatch<unknown>, deps: Deps): Promise<void> {
  const { logger } = deps;
  for (const message of batch.messages) {
    const now = new Date().toISOString();
    const log = logger.child({ queue: batch.queue, messageId: message.id, attempts: message.attempts });
    if (batch.queue !== QUEUES.ingest && batch.queue !== QUEUES.ingestDlq) {
      // Nothing produces to the events queues yet; an unexpected message is dropped visibly.
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
    try {
      if (batch.queue === QUEUES.ingestDlq) {
        await deps.content.markIngestFailed(job.lessonSlug, job.contentHash, now);
        log.log('error', 'ingest.dead_lettered', { lesson: job.lessonSlug });
      } else {
        await ingestLesson(deps, job, now);
      }
      message.ack();
    } catch (error) {
      log.log('warn', 'ingest.attempt_failed', { lesson: job.lessonSlug, ...describeError(error) });
      const reason = error instanceof Error ? error.message : String(error);
      await deps.content
        .recordIngestError(job.lessonSlug, job.contentHash, reason, now)
        .catch((recordError: unknown) =>
          log.log('error', 'ingest.record_failure_failed', { lesson: job.lessonSlug, ...describeError(recordError) }),
        );
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts, Math.random()) });
    }
  }
}
