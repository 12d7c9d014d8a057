import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { chunks, chunkVectors, vectorDeletions, vectorIndexes } from '../db/schema';

/** Fields a vector query can filter on (all optional; absent means any). */
export interface VectorFilter {
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
}

interface Loaded {
  version: number;
  ids: string[];
  filters: VectorFilter[];
  matrix: Float32Array;
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
    const rows = await db
      .select({
        id: chunkVectors.chunkId,
        vector: chunkVectors.vector,
        partSlug: chunks.partSlug,
        chapterSlug: chunks.chapterSlug,
        layer: chunks.layer,
        sourceType: chunks.sourceType,
      })
      .from(chunkVectors)
      .innerJoin(chunks, eq(chunks.id, chunkVectors.chunkId))
      .where(eq(chunkVectors.embedder, embedder));
    const matrix = new Float32Array(rows.length * dimensions);
    rows.forEach((row, i) => matrix.set(toFloats(row.vector, dimensions), i * dimensions));
    const fresh: Loaded = {
      version,
      ids: rows.map((r) => r.id),
      filters: rows.map(({ partSlug, chapterSlug, layer, sourceType }) => ({
        partSlug: partSlug ?? undefined,
        chapterSlug: chapterSlug ?? undefined,
        layer: layer ?? undefined,
        sourceType,
      })),
      matrix,
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
    async query(vector, { topK, filter = {} }) {
      const index = await load();
      // Keeps only the best topK while scanning (sorted, best first): no array of every score.
      const best: VectorMatch[] = [];
      const filtered = Object.values(filter).some((v) => v !== undefined);
      for (let i = 0; i < index.ids.length; i++) {
        if (filtered && !matches(index.filters[i], filter)) continue;
        // Indexes stay in range by construction; `as number` keeps the hot loop branch-free.
        const matrix = index.matrix;
        const offset = i * dimensions;
        let dot = 0;
        for (let d = 0; d < dimensions; d++) dot += (matrix[offset + d] as number) * (vector[d] as number);
        if (best.length === topK && dot <= (best[topK - 1]?.score ?? -Infinity)) continue;
        let at = best.length;
        while (at > 0 && (best[at - 1]?.score ?? -Infinity) < dot) at--;
        best.splice(at, 0, { id: index.ids[i] ?? '', score: dot });
        if (best.length > topK) best.pop();
      }
      return best;
    },
  };
}

function matches(fields: VectorFilter | undefined, filter: VectorFilter): boolean {
  if (!fields) return false;
  return (Object.keys(filter) as (keyof VectorFilter)[]).every((k) => filter[k] === undefined || fields[k] === filter[k]);
}

function toFloats(value: unknown, dimensions: number): Float32Array {
  const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : (value as Uint8Array);
  const copy = new Uint8Array(dimensions * 4);
  copy.set(bytes.subarray(0, dimensions * 4));
  return new Float32Array(copy.buffer);
}
