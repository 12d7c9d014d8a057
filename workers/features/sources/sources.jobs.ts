import type { Deps } from '../../deps';
import type { IngestSourceJob } from '../../queues/messages';
import { indexItem } from '../search/search.jobs';
import { extractKeyPhrases } from '../concepts/concepts.keyphrases';
import { ExtractionError, extractText } from './sources.extract';

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
      partSlug: null,
      chapterSlug: null,
      layer: null,
      sourceType: source.sourceType,
    },
    extracted.text,
    extracted.format,
  );
  const headings = [source.title, ...(extracted.text.match(/^#{1,6} .+$/gm) ?? []).map((h) => h.replace(/^#+ /, ''))];
  await deps.concepts.replaceExtracted({ kind: 'source', id: source.id }, extractKeyPhrases(extracted.text, { headings }));
  await deps.sources.markIngested(
    source.id,
    source.contentHash,
    { pages: extracted.pages, characters: extracted.text.length },
    now,
  );
  deps.logger.log('info', 'ingest.done', { source: source.id, chunks: indexed.chunks, pages: extracted.pages });
}
