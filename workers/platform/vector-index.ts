import { and, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { chunks, chunkVectors, vectorDeletions, vectorIndexes } from '../db/schema';

/** Fields a vector query can filter on (all optional; absent means any). */
export interface VectorFilter {
  courseId?: string | undefined;
  partSlug?: string | undefined;
  chapterSlug?: string | undefined;
  layer?: string | undefined;
  sourceType?: string | undefined;
}

export interface VectorMatch {
  id: string;
  score: number;
}

export interface VectorItem {
  /** A chunk id (at most 64 bytes: Vectorize's id limit). */
  id: string;
  values: Float32Array;
  /** The chunk's filter fields, stored with the vector where the index filters itself. */
  metadata: VectorFilter;
}

/** Port over a similarity index of one embedder's vectors. */
export interface VectorIndex {
  readonly embedder: string;
  readonly dimensions: number;
  upsert(items: VectorItem[]): Promise<void>;
  query(vector: Float32Array, options: { topK: number; filter?: VectorFilter }): Promise<VectorMatch[]>;
  /**
   * Removes vectors of chunks deleted from D1 (listed in `vector_deletions` by a
   * trigger) and returns how many were removed.
   */
  syncDeletions(): Promise<number>;
  /**
   * Copies recorded vectors (the D1 record) into the index that serves queries, one
   * page of at most `limit` ids after `after`; `next` is the cursor of the next page,
   * or null at the end. For the local D1 index, which is the record, nothing to copy.
   */
  copyRecorded(after: string | null, limit: number): Promise<{ copied: number; next: string | null }>;
}

interface Loaded {
  version: number;
  ids: string[];
  filters: VectorFilter[];
  /**
   * The vectors dimension by dimension (`columns[d * ids.length + i]` is dimension d of
   * vector i): a query adds each of its non-zero dimensions to every score in one pass
   * over contiguous memory, and a short query of a hashing embedder has few of them.
   */
  columns: Float32Array;
}

/** Vectors per embedder, per isolate: read from D1 once per index version. */
const loaded = new Map<string, Loaded>();
/** Rows per insert statement: D1 allows 100 bound parameters per statement. */
const ROWS_PER_INSERT = 20;

/**
 * Local adapter: vectors live in D1 (`chunk_vectors`, Float32 blobs) and are
 * searched by brute-force dot product in memory. Reading them is the slow part, so
 * each isolate keeps them until the index's version changes. The index records its
 * dimensions: a vector of another size is refused, never mixed.
 */
export function createD1VectorIndex(db: Db, embedder: string, dimensions: number): VectorIndex {
  async function ensureIndex(): Promise<number> {
    const [row] = await db
      .insert(vectorIndexes)
      .values({ embedder, dimensions })
      .onConflictDoUpdate({ target: vectorIndexes.embedder, set: { embedder } })
      .returning();
    if (!row) throw new Error('vector index row missing');
    if (row.dimensions !== dimensions) {
      throw new Error(`vector index ${embedder} holds ${row.dimensions}-dimension vectors, not ${dimensions}`);
    }
    return row.version;
  }

  async function load(): Promise<Loaded> {
    const version = (await db.query.vectorIndexes.findFirst({ where: eq(vectorIndexes.embedder, embedder) }))?.version ?? -1;
    const cached = loaded.get(embedder);
    if (cached && cached.version === version) return cached;
    const rows = await recordedVectors(db, embedder);
    const n = rows.length;
    const columns = new Float32Array(n * dimensions);
    rows.forEach((row, i) => {
      const values = toFloats(row.vector, dimensions);
      for (let d = 0; d < dimensions; d++) columns[d * n + i] = values[d] as number;
    });
    const fresh: Loaded = {
      version,
      ids: rows.map((r) => r.id),
      filters: rows.map(filterOf),
      columns,
    };
    loaded.set(embedder, fresh);
    return fresh;
  }

  return {
    embedder,
    dimensions,
    async upsert(items) {
      if (items.length === 0) return;
      await ensureIndex();
      for (const item of items) {
        if (item.values.length !== dimensions)
          throw new Error(`vector of ${item.values.length} dimensions for a ${dimensions}-dimension index`);
      }
      const rows = items.map((item) => ({
        chunkId: item.id,
        embedder,
        dimensions,
        // D1 binds any byte array as a BLOB; drizzle's column type names Node's Buffer.
        vector: new Uint8Array(item.values.buffer, item.values.byteOffset, item.values.byteLength) as unknown as Buffer,
      }));
      const statements = [];
      for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
        statements.push(
          db
            .insert(chunkVectors)
            .values(rows.slice(i, i + ROWS_PER_INSERT))
            .onConflictDoUpdate({ target: [chunkVectors.chunkId, chunkVectors.embedder], set: { vector: sql`excluded.vector` } }),
        );
      }
      const bump = db
        .update(vectorIndexes)
        .set({ version: sql`${vectorIndexes.version} + 1` })
        .where(eq(vectorIndexes.embedder, embedder));
      await db.batch([bump, ...statements]);
    },
    async syncDeletions() {
      // D1's vectors went with their chunks (ON DELETE CASCADE): only the list is left to clear.
      const removed = await db.delete(vectorDeletions).returning({ id: vectorDeletions.chunkId });
      return removed.length;
    },
    copyRecorded() {
      return Promise.resolve({ copied: 0, next: null });
    },
    async query(vector, { topK, filter = {} }) {
      const index = await load();
      const n = index.ids.length;
      // Every dot product at once, over the query's non-zero dimensions in dimension order,
      // four at a time: one pass over the scores adds four columns' products.
      const scores = new Float64Array(n);
      const { columns } = index;
      const used: number[] = [];
      for (let d = 0; d < dimensions; d++) if (vector[d] !== 0) used.push(d);
      let k = 0;
      for (; k + 4 <= used.length; k += 4) {
        const [da, db, dc, dd] = [used[k] ?? 0, used[k + 1] ?? 0, used[k + 2] ?? 0, used[k + 3] ?? 0];
        const [wa, wb, wc, wd] = [vector[da] ?? 0, vector[db] ?? 0, vector[dc] ?? 0, vector[dd] ?? 0];
        const [a, b, c, e] = [da * n, db * n, dc * n, dd * n];
        for (let i = 0; i < n; i++) {
          scores[i] =
            (scores[i] as number) +
            (columns[a + i] as number) * wa +
            (columns[b + i] as number) * wb +
            (columns[c + i] as number) * wc +
            (columns[e + i] as number) * wd;
        }
      }
      for (; k < used.length; k++) {
        const d = used[k] ?? 0;
        const weight = vector[d] ?? 0;
        const base = d * n;
        for (let i = 0; i < n; i++) scores[i] = (scores[i] as number) + (columns[base + i] as number) * weight;
      }
      // Keeps only the best topK while scanning (sorted, best first): no array of every match.
      const best: VectorMatch[] = [];
      const filtered = Object.values(filter).some((v) => v !== undefined);
      for (let i = 0; i < n; i++) {
        const dot = scores[i] as number;
        if (best.length === topK && dot <= (best[topK - 1]?.score ?? -Infinity)) continue;
        if (filtered && !matches(index.filters[i], filter)) continue;
        let at = best.length;
        while (at > 0 && (best[at - 1]?.score ?? -Infinity) < dot) at--;
        best.splice(at, 0, { id: index.ids[i] ?? '', score: dot });
        if (best.length > topK) best.pop();
      }
      return best;
    },
  };
}

/**
 * Vectors of `embedder` recorded in D1 with their chunks' filter fields: all, those
 * of `ids`, or a page in chunk-id order (`after` a cursor, at most `limit`).
 */
export function recordedVectors(db: Db, embedder: string, page: { ids?: string[]; after?: string | null; limit?: number } = {}) {
  const { ids, after, limit } = page;
  const query = db
    .select({
      id: chunkVectors.chunkId,
      vector: chunkVectors.vector,
      courseId: chunks.courseId,
      partSlug: chunks.partSlug,
      chapterSlug: chunks.chapterSlug,
      layer: chunks.layer,
      sourceType: chunks.sourceType,
    })
    .from(chunkVectors)
    .innerJoin(chunks, eq(chunks.id, chunkVectors.chunkId))
    .where(
      and(
        eq(chunkVectors.embedder, embedder),
        ids ? inArray(chunkVectors.chunkId, ids) : undefined,
        after ? gt(chunkVectors.chunkId, after) : undefined,
      ),
    )
    .orderBy(chunkVectors.chunkId);
  return limit === undefined ? query : query.limit(limit);
}

/** A recorded row's filter fields, absent ones undefined. */
export function filterOf(row: {
  courseId: string | null;
  partSlug: string | null;
  chapterSlug: string | null;
  layer: string | null;
  sourceType: string;
}): VectorFilter {
  return {
    courseId: row.courseId ?? undefined,
    partSlug: row.partSlug ?? undefined,
    chapterSlug: row.chapterSlug ?? undefined,
    layer: row.layer ?? undefined,
    sourceType: row.sourceType,
  };
}

function matches(fields: VectorFilter | undefined, filter: VectorFilter): boolean {
  if (!fields) return false;
  return (Object.keys(filter) as (keyof VectorFilter)[]).every((k) => filter[k] === undefined || fields[k] === filter[k]);
}

/** A Float32 vector from a D1 BLOB (an ArrayBuffer or byte array), copied to aligned memory. */
export function toFloats(value: unknown, dimensions: number): Float32Array {
  const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : (value as Uint8Array);
  const copy = new Uint8Array(dimensions * 4);
  copy.set(bytes.subarray(0, dimensions * 4));
  return new Float32Array(copy.buffer);
}
