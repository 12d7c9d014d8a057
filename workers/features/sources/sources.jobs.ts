import type { Deps } from '../../deps';
import type { IngestSourceJob } from '../../queues/messages';
import { indexItem } from '../search/search.jobs';
import { extractKeyPhrases } from '../concepts/concepts.keyphrases';
import { ExtractionError, extractText } from './sources.extract';

/** Key phrases come from the start of a long document: enough to name its concepts, bounded in time. */
const KEY_PHRASE_CHARS = 50_000;

type SourceJobDeps = Pick<Deps, 'sources' | 'blobs' | 'logger' | 'search' | 'embedder' | 'vectorIndex' | 'concepts'>;

/**
 * Ingests one uploaded document: reads it from R2, extracts its text, makes it
 * searchable and links its key concepts. A file that cannot be read (corrupt,
 * encrypted, no text) is marked failed with the reason and the job ends: retrying
 * would fail the same way. Anything else (storage, embedder) throws, so the queue
 * retries it with backoff. A job for a source deleted or replaced meanwhile is dropped.
 */
export async function ingestSource(deps: SourceJobDeps, job: IngestSourceJob, now: string): Promise<void> {
  const source = await deps.sources.get(job.sourceId);
  if (!source || source.contentHash !== job.contentHash) {
    deps.logger.log('info', 'ingest.stale', { source: job.sourceId });
    return;
  }
  if (source.status === 'ingested' && source.chunks > 0 && source.embedders.includes(deps.embedder.id)) {
    // A redelivered job: the file is not read or parsed again.
    deps.logger.log('info', 'ingest.unchanged', { source: source.id, chunks: source.chunks });
    return;
  }
  const blob = await deps.blobs.get(source.contentHash);
  if (!blob) throw new Error(`file ${source.contentHash} of source ${source.id} is missing from storage`);
  const bytes = new Uint8Array(await new Response(blob.body).arrayBuffer());
  let extracted;
  try {
    extracted = await extractText(source.sourceType, bytes);
  } catch (error) {
    if (!(error instanceof ExtractionError)) throw error;
    await deps.sources.markFailed(source.id, source.contentHash, error.message, now);
    deps.logger.log('warn', 'ingest.unreadable_source', { source: source.id, reason: error.message });
    return;
  }
  const indexed = await indexItem(
    deps,
    {
      kind: 'source',
      id: source.id,
      contentHash: source.contentHash,
      courseId: null,
      partSlug: null,
      chapterSlug: null,
      layer: null,
      sourceType: source.sourceType,
    },
    extracted.text,
    extracted.format,
  );
  const headings = [source.title, ...(extracted.text.match(/^#{1,6} .+$/gm) ?? []).map((h) => h.replace(/^#+ /, ''))];
  const phrases = extractKeyPhrases(extracted.text.slice(0, KEY_PHRASE_CHARS), { headings });
  await deps.concepts.replaceExtracted({ kind: 'source', id: source.id }, phrases);
  const stats = { pages: extracted.pages, characters: extracted.text.length };
  await deps.sources.markIngested(source.id, source.contentHash, stats, now);
  if (!(await deps.sources.get(source.id))) {
    // Deleted while this job ran: what it wrote after the delete goes too.
    await deps.sources.delete(source.id);
    await deps.vectorIndex.syncDeletions();
    deps.logger.log('info', 'ingest.deleted_meanwhile', { source: source.id });
    return;
  }
  deps.logger.log('info', 'ingest.done', { source: source.id, chunks: indexed.chunks, pages: extracted.pages });
}
