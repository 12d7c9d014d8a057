import type { Deps } from '../../deps';
import { ingestJobs, type IngestLessonJob } from '../../queues/messages';
import { extractKeyPhrases } from '../concepts/concepts.keyphrases';
import { labelFromText } from '../concepts/concepts.labels';
import { indexLesson } from '../search/search.jobs';
import { markdownStats } from './content.markdown';

/**
 * Ingests one lesson version: reads its markdown from R2, makes it searchable
 * (chunks, full-text rows, vectors), links its key concepts and stores word count,
 * reading time and outline. A job for a hash the lesson no longer has is stale (a
 * newer push queued its own job) and is dropped.
 */
export async function ingestLesson(
  deps: Pick<Deps, 'content' | 'blobs' | 'logger' | 'search' | 'embedder' | 'vectorIndex' | 'concepts'>,
  job: IngestLessonJob,
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
  const headings = stats.outline.map((h) => h.text);
  await deps.concepts.replaceExtracted({ kind: 'lesson', id: job.lessonSlug }, extractKeyPhrases(markdown, { headings }));
  await deps.concepts.relabelAuthored(job.lessonSlug, (id) => labelFromText(id, markdown));
  const stored = await deps.content.markIngested(job.lessonSlug, job.contentHash, stats, now);
  if (!stored && (await deps.content.lessonHash(job.lessonSlug)) === null) {
    // Pruned while this job ran: what it wrote after the prune goes too.
    await deps.search.deleteItem('lesson', job.lessonSlug);
    await deps.concepts.replaceExtracted({ kind: 'lesson', id: job.lessonSlug }, []);
    await deps.vectorIndex.syncDeletions();
  }
  deps.logger.log('info', 'ingest.done', { lesson: job.lessonSlug, stored, words: stats.wordCount });
}

/** Lessons pending this long lost their job (the cron sweep's threshold). */
export const STALE_PENDING_MS = 10 * 60_000;

/**
 * Re-queues ingestion for lessons and sources pending longer than `olderThanMs`
 * (their job was lost); returns how many.
 */
export async function requeuePending(
  deps: Pick<Deps, 'content' | 'sources' | 'ingestQueue' | 'logger'>,
  now: Date,
  olderThanMs: number,
  requestId?: string,
): Promise<number> {
  const before = new Date(now.getTime() - olderThanMs).toISOString();
  const lessons = await deps.content.pendingSince(before);
  const sources = await deps.sources.pendingSince(before);
  const items = [
    ...lessons.map((l) => ({ kind: 'lesson' as const, id: l.slug, contentHash: l.contentHash })),
    ...sources.map((s) => ({ kind: 'source' as const, ...s })),
  ];
  await deps.ingestQueue.sendAll(ingestJobs(items, requestId));
  const count = items.length;
  if (count > 0) deps.logger.log('warn', 'ingest.requeued_pending', { count, lessons: lessons.length, sources: sources.length });
  return count;
}
