import { and, desc, eq, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import * as t from '../../db/schema';
import type { SourceType } from './sources.domain';

export interface SourceRow {
  id: string;
  title: string;
  filename: string;
  mediaType: string;
  sourceType: SourceType;
  byteSize: number;
  contentHash: string;
  status: 'pending' | 'ingested' | 'failed';
  error: string | null;
  pages: number | null;
  characters: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface SourceWithCounts extends SourceRow {
  chunks: number;
  embedders: string[];
}

export type NewSource = Pick<SourceRow, 'id' | 'title' | 'filename' | 'mediaType' | 'sourceType' | 'byteSize' | 'contentHash'>;

/** Port over uploaded knowledge sources in D1. */
export interface SourceStore {
  /** Inserts a source, or returns the one already holding these bytes (`created: false`). */
  create(source: NewSource, now: string): Promise<{ source: SourceRow; created: boolean }>;
  get(id: string): Promise<SourceWithCounts | null>;
  list(): Promise<SourceWithCounts[]>;
  /** Deletes the source row and its chunks and concept links in one batch; returns the row, or null if there was none. */
  delete(id: string): Promise<SourceRow | null>;
  /** Whether a lesson, linked file or another source holds these bytes (then the R2 object stays). */
  blobShared(contentHash: string): Promise<boolean>;
  markIngested(id: string, contentHash: string, stats: { pages: number | null; characters: number }, now: string): Promise<void>;
  /** Marks a pending source failed (an unreadable file, or out of retries) with the reason. */
  markFailed(id: string, contentHash: string, reason: string, now: string): Promise<void>;
  /** Keeps a failed attempt's reason on a pending source (shown while the queue retries). */
  recordError(id: string, contentHash: string, reason: string, now: string): Promise<void>;
  /** Every failed source back to pending; returns them for requeueing. */
  resetFailed(now: string): Promise<{ id: string; contentHash: string }[]>;
  pendingSince(before: string): Promise<{ id: string; contentHash: string }[]>;
}

const ERROR_MAX = 1000;

export function createD1SourceStore(db: Db): SourceStore {
  const current = (id: string, contentHash: string) => and(eq(t.sources.id, id), eq(t.sources.contentHash, contentHash));
  // Column names are written out qualified: inside the subqueries an unqualified `id` would be the chunk's.
  const withCounts = () =>
    db
      .select({
        source: t.sources,
        chunks: sql<number>`(SELECT count(*) FROM chunks c WHERE c.item_kind = 'source' AND c.item_id = sources.id AND c.content_hash = sources.content_hash)`,
        embedders: sql<
          string | null
        >`(SELECT group_concat(DISTINCT v.embedder) FROM chunks c JOIN chunk_vectors v ON v.chunk_id = c.id
          WHERE c.item_kind = 'source' AND c.item_id = sources.id AND c.content_hash = sources.content_hash)`,
      })
      .from(t.sources);
  const flatten = (row: { source: SourceRow; chunks: number; embedders: string | null }): SourceWithCounts => ({
    ...row.source,
    chunks: row.chunks,
    embedders: row.embedders ? row.embedders.split(',').sort() : [],
  });

  return {
    async create(source, now) {
      const [inserted] = await db
        .insert(t.sources)
        .values({ ...source, status: 'pending', createdAt: now, updatedAt: now })
        .onConflictDoNothing({ target: t.sources.contentHash })
        .returning();
      if (inserted) return { source: inserted, created: true };
      const existing = await db.query.sources.findFirst({ where: eq(t.sources.contentHash, source.contentHash) });
      if (!existing) throw new Error(`source with hash ${source.contentHash} vanished during upload`);
      return { source: existing, created: false };
    },

    async get(id) {
      const [row] = await withCounts().where(eq(t.sources.id, id));
      return row ? flatten(row) : null;
    },

    async list() {
      const rows = await withCounts().orderBy(desc(t.sources.createdAt), t.sources.id);
      return rows.map(flatten);
    },

    async delete(id) {
      const [removed] = await db.batch([
        db.delete(t.sources).where(eq(t.sources.id, id)).returning(),
        db.delete(t.chunks).where(and(eq(t.chunks.itemKind, 'source'), eq(t.chunks.itemId, id))),
        db.delete(t.itemConcepts).where(and(eq(t.itemConcepts.itemKind, 'source'), eq(t.itemConcepts.itemId, id))),
        // Isolates holding the local index's vectors in memory reload without the deleted ones.
        db.update(t.vectorIndexes).set({ version: sql`${t.vectorIndexes.version} + 1` }),
      ]);
      return removed[0] ?? null;
    },

    async blobShared(contentHash) {
      // A lesson file, or a source uploaded again with these bytes since the delete.
      const [row] = await db.all<{ shared: number }>(sql`
        SELECT EXISTS (SELECT 1 FROM blobs WHERE hash = ${contentHash})
            OR EXISTS (SELECT 1 FROM sources WHERE content_hash = ${contentHash}) AS shared`);
      return row?.shared === 1;
    },

    async markIngested(id, contentHash, stats, now) {
      await db
        .update(t.sources)
        .set({ status: 'ingested', error: null, pages: stats.pages, characters: stats.characters, updatedAt: now })
        .where(current(id, contentHash));
    },

    async markFailed(id, contentHash, reason, now) {
      await db
        .update(t.sources)
        .set({ status: 'failed', error: reason.slice(0, ERROR_MAX), updatedAt: now })
        // Another copy of the job may have ingested it meanwhile: that result stands.
        .where(and(current(id, contentHash), eq(t.sources.status, 'pending')));
    },

    async recordError(id, contentHash, reason, now) {
      await db
        .update(t.sources)
        .set({ error: reason.slice(0, ERROR_MAX), updatedAt: now })
        .where(and(current(id, contentHash), eq(t.sources.status, 'pending')));
    },

    async resetFailed(now) {
      return db
        .update(t.sources)
        .set({ status: 'pending', updatedAt: now })
        .where(eq(t.sources.status, 'failed'))
        .returning({ id: t.sources.id, contentHash: t.sources.contentHash });
    },

    async pendingSince(before) {
      return db
        .select({ id: t.sources.id, contentHash: t.sources.contentHash })
        .from(t.sources)
        .where(and(eq(t.sources.status, 'pending'), lt(t.sources.updatedAt, before)));
    },
  };
}
