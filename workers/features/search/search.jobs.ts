import type { Deps } from '../../deps';
import { chunkMarkdown } from './search.chunking';
import { embeddingText } from './search.domain';
import type { ChunkRow } from './search.store';

type IndexDeps = Pick<Deps, 'search' | 'embedder' | 'vectorIndex' | 'logger'>;

/**
 * Makes one lesson version searchable: heading-aware chunks into D1 (and its FTS
 * index, by trigger), their embeddings into the vector index, older versions'
 * chunks removed. Idempotent by content hash: a version already chunked and
 * embedded with this embedder is left alone and nothing is embedded again.
 */
export async function indexLesson(
  deps: IndexDeps,
  slug: string,
  contentHash: string,
  markdown: string,
): Promise<{ chunks: number; embedded: number }> {
  const state = await deps.search.chunkState('lesson', slug, contentHash, deps.embedder.id);
  if (state.chunks > 0 && state.embedded === state.chunks) {
    deps.logger.log('info', 'search.index_unchanged', { lesson: slug, chunks: state.chunks });
    return { chunks: state.chunks, embedded: 0 };
  }
  const placement = await deps.search.lessonPlacement(slug);
  if (!placement) return { chunks: 0, embedded: 0 };
  const rows: ChunkRow[] = chunkMarkdown(markdown).map((chunk) => ({
    id: `lesson:${slug}:${contentHash.slice(0, 16)}:${chunk.index}`,
    position: chunk.index,
    headingPath: chunk.headingPath,
    anchor: chunk.anchor,
    startOffset: chunk.start,
    endOffset: chunk.end,
    page: chunk.page,
    text: chunk.text,
  }));
  await deps.search.replaceChunks({ kind: 'lesson', id: slug, contentHash, ...placement }, rows);
  const vectors = await deps.embedder.embed(rows.map((r) => embeddingText(r.text)));
  await deps.vectorIndex.upsert(
    rows.map((r, i) => ({ id: r.id, values: vectors[i] ?? new Float32Array(deps.embedder.dimensions) })),
  );
  deps.logger.log('info', 'search.indexed', { lesson: slug, chunks: rows.length, embedder: deps.embedder.id });
  return { chunks: rows.length, embedded: rows.length };
}
