import type { Deps } from '../../deps';
import { describeError } from '../../platform/logger';
import { chunkMarkdown, chunkPlainText } from './search.chunking';
import { chunkId, embeddingText } from './search.domain';
import type { ChunkRow, ItemPlacement } from './search.store';

type IndexDeps = Pick<Deps, 'search' | 'embedder' | 'vectorIndex' | 'logger'>;

export interface IndexableItem extends ItemPlacement {
  kind: 'lesson' | 'source';
  id: string;
  contentHash: string;
}

/**
 * Makes one version of a lesson or source searchable: heading-aware chunks into D1
 * (and its FTS index, by trigger), their embeddings into the vector index, older
 * versions' chunks removed (and their vectors, through `syncDeletions`). Idempotent
 * by content hash: a version already chunked and embedded with this embedder is
 * left alone and nothing is embedded again.
 */
export async function indexItem(
  deps: IndexDeps,
  item: IndexableItem,
  text: string,
  format: 'markdown' | 'plain',
): Promise<{ chunks: number; embedded: number }> {
  const state = await deps.search.chunkState(item.kind, item.id, item.contentHash, deps.embedder.id);
  if (state.chunks > 0 && state.embedded === state.chunks) {
    deps.logger.log('info', 'search.index_unchanged', { kind: item.kind, item: item.id, chunks: state.chunks });
    return { chunks: state.chunks, embedded: 0 };
  }
  const pieces = format === 'markdown' ? chunkMarkdown(text) : chunkPlainText(text);
  const rows: ChunkRow[] = pieces.map((chunk) => ({
    id: chunkId(item.kind, item.id, item.contentHash, chunk.index),
    position: chunk.index,
    headingPath: chunk.headingPath,
    anchor: chunk.anchor,
    startOffset: chunk.start,
    endOffset: chunk.end,
    page: chunk.page,
    text: chunk.text,
  }));
  await deps.search.replaceChunks(item, rows);
  // A chunk of code alone has no prose to embed: its raw text stands in (embedders refuse empty input).
  const vectors = await deps.embedder.embed(rows.map((r) => embeddingText(r.text) || r.text.slice(0, 1000)));
  const metadata = {
    courseId: item.courseId ?? undefined,
    partSlug: item.partSlug ?? undefined,
    chapterSlug: item.chapterSlug ?? undefined,
    layer: item.layer ?? undefined,
    sourceType: item.sourceType,
  };
  await deps.vectorIndex.upsert(
    rows.map((r, i) => ({ id: r.id, values: vectors[i] ?? new Float32Array(deps.embedder.dimensions), metadata })),
  );
  // Best effort: the indexed chunks stand; vectors of deleted chunks wait for the next sync or the cron.
  await deps.vectorIndex
    .syncDeletions()
    .catch((error: unknown) => deps.logger.log('warn', 'search.sync_deletions_failed', describeError(error)));
  deps.logger.log('info', 'search.indexed', { kind: item.kind, item: item.id, chunks: rows.length, embedder: deps.embedder.id });
  return { chunks: rows.length, embedded: rows.length };
}

/** Indexes a lesson version where it sits in the course; a lesson gone meanwhile is skipped. */
export async function indexLesson(
  deps: IndexDeps,
  slug: string,
  contentHash: string,
  markdown: string,
): Promise<{ chunks: number; embedded: number }> {
  const placement = await deps.search.lessonPlacement(slug);
  if (!placement) return { chunks: 0, embedded: 0 };
  return indexItem(deps, { kind: 'lesson', id: slug, contentHash, ...placement }, markdown, 'markdown');
}
