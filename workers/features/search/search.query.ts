import type { Deps } from '../../deps';
import { sha256Hex } from '../../platform/sha256';
import type { VectorFilter } from '../../platform/vector-index';
import { lessonPageHref } from '../content/content.catalog';
import { sourceFileUrl } from '../sources/sources.domain';
import { stemmer } from 'stemmer';
import {
  chunkProse,
  dropCommonWords,
  groupByItem,
  queryWords,
  reciprocalRankFusion,
  toFtsQuery,
  snippetSource,
  windowSnippet,
  type SnippetSource,
} from './search.domain';
import {
  chunkWords,
  editDistance,
  hasTerms,
  isStopStem,
  isStopWord,
  memoStemmer,
  queryTerms,
  supports,
  tokenize,
  typoReach,
  vectorFloor,
  type ChunkWords,
  type QueryTerms,
} from './search.relevance';
import type { SearchResponse } from './search.schemas';
import type { SearchHitRow } from './search.store';

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
 * and vector similarity, fused by reciprocal rank. `modes` lets the evaluation measure
 * each ranking alone. A candidate is kept only if the query supports it (`supports`, or
 * a similarity at the embedder's floor), so a query about nothing in the course finds
 * nothing. Hits per chunk (`group: 'chunk'`) keep the fused chunk order; hits per
 * lesson or source are ranked by fusing each item's best rank in each list
 * (`groupByItem`), each shown by its best chunk.
 */
export async function searchChunks(
  deps: Pick<Deps, 'search' | 'embedder' | 'vectorIndex'>,
  input: SearchInput,
): Promise<Omit<SearchResponse, 'suggestions'>> {
  const { found, snippetQuery, stemOf } = await rankChunks(deps, input);
  const hits = found.map(({ row, more, score }) => {
    const snippet = windowSnippet(snippetOfRow(row, stemOf), snippetQuery, { stemOf });
    return {
      chunkId: row.id,
      kind: row.itemKind,
      itemId: row.itemId,
      title: row.title,
      headingPath: row.headingPath,
      anchor: row.anchor,
      href:
        row.itemKind === 'lesson' ? lessonPageHref(row.courseId, row.itemId, row.anchor) : sourceFileUrl(row.itemId, row.page),
      snippet: snippet.text,
      highlights: snippet.highlights,
      page: row.page,
      score,
      // A lesson found by its title, summary or objectives was found by its words.
      matchedBy: [...new Set(row.via.map((v) => (v === 'vector' ? ('vector' as const) : ('lexical' as const))))],
      moreMatches: more,
    };
  });
  return { query: input.query, embedder: deps.embedder.id, hits };
}

/**
 * Chunks' prose as snippets read it, per isolate, by chunk id (checked against the row's
 * text and headings): the same passages keep coming up, and reading their words was a
 * quarter of a search's time. At most SNIPPET_SOURCES (a passage's words take tens of
 * kilobytes, and an isolate has 128 MB), dropped all at once when full.
 */
const snippetSources = new Map<string, { text: string; headings: string; source: SnippetSource }>();
const SNIPPET_SOURCES = 500;

function snippetOfRow(row: SearchHitRow, stemOf: (word: string) => string): SnippetSource {
  const headings = row.headingPath.join('\n');
  const known = snippetSources.get(row.id);
  if (known && known.text === row.text && known.headings === headings) return known.source;
  const source = snippetSource(chunkProse(row.text, row.headingPath), stemOf);
  if (snippetSources.size >= SNIPPET_SOURCES) snippetSources.clear();
  snippetSources.set(row.id, { text: row.text, headings, source });
  return source;
}

/** A chunk `rankChunks` kept: its row (text included), how it was found, its score and the item's other matches folded into it. */
export interface RankedChunk {
  row: SearchHitRow & { score: number; via: string[] };
  score: number;
  more: number;
}

/**
 * The hybrid ranking of `searchChunks` without the snippets: the chunks it keeps, best
 * first (at most `input.limit`), each with its row as read, for a caller that reads
 * their text itself (answers) rather than reading them again.
 */
export async function rankChunks(
  deps: Pick<Deps, 'search' | 'embedder' | 'vectorIndex'>,
  input: SearchInput,
): Promise<{ found: RankedChunk[]; snippetQuery: string; stemOf: (word: string) => string; corpus: CorpusWords }> {
  const asked = queryTerms(input.query);
  if (!hasTerms(asked)) return { found: [], snippetQuery: input.query, stemOf: memoStemmer(), corpus: NO_CORPUS };
  const modes = new Set(input.modes ?? ['lexical', 'vector']);
  const [{ lexical, lessons, corpus }, vector] = await Promise.all([
    modes.has('lexical')
      ? lexicalCandidates(deps, input, asked)
      : Promise.resolve({ lexical: [], lessons: [], corpus: NO_CORPUS }),
    modes.has('vector')
      ? queryVector(deps, input.query).then((v) => deps.vectorIndex.query(v, { topK: CANDIDATES, filter: input.filter }))
      : Promise.resolve([]),
  ]);
  // A corrected word supports a passage, and is highlighted, as the word meant.
  const corrections = [...new Set(corpus.corrected.values())];
  const terms = { ...asked, stems: new Set([...asked.stems, ...corrections]) };
  const snippetQuery = [input.query, ...corrections].join(' ');
  const lists = { lexical, lesson: lessons, vector: vector.map((h) => h.id) };
  const fused = reciprocalRankFusion(lists);
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
      (f.via.includes('lesson') && (terms.stems.size > 0 || terms.anyKeyword)) ||
      supports(terms, wordsOfRow(row, stemOf), stemOf) ||
      (similarity.get(f.id) ?? Number.NEGATIVE_INFINITY) >= floor;
    return supported ? [{ ...row, score: f.score, via: f.via }] : [];
  });
  // The query's words as the index read them (a misspelt one as its correction).
  const wanted = [...asked.stems].map((s) => corpus.corrected.get(s) ?? s);
  const shown: { best: (typeof relevant)[number]; more: number; score?: number }[] =
    input.group === 'chunk'
      ? relevant.map((best) => ({ best, more: 0 }))
      : titledFirst(groupByItem(relevant, lists), wanted, stemOf);
  const found = shown
    .slice(0, input.limit)
    .map(({ best, more, score }) => ({ row: best, more, score: Number((score ?? best.score).toFixed(6)) }));
  return { found, snippetQuery, stemOf, corpus };
}

/**
 * Items whose title holds every content word of the query first ("filter rows":
 * *Filtering rows with WHERE*, which the other rankings had put fifth behind sections
 * that say "filter" more often), in their fused order; then the others in theirs.
 */
function titledFirst<T extends { best: { title: string } }>(
  items: T[],
  wanted: readonly string[],
  stemOf: (word: string) => string,
): T[] {
  if (wanted.length === 0) return items;
  const titled = items.filter((item) => titleHolds(item.best.title, wanted, stemOf));
  return titled.length === 0 ? items : [...titled, ...items.filter((item) => !titled.includes(item))];
}

/** Whether a title holds every one of `stems` (content words as `stemOf` reads them). */
export function titleHolds(title: string, stems: readonly string[], stemOf: (word: string) => string): boolean {
  const words = new Set(tokenize(title).map((t) => stemOf(t.word)));
  return stems.every((s) => words.has(s));
}

/**
 * What the whole index says of a query's words: how many chunks it has, how many hold
 * each known stem (a stem it lacks holds none), and the stem a misspelt word was read as.
 */
export interface CorpusWords {
  chunks: number;
  documents: ReadonlyMap<string, number>;
  corrected: ReadonlyMap<string, string>;
}

/** What a query without words learns of the index: nothing. */
const NO_CORPUS: CorpusWords = { chunks: 0, documents: new Map(), corrected: new Map() };

/** The words of rows `hydrate` gave, read once per row: it gives the same row objects while their chunks stand. */
const rowWords = new WeakMap<SearchHitRow, ChunkWords>();

function wordsOfRow(row: SearchHitRow, stemOf: (word: string) => string): ChunkWords {
  let words = rowWords.get(row);
  if (!words) {
    words = chunkWords(row.text, stemOf);
    rowWords.set(row, words);
  }
  return words;
}

/**
 * BM25 candidates for the query's content words (its function words, when it has
 * nothing else), leaving out words too common to rank by: chunks by their text, and
 * lessons by their title, summary and objectives. A content word the index does not
 * know is searched as the index's nearest stem too (`corrections`: "duplicat" finds
 * "duplicate", "runing" "running").
 */
async function lexicalCandidates(
  deps: Pick<Deps, 'search'>,
  input: SearchInput,
  asked: QueryTerms,
): Promise<{ lexical: string[]; lessons: string[]; corpus: CorpusWords }> {
  const all = queryWords(input.query);
  // Function words the query writes in capitals are searched for too ("WHERE and HAVING").
  const capitals = new Set(asked.anyKeyword ? asked.keywords.map((k) => k.toLowerCase()) : []);
  const content = all.filter((w) => !isStopWord(w) || capitals.has(w));
  const words = content.length > 0 ? content : all;
  if (words.length === 0) return { lexical: [], lessons: [], corpus: NO_CORPUS };
  const frequencies = await documentFrequencies(deps, [...new Set(words.map(stemmer))]);
  const corrected = await correctedStems(
    deps,
    content.filter((w) => !frequencies.documents.has(stemmer(w))),
  );
  const fixes = [...corrected.values()];
  const corpus = {
    chunks: frequencies.chunks,
    documents: new Map([...frequencies.documents, ...fixes.map((f) => [f.term, f.doc] as const)]),
    corrected: new Map([...corrected].map(([stem, f]) => [stem, f.term])),
  };
  const match = toFtsQuery(dropCommonWords([...words, ...new Set(fixes.map((f) => f.term))], stemmer, frequencies));
  if (!match) return { lexical: [], lessons: [], corpus };
  const [lexical, lessons] = await Promise.all([
    deps.search.lexical(match, input.filter, CANDIDATES),
    content.length > 0 ? deps.search.lessonCards(match, input.filter, CANDIDATES) : Promise.resolve([]),
  ]);
  return { lexical, lessons, corpus };
}

/** Nearest index stems of misspelt words, per isolate, valid while the chunks' generation stands (null: none near). */
const corrections = new Map<string, { term: string; doc: number } | null>();
const CORRECTIONS_MEMO = 10_000;
/** Misspelt words a query may have corrected: each costs a read of part of the vocabulary the first time. */
const MAX_CORRECTED = 3;

/**
 * The index stems nearest to `unknown` words (words whose stem the index lacks), one
 * per word that has one: within `typoReach` edits of the word's stem, sharing its first
 * letter (a typo there is rare, and the letter bounds the vocabulary read), the stem
 * most chunks hold among the nearest; the first MAX_CORRECTED such words. Words shorter
 * than four letters or holding digits are left as they are: too many stems lie one edit
 * from them. Keyed by the misspelt word's stem, with the chunks holding the correction.
 */
async function correctedStems(
  deps: Pick<Deps, 'search'>,
  unknown: string[],
): Promise<Map<string, { term: string; doc: number }>> {
  if (corrections.size > CORRECTIONS_MEMO) corrections.clear();
  const stems = unknown
    .filter((w) => w.length >= 4 && !/\p{N}/u.test(w))
    .slice(0, MAX_CORRECTED)
    .map((word) => ({ word, stem: stemmer(word) }));
  const found = await Promise.all(
    stems.map(async ({ word, stem }) => {
      const key = `${frequencyMemo.generation}:${word}`;
      if (corrections.has(key)) return corrections.get(key) ?? null;
      // The stem is what is compared, so its length sets the reach ("capital" is "capit": one edit, not two).
      const reach = typoReach(stem);
      const terms = await deps.search.termsLike(stem.slice(0, 1), stem.length - reach, stem.length + reach);
      let best: { term: string; doc: number; distance: number } | null = null;
      for (const t of terms) {
        // A content word is not misspelt for a function word ("world" is not "would").
        if (isStopStem(t.term)) continue;
        const distance = editDistance(stem, t.term, reach);
        if (distance > reach) continue;
        if (!best || distance < best.distance || (distance === best.distance && t.doc > best.doc)) best = { ...t, distance };
      }
      const near = best ? { term: best.term, doc: best.doc } : null;
      corrections.set(key, near);
      return near;
    }),
  );
  return new Map(stems.flatMap(({ stem }, i) => (found[i] ? [[stem, found[i]] as const] : [])));
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
