import { and, asc, eq, inArray, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import * as t from '../../db/schema';
import type { VectorFilter } from '../../platform/vector-index';

export interface ChunkRow {
  id: string;
  position: number;
  headingPath: string[];
  anchor: string;
  startOffset: number;
  endOffset: number;
  page: number | null;
  text: string;
}

export interface ItemPlacement {
  /** The lesson's course; null for an uploaded source (they serve the whole catalog). */
  courseId: string | null;
  partSlug: string | null;
  chapterSlug: string | null;
  layer: string | null;
  sourceType: string;
}

export interface SearchHitRow extends ChunkRow {
  itemKind: 'lesson' | 'source';
  itemId: string;
  /** A lesson's course; null for an uploaded source. */
  courseId: string | null;
  title: string;
}

/** Port over chunks and their full-text index in D1. */
/** Longest a stored query that found nothing is kept. */
const MISS_QUERY_CHARS = 120;

export interface SearchStore {
  /** Counts a query that found nothing under its normalized text and `day` (analytics; no learner id). */
  /** Counts a search that found nothing, for the course it searched (`courseId`; none: across the catalog). */
  recordMiss(query: string, day: string, courseId?: string): Promise<void>;
  /** Where a lesson sits (for search filters), or null if it is gone. */
  lessonPlacement(slug: string): Promise<ItemPlacement | null>;
  /** Chunk ids of an item's current content, and how many have a vector of `embedder`. */
  chunkState(
    itemKind: 'lesson' | 'source',
    itemId: string,
    contentHash: string,
    embedder: string,
  ): Promise<{ chunks: number; embedded: number }>;
  /**
   * Replaces an item's chunks with `rows` (for `contentHash`) in one batch: older
   * versions' chunks go (with their vectors and FTS rows), and every vector index
   * is marked changed so isolates reload.
   */
  replaceChunks(
    item: { kind: 'lesson' | 'source'; id: string; contentHash: string } & ItemPlacement,
    rows: ChunkRow[],
  ): Promise<void>;
  /** Drops every chunk of an item (deleted lessons and sources). */
  deleteItem(itemKind: 'lesson' | 'source', itemId: string): Promise<number>;
  /**
   * How many chunks there are, and in how many chunks each of `stems` (porter stems,
   * as the full-text index holds them) occurs; stems the index lacks are left out.
   */
  termFrequencies(stems: string[]): Promise<{ chunks: number; documents: Map<string, number> }>;
  /**
   * Stems of the full-text index that open with `first` and are `minLength` to
   * `maxLength` characters long, with the number of chunks holding each: the candidates
   * for correcting a misspelt query word that starts the same.
   */
  termsLike(first: string, minLength: number, maxLength: number): Promise<{ term: string; doc: number }[]>;
  /**
   * A token that changes whenever any chunk is written or deleted (kept by triggers), as
   * this isolate read it within the last GENERATION_TTL_MS (the answer cache and the
   * search's memos ask for it on every request). A write through this store reads it afresh.
   */
  generation(): Promise<string>;
  /** Chunk ids ranked by BM25 over chunk text, best first; `match` is an FTS5 query built by the caller. */
  lexical(match: string, filter: VectorFilter, limit: number): Promise<string[]>;
  /**
   * Lessons ranked by BM25 over their title, summary and objectives (title first), best
   * first, each as the id of its first chunk; `match` as for `lexical`.
   */
  lessonCards(match: string, filter: VectorFilter, limit: number): Promise<string[]>;
  /**
   * Chunks introducing `term` in bold (`**foreign key**`, `**foreign keys**`: where a
   * lesson defines it), at most `limit`, in course order where they are lessons'.
   */
  definingChunks(term: string, filter: VectorFilter, limit: number): Promise<string[]>;
  /**
   * The rows of chunks `ids` (the first 90), by their position in their item; the same row objects
   * while the chunks' generation stands (they are kept per isolate), so a caller may key
   * what it derives from a row's text on the row.
   */
  hydrate(ids: string[]): Promise<SearchHitRow[]>;
  /** Every chunk of a lesson or source, in order. */
  itemChunks(itemKind: 'lesson' | 'source', itemId: string): Promise<SearchHitRow[]>;
  /** Every lesson's and source's ingest state with its current chunk count and the embedders of its vectors. */
  ingestStatus(): Promise<IngestItem[]>;
}

export interface IngestItem {
  kind: 'lesson' | 'source';
  id: string;
  contentHash: string;
  status: 'pending' | 'ingested' | 'failed';
  error: string | null;
  chunks: number;
  embedders: string[];
  updatedAt: string;
}

const ROWS_PER_INSERT = 6;
/** How many bold mentions `definingChunks` reads per chunk it returns: most begin with the term itself. */
const DEFINING_SCAN = 8;

/** Chunk rows with their item's title (a lesson's, a source's, else the item id). */
function hitRows(db: Db) {
  return db
    .select({
      id: t.chunks.id,
      position: t.chunks.position,
      headingPath: t.chunks.headingPath,
      anchor: t.chunks.anchor,
      startOffset: t.chunks.startOffset,
      endOffset: t.chunks.endOffset,
      page: t.chunks.page,
      text: t.chunks.text,
      itemKind: t.chunks.itemKind,
      itemId: t.chunks.itemId,
      courseId: t.chunks.courseId,
      title: sql<string>`coalesce(${t.lessons.title}, ${t.sources.title}, ${t.chunks.itemId})`,
    })
    .from(t.chunks)
    .leftJoin(t.lessons, and(eq(t.chunks.itemKind, 'lesson'), eq(t.lessons.slug, t.chunks.itemId)))
    .leftJoin(t.sources, and(eq(t.chunks.itemKind, 'source'), eq(t.sources.id, t.chunks.itemId)))
    .$dynamic();
}

/** Conditions on a chunk row `c` for a search's filters. */
function chunkFilters(filter: VectorFilter) {
  const filters = [];
  if (filter.courseId) filters.push(sql`c.course_id = ${filter.courseId}`);
  if (filter.partSlug) filters.push(sql`c.part_slug = ${filter.partSlug}`);
  if (filter.chapterSlug) filters.push(sql`c.chapter_slug = ${filter.chapterSlug}`);
  if (filter.layer) filters.push(sql`c.layer = ${filter.layer}`);
  if (filter.sourceType) filters.push(sql`c.source_type = ${filter.sourceType}`);
  return filters;
}

/**
 * Hit rows read lately, per isolate, while the chunks' generation stands (it changes with
 * every chunk written or deleted): searches keep reading the same passages, and their
 * text is most of what a search reads from D1. At most ROW_MEMO rows, dropped all at once.
 */
const rowMemo = { generation: '', rows: new Map<string, SearchHitRow>() };
const ROW_MEMO = 2_000;

/**
 * How long this isolate trusts the generation it read: a cached answer or kept row may
 * outlive a push made through another isolate by this much (a push through this one
 * forgets it at once). It saves a D1 query on every cached answer and search.
 */
const GENERATION_TTL_MS = 1_000;
let generationRead: { value: string; until: number } | null = null;
/** Writes through this isolate so far: a read that began before one is not kept. */
let generationWrites = 0;
const forgetGeneration = () => {
  generationRead = null;
  generationWrites++;
};

export function createD1SearchStore(db: Db): SearchStore {
  const bumpVectors = () => db.update(t.vectorIndexes).set({ version: sql`${t.vectorIndexes.version} + 1` });
  const store: SearchStore = {
    async recordMiss(query, day, courseId) {
      const normalized = query.toLowerCase().replace(/\s+/g, ' ').trim().slice(0, MISS_QUERY_CHARS);
      if (!normalized) return;
      await db
        .insert(t.searchMisses)
        .values({ day, courseId: courseId ?? '', query: normalized, searches: 1 })
        .onConflictDoUpdate({
          target: [t.searchMisses.day, t.searchMisses.courseId, t.searchMisses.query],
          set: { searches: sql`${t.searchMisses.searches} + 1` },
        });
    },

    async lessonPlacement(slug) {
      const [row] = await db
        .select({ courseId: t.lessons.courseId, partSlug: t.parts.slug, chapterSlug: t.chapters.slug, layer: t.lessons.layer })
        .from(t.lessons)
        .innerJoin(t.chapters, eq(t.chapters.id, t.lessons.chapterId))
        .innerJoin(t.parts, eq(t.parts.id, t.chapters.partId))
        .where(eq(t.lessons.slug, slug));
      return row ? { ...row, sourceType: 'lesson' } : null;
    },

    async chunkState(itemKind, itemId, contentHash, embedder) {
      const [row] = await db
        .select({
          chunks: sql<number>`count(*)`,
          embedded: sql<number>`count(${t.chunkVectors.chunkId})`,
        })
        .from(t.chunks)
        .leftJoin(t.chunkVectors, and(eq(t.chunkVectors.chunkId, t.chunks.id), eq(t.chunkVectors.embedder, embedder)))
        .where(and(eq(t.chunks.itemKind, itemKind), eq(t.chunks.itemId, itemId), eq(t.chunks.contentHash, contentHash)));
      return { chunks: row?.chunks ?? 0, embedded: row?.embedded ?? 0 };
    },

    async replaceChunks(item, rows) {
      const { kind, id, contentHash, ...placement } = item;
      const values = rows.map((r) => ({ ...r, itemKind: kind, itemId: id, contentHash, ...placement }));
      const inserts = [];
      for (let i = 0; i < values.length; i += ROWS_PER_INSERT) {
        inserts.push(
          db
            .insert(t.chunks)
            .values(values.slice(i, i + ROWS_PER_INSERT))
            .onConflictDoNothing(),
        );
      }
      // Every chunk of the item outside the new set goes: other versions, and chunks of this
      // version written under an older id scheme (all new ids share one prefix).
      const prefix = rows[0]?.id.replace(/\d+$/, '');
      const sameItem = and(eq(t.chunks.itemKind, kind), eq(t.chunks.itemId, id));
      const stale = prefix
        ? and(sameItem, or(ne(t.chunks.contentHash, contentHash), sql`substr(${t.chunks.id}, 1, ${prefix.length}) <> ${prefix}`))
        : sameItem;
      await db.batch([db.delete(t.chunks).where(stale), ...inserts, bumpVectors()]);
      forgetGeneration();
    },

    async deleteItem(itemKind, itemId) {
      const [deleted] = await db.batch([
        db
          .delete(t.chunks)
          .where(and(eq(t.chunks.itemKind, itemKind), eq(t.chunks.itemId, itemId)))
          .returning({ id: t.chunks.id }),
        bumpVectors(),
      ]);
      forgetGeneration();
      return deleted.length;
    },

    async termFrequencies(stems) {
      if (stems.length === 0) return { chunks: 0, documents: new Map() };
      const rows = await db.all<{ term: string | null; doc: number }>(sql`
        SELECT term, doc FROM chunks_fts_vocab WHERE term IN (${sql.join(
          stems.slice(0, 90).map((s) => sql`${s}`),
          sql`, `,
        )})
        UNION ALL SELECT NULL, count(*) FROM chunks`);
      const documents = new Map<string, number>();
      let chunks = 0;
      for (const row of rows) {
        if (row.term === null) chunks = row.doc;
        else documents.set(row.term, row.doc);
      }
      return { chunks, documents };
    },

    async termsLike(first, minLength, maxLength) {
      // A range on the term is fts5vocab's indexed path: only that letter's terms are read.
      const next = String.fromCodePoint((first.codePointAt(0) ?? 0) + 1);
      return db.all<{ term: string; doc: number }>(sql`
        SELECT term, doc FROM chunks_fts_vocab
        WHERE term >= ${first} AND term < ${next} AND length(term) BETWEEN ${minLength} AND ${maxLength}`);
    },

    async generation() {
      const now = Date.now();
      if (generationRead && generationRead.until > now) return generationRead.value;
      // Only a value read is kept, never the read in flight: a request may not wait on
      // another's I/O (under load the runtime failed such waits with "Cannot perform I/O
      // on behalf of a different request"), so requests that find no value each read it.
      const writes = generationWrites;
      const row = await db.get<{ generation: string }>(sql`SELECT generation FROM search_state WHERE id = 1`);
      const value = row?.generation ?? '';
      if (writes === generationWrites) generationRead = { value, until: now + GENERATION_TTL_MS };
      return value;
    },

    async lessonCards(match, filter, limit) {
      const rows = await db.all<{ id: string }>(sql`
        SELECT c.id AS id
        FROM (SELECT rowid, rank FROM lessons_fts WHERE lessons_fts MATCH ${match} ORDER BY rank LIMIT ${limit}) f
        JOIN lessons l ON l.rowid = f.rowid
        JOIN chunks c ON c.id = (SELECT id FROM chunks WHERE item_kind = 'lesson' AND item_id = l.slug
                                 AND content_hash = l.content_hash ORDER BY position LIMIT 1)
        WHERE ${sql.join([sql`1 = 1`, ...chunkFilters(filter)], sql` AND `)}
        ORDER BY f.rank`);
      return rows.map((r) => r.id);
    },

    async definingChunks(term, filter, limit) {
      // The term as written, and without a plural ending: "foreign keys" finds **foreign key**.
      const forms = [...new Set([term, term.replace(/e?s$/i, ''), term.replace(/s$/i, '')])].filter((f) => f.length > 1);
      const escaped = forms.map((f) => `%**${f.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`);
      // In bold as a whole word, singular or plural: **Joining the wrong columns** does not introduce "join".
      const bold = new RegExp(
        `\\*\\*(?:${forms.map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(?:e?s)?(?![\\p{L}\\p{N}-])`,
        'iu',
      );
      const rows = await db.all<{ id: string; text: string }>(sql`
        SELECT c.id AS id, c.text AS text FROM chunks c
        LEFT JOIN lessons l ON c.item_kind = 'lesson' AND l.slug = c.item_id
        LEFT JOIN chapters ch ON ch.id = l.chapter_id
        LEFT JOIN parts p ON p.id = ch.part_id
        WHERE (${sql.join(
          escaped.map((pattern) => sql`c.text LIKE ${pattern} ESCAPE '\\'`),
          sql` OR `,
        )}) AND (c.item_kind <> 'lesson' OR c.content_hash = l.content_hash)
          AND ${sql.join([sql`1 = 1`, ...chunkFilters(filter)], sql` AND `)}
        ORDER BY p.position, ch.position, l.position, c.position LIMIT ${limit * DEFINING_SCAN}`);
      return rows
        .filter((r) => bold.test(r.text))
        .slice(0, limit)
        .map((r) => r.id);
    },

    async lexical(match, filter, limit) {
      const filters = chunkFilters(filter);
      if (filters.length === 0) {
        // Ranked and cut inside FTS5 first (ORDER BY rank LIMIT is its fast path), then joined.
        const rows = await db.all<{ id: string }>(sql`
          SELECT c.id AS id
          FROM (SELECT rowid, rank FROM chunks_fts WHERE chunks_fts MATCH ${match} ORDER BY rank LIMIT ${limit}) f
          JOIN chunks c ON c.rowid = f.rowid ORDER BY f.rank`);
        return rows.map((r) => r.id);
      }
      const rows = await db.all<{ id: string }>(sql`
        SELECT c.id AS id
        FROM chunks_fts JOIN chunks c ON c.rowid = chunks_fts.rowid
        WHERE chunks_fts MATCH ${match} AND ${sql.join(filters, sql` AND `)}
        ORDER BY chunks_fts.rank LIMIT ${limit}`);
      return rows.map((r) => r.id);
    },

    async ingestStatus() {
      const rows = await db.all<{
        kind: 'lesson' | 'source';
        id: string;
        content_hash: string;
        status: IngestItem['status'];
        error: string | null;
        chunks: number;
        embedders: string | null;
        updated_at: string;
      }>(sql`
        WITH items(kind, id, content_hash, status, error, updated_at) AS (
          SELECT 'lesson', slug, content_hash, ingest_status, ingest_error, updated_at FROM lessons
          UNION ALL
          SELECT 'source', id, content_hash, status, error, updated_at FROM sources
        )
        SELECT i.*,
          (SELECT count(*) FROM chunks c WHERE c.item_kind = i.kind AND c.item_id = i.id AND c.content_hash = i.content_hash) AS chunks,
          (SELECT group_concat(DISTINCT v.embedder) FROM chunks c JOIN chunk_vectors v ON v.chunk_id = c.id
            WHERE c.item_kind = i.kind AND c.item_id = i.id AND c.content_hash = i.content_hash) AS embedders
        FROM items i ORDER BY i.kind, i.id`);
      return rows.map((r) => ({
        kind: r.kind,
        id: r.id,
        contentHash: r.content_hash,
        status: r.status,
        error: r.error,
        chunks: r.chunks,
        embedders: r.embedders ? r.embedders.split(',').sort() : [],
        updatedAt: r.updated_at,
      }));
    },

    async hydrate(ids) {
      if (ids.length === 0) return [];
      const wanted = ids.slice(0, 90);
      const current = await store.generation();
      if (rowMemo.generation !== current) Object.assign(rowMemo, { generation: current, rows: new Map() });
      const missing = wanted.filter((id) => !rowMemo.rows.has(id));
      if (missing.length > 0) {
        const read = await hitRows(db).where(inArray(t.chunks.id, missing));
        if (rowMemo.rows.size + read.length > ROW_MEMO) rowMemo.rows.clear();
        for (const row of read) rowMemo.rows.set(row.id, row);
      }
      return wanted.flatMap((id) => rowMemo.rows.get(id) ?? []).sort((a, b) => a.position - b.position);
    },

    async itemChunks(itemKind, itemId) {
      return hitRows(db)
        .where(and(eq(t.chunks.itemKind, itemKind), eq(t.chunks.itemId, itemId)))
        .orderBy(asc(t.chunks.position));
    },
  };
  return store;
}
