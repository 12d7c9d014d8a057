import type { Deps } from '../../deps';
import { sha256Hex } from '../../platform/sha256';
import type { VectorFilter } from '../../platform/vector-index';
import { sourceFileUrl } from '../sources/sources.domain';
import { stemmer } from 'stemmer';
import { chunkProse, dropCommonWords, queryWords, reciprocalRankFusion, toFtsQuery, windowSnippet } from './search.domain';
import { groupByItem, hasTerms, isStopWord, memoStemmer, queryTerms, supports, vectorFloor } from './search.relevance';
import type { SearchResponse } from './search.schemas';

/**
 * Candidates each ranking contributes before fusion: the most a search returns. Deeper
 * lists let a ranking's weak tail outvote the other ranking's strong head (with the local
 * semantic embedder, 40 candidates each lowered hybrid recall@5 from 0.81 to 0.73).
 */
const CANDIDATES = 20;
const QUERY_VECTOR_MEMO = 256;

/** Query vectors by embedder and text hash, per isolate: a repeated query costs no embedding. */
const queryVectors = new Map<string, Float32Array>();

export interface SearchInput {
  query: string;
  limit: number;
  filter: VectorFilter;
  modes?: ('lexical' | 'vector')[];
  /** One hit per lesson or source (the default), or one per chunk. */
  group?: 'item' | 'chunk';
}

/**
 * Hybrid search: BM25 over chunk text, BM25 over lessons' titles, summaries and
 * objectives (title first: a lesson named for the question comes up, at its start),
 * and vector similarity, fused by reciprocal rank. `modes` lets the evaluation measure each ranking alone. A candidate is kept
 * only if the query supports it (`supports`, or a similarity at the embedder's
 * floor), so a query about nothing in the course finds nothing; hits are then
 * grouped by lesson or source. Grouping and the floor only drop and fold candidates:
 * the order of what stays is the fused ranking's.
 */
export async function searchChunks(
  deps: Pick<Deps, 'search' | 'embedder' | 'vectorIndex'>,
  input: SearchInput,
): Promise<Omit<SearchResponse, 'suggestions'>> {
  const terms = queryTerms(input.query);
  if (!hasTerms(terms)) return { query: input.query, embedder: deps.embedder.id, hits: [] };
  const modes = new Set(input.modes ?? ['lexical', 'vector']);
  const [{ lexical, lessons }, vector] = await Promise.all([
    modes.has('lexical') ? lexicalCandidates(deps, input) : Promise.resolve({ lexical: [], lessons: [] }),
    modes.has('vector')
      ? queryVector(deps, input.query).then((v) => deps.vectorIndex.query(v, { topK: CANDIDATES, filter: input.filter }))
      : Promise.resolve([]),
  ]);
  const fused = reciprocalRankFusion({ lexical, lesson: lessons, vector: vector.map((h) => h.id) });
  const rows = new Map((await deps.search.hydrate(fused.map((f) => f.id))).map((r) => [r.id, r]));
  const similarity = new Map(vector.map((h) => [h.id, h.score]));
  // A query of function words alone has no meaning an embedding could match.
  const floor = terms.stems.size > 0 ? vectorFloor(deps.embedder.id) : Number.POSITIVE_INFINITY;
  const stemOf = memoStemmer();
  const relevant = fused.flatMap((f) => {
    const row = rows.get(f.id);
    if (!row) return [];
    // A lesson whose title, summary or objectives hold a query word is about it (the FTS query has content words only).
    const supported =
      (f.via.includes('lesson') && terms.stems.size > 0) ||
      supports(terms, row.text, stemOf) ||
      (similarity.get(f.id) ?? Number.NEGATIVE_INFINITY) >= floor;
    return supported ? [{ ...row, score: f.score, via: f.via }] : [];
  });
  const shown = input.group === 'chunk' ? relevant.map((best) => ({ best, more: 0 })) : groupByItem(relevant);
  const hits = shown.slice(0, input.limit).map(({ best: row, more }) => {
    const snippet = windowSnippet(chunkProse(row.text, row.headingPath), input.query, { stemOf });
    return {
      chunkId: row.id,
      kind: row.itemKind,
      itemId: row.itemId,
      title: row.title,
      headingPath: row.headingPath,
      anchor: row.anchor,
      href:
        row.itemKind === 'lesson'
          ? `/lessons/${row.itemId}${row.anchor ? `#${row.anchor}` : ''}`
          : sourceFileUrl(row.itemId, row.page),
      snippet: snippet.text,
      highlights: snippet.highlights,
      page: row.page,
      score: Number(row.score.toFixed(6)),
      // A lesson found by its title, summary or objectives was found by its words.
      matchedBy: [...new Set(row.via.map((v) => (v === 'vector' ? ('vector' as const) : ('lexical' as const))))],
      moreMatches: more,
    };
  });
  return { query: input.query, embedder: deps.embedder.id, hits };
}

/**
 * BM25 candidates for the query's content words (its function words, when it has
 * nothing else), leaving out words too common to rank by: chunks by their text, and
 * lessons by their title, summary and objectives.
 */
async function lexicalCandidates(
  deps: Pick<Deps, 'search'>,
  input: SearchInput,
): Promise<{ lexical: string[]; lessons: string[] }> {
  const all = queryWords(input.query);
  const content = all.filter((w) => !isStopWord(w));
  const words = content.length > 0 ? content : all;
  if (words.length === 0) return { lexical: [], lessons: [] };
  const frequencies = await documentFrequencies(deps, [...new Set(words.map(stemmer))]);
  const match = toFtsQuery(dropCommonWords(words, stemmer, frequencies));
  if (!match) return { lexical: [], lessons: [] };
  const [lexical, lessons] = await Promise.all([
    deps.search.lexical(match, input.filter, CANDIDATES),
    content.length > 0 ? deps.search.lessonCards(match, input.filter, CANDIDATES) : Promise.resolve([]),
  ]);
  return { lexical, lessons };
}

/** Document frequencies by stem, per isolate, valid while the chunks' generation stands. */
const frequencyMemo = { generation: '', chunks: 0, documents: new Map<string, number | null>() };
const FREQUENCY_MEMO = 10_000;

/**
 * Document frequencies of `stems`: reading them from the vocabulary scans each term's
 * whole posting list (as costly as matching it), so they are kept until any chunk
 * changes; a search then costs one small read instead.
 */
async function documentFrequencies(
  deps: Pick<Deps, 'search'>,
  stems: string[],
): Promise<{ chunks: number; documents: Map<string, number> }> {
  const generation = await deps.search.generation();
  if (generation !== frequencyMemo.generation || frequencyMemo.documents.size > FREQUENCY_MEMO) {
    Object.assign(frequencyMemo, { generation, chunks: 0, documents: new Map() });
  }
  const missing = stems.filter((s) => !frequencyMemo.documents.has(s));
  if (missing.length > 0) {
    const read = await deps.search.termFrequencies(missing);
    frequencyMemo.chunks = read.chunks;
    for (const stem of missing) frequencyMemo.documents.set(stem, read.documents.get(stem) ?? null);
  }
  const documents = new Map<string, number>();
  for (const stem of stems) {
    const count = frequencyMemo.documents.get(stem);
    if (count !== undefined && count !== null) documents.set(stem, count);
  }
  return { chunks: frequencyMemo.chunks, documents };
}

async function queryVector(deps: Pick<Deps, 'embedder'>, query: string): Promise<Float32Array> {
  const key = `${deps.embedder.id}:${await sha256Hex(query.trim().toLowerCase())}`;
  const memo = queryVectors.get(key);
  if (memo) return memo;
  const [vector] = await deps.embedder.embed([query]);
  if (!vector) throw new Error('the embedder returned no vector');
  if (queryVectors.size >= QUERY_VECTOR_MEMO) queryVectors.clear();
  queryVectors.set(key, vector);
  return vector;
}
