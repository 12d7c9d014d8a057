import { and, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client';
import { chunkVectors, vectorDeletions, vectorIndexes } from '../db/schema';
import { filterOf, recordedVectors, toFloats, type VectorFilter, type VectorIndex, type VectorItem } from './vector-index';

/** Vectors per `upsert` call: the Workers binding takes at most 1000. */
export const VECTORIZE_MAX_UPSERT = 1000;
/** Ids per `deleteByIds` call. */
export const VECTORIZE_MAX_DELETE = 1000;
/** Results per query when neither values nor metadata come back. */
export const VECTORIZE_MAX_TOP_K = 100;
/** Vectorize's limit on a vector id, in UTF-8 bytes. */
export const VECTORIZE_MAX_ID_BYTES = 64;
/** Rounds of deletion per `syncDeletions` call, so one call stays within a request's limits. */
const SYNC_ROUNDS = 10;
/** Ids per `IN (...)` list: D1 binds at most 100 parameters per statement. */
const IDS_PER_STATEMENT = 90;
const FILTER_FIELDS = ['courseId', 'partSlug', 'chapterSlug', 'layer', 'sourceType'] as const satisfies (keyof VectorFilter)[];

/**
 * `wrangler types` types the binding as the beta `VectorizeIndex`, whose `describe()`
 * nests dimensions in `config`; a V2 index answers with `VectorizeIndexInfo` instead.
 * Both shapes are read.
 */
const described = z.union([
  z.object({ dimensions: z.number().int().positive() }),
  z.object({ config: z.object({ dimensions: z.number().int().positive() }) }),
]);

/** Dimensions each bound index reported, per isolate: asked once, not per request. */
const indexDimensions = new WeakMap<object, number>();

/**
 * Production adapter: vectors are searched in Vectorize, and `record` (the D1
 * adapter) keeps every vector durably, so ingestion can skip unchanged content and
 * an index can be rebuilt. An index built for other dimensions than the embedder's
 * is refused before anything is written.
 *
 * Consistency: the record is written first, so a chunk deleted meanwhile (foreign
 * key) never reaches Vectorize; when Vectorize then refuses a batch, the vectors it
 * did not take are removed from the record again, so a retry embeds them anew
 * instead of skipping them. A Worker killed between the two writes still leaves
 * vectors recorded but not indexed, until they are upserted again from the record.
 */
export function createVectorizeIndex(options: { binding: VectorizeIndex | Vectorize; record: VectorIndex; db: Db }): VectorIndex {
  const { binding, record, db } = options;

  async function checkDimensions(): Promise<void> {
    let dimensions = indexDimensions.get(binding);
    if (dimensions === undefined) {
      const parsed = described.safeParse(await binding.describe());
      if (!parsed.success) throw new Error('Vectorize describe() reported no dimensions');
      dimensions = 'dimensions' in parsed.data ? parsed.data.dimensions : parsed.data.config.dimensions;
      indexDimensions.set(binding, dimensions);
    }
    if (dimensions !== record.dimensions) {
      throw new Error(`Vectorize index has ${dimensions} dimensions; embedder ${record.embedder} produces ${record.dimensions}`);
    }
  }

  /** Removes vectors from the record (and invalidates its in-memory copies). */
  async function forget(ids: string[]): Promise<void> {
    const statements = chunked(ids).map((part) =>
      db.delete(chunkVectors).where(and(eq(chunkVectors.embedder, record.embedder), inArray(chunkVectors.chunkId, part))),
    );
    const bump = db
      .update(vectorIndexes)
      .set({ version: sql`${vectorIndexes.version} + 1` })
      .where(eq(vectorIndexes.embedder, record.embedder));
    await db.batch([bump, ...statements]);
  }

  /**
   * Puts back recorded vectors among `ids`: a chunk written again under a deleted id
   * while its deletion was in flight keeps its vector in the record, and the delete
   * just sent may have removed the copy in Vectorize.
   */
  async function restore(ids: string[]): Promise<void> {
    const rows = (await Promise.all(chunked(ids).map((part) => recordedVectors(db, record.embedder, { ids: part })))).flat();
    await upsertRecorded(rows);
  }

  /** Sends recorded rows to Vectorize as they are in the record. */
  async function upsertRecorded(rows: Awaited<ReturnType<typeof recordedVectors>>): Promise<void> {
    if (rows.length === 0) return;
    await binding.upsert(
      rows.map((row) =>
        toVectorizeVector(record.embedder, {
          id: row.id,
          values: toFloats(row.vector, record.dimensions),
          metadata: filterOf(row),
        }),
      ),
    );
  }

  return {
    embedder: record.embedder,
    dimensions: record.dimensions,
    async upsert(items) {
      if (items.length === 0) return;
      for (const item of items) {
        const bytes = byteLength(item.id);
        if (bytes > VECTORIZE_MAX_ID_BYTES) {
          throw new Error(`vector id ${JSON.stringify(item.id)} is ${bytes} bytes; Vectorize allows ${VECTORIZE_MAX_ID_BYTES}`);
        }
      }
      await checkDimensions();
      await record.upsert(items);
      for (let i = 0; i < items.length; i += VECTORIZE_MAX_UPSERT) {
        const batch = items.slice(i, i + VECTORIZE_MAX_UPSERT);
        try {
          await binding.upsert(batch.map((item) => toVectorizeVector(record.embedder, item)));
        } catch (error) {
          try {
            await forget(items.slice(i).map((item) => item.id));
          } catch (rollback) {
            throw new AggregateError(
              [error, rollback],
              'Vectorize upsert failed, and so did removing its vectors from the record',
              {
                cause: rollback,
              },
            );
          }
          throw error;
        }
      }
    },
    async copyRecorded(after, limit) {
      await checkDimensions();
      const size = Math.max(1, Math.min(Math.floor(limit), VECTORIZE_MAX_UPSERT));
      const rows = await recordedVectors(db, record.embedder, { after, limit: size });
      await upsertRecorded(rows);
      return { copied: rows.length, next: rows.length === size ? (rows.at(-1)?.id ?? null) : null };
    },
    async query(vector, { topK, filter }) {
      await checkDimensions();
      const k = Math.min(Math.floor(topK), VECTORIZE_MAX_TOP_K);
      if (!(k >= 1)) return [];
      // Only this embedder's vectors: another model's of the same size would be noise, not neighbours.
      const where = { ...toVectorizeFilter(filter), embedder: record.embedder };
      const result = await binding.query(vector, { topK: k, returnValues: false, returnMetadata: 'none', filter: where });
      return result.matches.map(({ id, score }) => ({ id, score }));
    },
    async syncDeletions() {
      let removed = 0;
      for (let round = 0; round < SYNC_ROUNDS; round++) {
        const rows = await db
          .select({ id: vectorDeletions.chunkId })
          .from(vectorDeletions)
          .orderBy(vectorDeletions.chunkId)
          .limit(VECTORIZE_MAX_DELETE);
        if (rows.length === 0) break;
        const ids = rows.map((row) => row.id);
        // An id Vectorize could never hold is only cleared: sending it would fail the whole batch.
        const indexable = ids.filter((id) => byteLength(id) <= VECTORIZE_MAX_ID_BYTES);
        if (indexable.length > 0) {
          // A failed delete throws here, before the list is touched: those ids are tried again.
          await binding.deleteByIds(indexable);
          await restore(indexable);
        }
        await db.batch(
          nonEmpty(chunked(ids).map((part) => db.delete(vectorDeletions).where(inArray(vectorDeletions.chunkId, part)))),
        );
        removed += ids.length;
        if (rows.length < VECTORIZE_MAX_DELETE) break;
      }
      return removed;
    },
  };
}

function toVectorizeVector(embedder: string, item: VectorItem): VectorizeVector {
  const metadata: Record<string, string> = { embedder };
  for (const field of FILTER_FIELDS) {
    const value = item.metadata[field];
    if (value !== undefined) metadata[field] = value;
  }
  return { id: item.id, values: item.values, metadata };
}

/** The port's filter as Vectorize metadata equality filters; absent fields do not filter. */
function toVectorizeFilter(filter: VectorFilter | undefined): VectorizeVectorMetadataFilter | undefined {
  if (!filter) return undefined;
  const where: VectorizeVectorMetadataFilter = {};
  for (const field of FILTER_FIELDS) {
    const value = filter[field];
    if (value !== undefined) where[field] = value;
  }
  return Object.keys(where).length > 0 ? where : undefined;
}

function byteLength(text: string): number {
  return new TextEncoder().encode(text).byteLength;
}

function chunked(ids: string[]): string[][] {
  const parts: string[][] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_STATEMENT) parts.push(ids.slice(i, i + IDS_PER_STATEMENT));
  return parts;
}

function nonEmpty<T>(items: T[]): [T, ...T[]] {
  const [first, ...rest] = items;
  if (first === undefined) throw new Error('expected at least one item');
  return [first, ...rest];
}
