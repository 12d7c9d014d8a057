import type { Deps } from '../../deps';
import type { IngestJob } from '../../queues/messages';
import { indexLesson } from '../search/search.jobs';
import { markdownStats } from './content.markdown';

/**
 * Ingests one lesson version: reads its markdown from R2, makes it searchable
 * (chunks, full-text rows, vectors) and stores word count, reading time and outline. A job for a hash the lesson no longer has is
 * stale (a newer push queued its own job) and is dropped.
 */
export async function ingestLesson(
  deps: Pick<Deps, 'content' | 'blobs' | 'logger' | 'search' | 'embedder' | 'vectorIndex'>,
  job: IngestJob,
  now: string,
): Promise<void> {
  const current = await deps.content.lessonHash(job.lessonSlug);
  if (current !== job.contentHash) {
    deps.logger.log('info', 'ingest.stale', { lesson: job.lessonSlug, jobHash: job.contentHash, currentHash: current });
    return;
  }
  const markdown = await deps.blobs.getText(job.contentHash);
  if (markdown === null) throw new Error(`markdown blob ${job.contentHash} is missing from storage`);
  const stats = markdownStats(markdown);
  // Searchable first: a lesson shows `ingested` only once its chunks and vectors are in.
  await indexLesson(deps, job.lessonSlug, job.contentHash, markdown);
  const stored = await deps.content.markIngested(job.lessonSlug, job.contentHash, stats, now);
  deps.logger.log('info', 'ingest.done', { lesson: job.lessonSlug, stored, words: stats.wordCount });
}

/** Lessons pending this long lost their job (the cron sweep's threshold). */
export const STALE_PENDING_MS = 10 * 60_000;

/** Re-queues ingestion for lessons pending longer than `olderThanMs`; returns how many. */
export async function requeuePending(
  deps: Pick<Deps, 'content' | 'ingestQueue' | 'logger'>,
  now: Date,
  olderThanMs: number,
  requestId?: string,
): Promise<number> {
  const stale = await deps.content.pendingSince(new Date(now.getTime() - olderThanMs).toISOString());
  await deps.ingestQueue.sendAll(
    stale.map((l) => ({
      type: 'lesson.ingest' as const,
      lessonSlug: l.slug,
      contentHash: l.contentHash,
      ...(requestId ? { requestId } : {}),
    })),
  );
  if (stale.length > 0) deps.logger.log('warn', 'ingest.requeued_pending', { count: stale.length });
  return stale.length;
}
