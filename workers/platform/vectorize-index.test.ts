import { env } from 'cloudflare:test';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { createDb } from '../db/client';
import { FakeVectorize } from '../test/fake-vectorize';
import { seededVector } from '../test/fake-workers-ai';
import { normalize } from './embedder';
import { createD1VectorIndex, type VectorFilter, type VectorIndex, type VectorItem } from './vector-index';
import { createVectorizeIndex } from './vectorize-index';

const DIMENSIONS = 8;
const EMBEDDER = 'test-embedder';

function givenIndex(binding: FakeVectorize = new FakeVectorize(DIMENSIONS)): { fake: FakeVectorize; index: VectorIndex } {
  const db = createDb(env.DB);
  const record = createD1VectorIndex(db, EMBEDDER, DIMENSIONS);
  return { fake: binding, index: createVectorizeIndex({ binding, record, db }) };
}

const ids = (count: number, prefix = 'chunk') =>
  Array.from({ length: count }, (_, i) => `${prefix}-${String(i + 1).padStart(5, '0')}`);

/** Chunk rows for the record's foreign key; part alternates basics/deeper, layer L1 only on the first. */
async function givenChunks(chunkIds: string[]): Promise<void> {
  const statements = [];
  for (let i = 0; i < chunkIds.length; i += 10) {
    const part = chunkIds.slice(i, i + 10);
    statements.push(
      env.DB.prepare(
        `INSERT INTO chunks (id, item_kind, item_id, content_hash, position, heading_path, anchor, start_offset, end_offset, text, course_id, part_slug, chapter_slug, layer, source_type)
         VALUES ${part.map(() => "(?, 'lesson', 'lesson-1', 'hash', ?, '[]', 'a', 0, 1, 'text', ?, ?, 'first-steps', NULL, 'lesson')").join(', ')}`,
      ).bind(
        ...part.flatMap((id, j) => [
          id,
          i + j,
          (i + j) % 3 === 0 ? 'other-course' : 'sql',
          (i + j) % 2 === 0 ? 'basics' : 'deeper',
        ]),
      ),
    );
  }
  await env.DB.batch(statements);
}

function item(id: string, metadata: VectorFilter = {}): VectorItem {
  return { id, values: normalize(Float32Array.from(seededVector(id, DIMENSIONS))), metadata };
}

function itemsFor(chunkIds: string[]): VectorItem[] {
  return chunkIds.map((id, i) =>
    item(id, {
      courseId: i % 3 === 0 ? 'other-course' : 'sql',
      partSlug: i % 2 === 0 ? 'basics' : 'deeper',
      chapterSlug: 'first-steps',
      sourceType: 'lesson',
    }),
  );
}

async function recordedIds(): Promise<string[]> {
  const { results } = await env.DB.prepare('SELECT chunk_id FROM chunk_vectors WHERE embedder = ? ORDER BY chunk_id')
    .bind(EMBEDDER)
    .all<{ chunk_id: string }>();
  return results.map((r) => r.chunk_id);
}

async function pendingDeletions(): Promise<string[]> {
  const { results } = await env.DB.prepare('SELECT chunk_id FROM vector_deletions ORDER BY chunk_id').all<{ chunk_id: string }>();
  return results.map((r) => r.chunk_id);
}

async function givenPendingDeletions(count: number): Promise<void> {
  await env.DB.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
     INSERT INTO vector_deletions (chunk_id) SELECT printf('gone-%05d', i) FROM n`,
  )
    .bind(count)
    .run();
}

const sizesOf = (fake: FakeVectorize, operation: string) =>
  fake.calls.filter((c) => c.operation === operation).map((c) => c.size);

describe('Vectorize index', () => {
  it('takes the binding type `wrangler types` generates, and a V2 binding', () => {
    type Binding = Parameters<typeof createVectorizeIndex>[0]['binding'];
    expectTypeOf<VectorizeIndex>().toExtend<Binding>();
    expectTypeOf<Vectorize>().toExtend<Binding>();
    expectTypeOf<FakeVectorize>().toExtend<Vectorize>();
  });

  it('upserts 2,500 vectors in three calls of at most 1000 and records every one in D1', async () => {
    const chunkIds = ids(2500);
    await givenChunks(chunkIds);
    const { fake, index } = givenIndex();

    await index.upsert(itemsFor(chunkIds));

    expect(sizesOf(fake, 'upsert')).toEqual([1000, 1000, 500]);
    expect(fake.ids()).toEqual(chunkIds);
    expect(await recordedIds()).toEqual(chunkIds);
    expect(fake.stored('chunk-00002')?.metadata).toEqual({
      embedder: EMBEDDER,
      courseId: 'sql',
      partSlug: 'deeper',
      chapterSlug: 'first-steps',
      sourceType: 'lesson',
    });
  });

  it('queries with the defined filter fields only, returns cosine matches, and caps topK at 100', async () => {
    const chunkIds = ids(150);
    await givenChunks(chunkIds);
    const { fake, index } = givenIndex();
    const items = itemsFor(chunkIds);
    await index.upsert(items);
    const target = items[3];
    if (!target) throw new Error('fixture');

    const filtered = await index.query(target.values, {
      topK: 10,
      filter: { courseId: 'other-course', partSlug: 'deeper', layer: undefined },
    });
    const unfiltered = await index.query(target.values, { topK: 500 });
    const emptyFilter = await index.query(target.values, { topK: 5, filter: {} });

    expect(filtered).toHaveLength(10);
    expect(filtered[0]?.id).toBe(target.id);
    expect(filtered[0]?.score).toBeCloseTo(1, 5);
    expect(filtered.every((m) => fake.stored(m.id)?.metadata?.partSlug === 'deeper')).toBe(true);
    expect(filtered.every((m) => fake.stored(m.id)?.metadata?.courseId === 'other-course')).toBe(true);
    expect(unfiltered).toHaveLength(100);
    expect(emptyFilter).toHaveLength(5);
    const own = { embedder: index.embedder };
    expect(fake.queries).toEqual([
      { topK: 10, returnValues: false, returnMetadata: 'none', filter: { courseId: 'other-course', partSlug: 'deeper', ...own } },
      { topK: 100, returnValues: false, returnMetadata: 'none', filter: own },
      { topK: 5, returnValues: false, returnMetadata: 'none', filter: own },
    ]);
  });

  it('never returns vectors another embedder of the same size wrote to the index', async () => {
    const chunkIds = ids(4);
    await givenChunks(chunkIds);
    const { fake, index } = givenIndex();
    const items = itemsFor(chunkIds);
    await index.upsert(items.slice(0, 2));
    const target = items[2];
    if (!target) throw new Error('fixture');
    await fake.upsert([{ id: target.id, values: Array.from(target.values), metadata: { embedder: 'another-model' } }]);
    const matches = await index.query(target.values, { topK: 10 });
    expect(matches.map((m) => m.id)).toEqual(expect.arrayContaining(chunkIds.slice(0, 2)));
    expect(matches.map((m) => m.id)).not.toContain(target.id);
  });

  it('copies recorded vectors into an empty index page by page, with their metadata', async () => {
    const chunkIds = ids(2500);
    await givenChunks(chunkIds);
    await givenIndex().index.upsert(itemsFor(chunkIds));
    const { fake, index } = givenIndex(new FakeVectorize(DIMENSIONS));
    const pages = [];
    let after: string | null = null;
    do {
      const page: { copied: number; next: string | null } = await index.copyRecorded(after, 1000);
      pages.push(page.copied);
      after = page.next;
    } while (after !== null && pages.length < 10);
    expect(pages).toEqual([1000, 1000, 500]);
    expect(fake.ids()).toHaveLength(2500);
    expect(fake.stored('chunk-00002')?.metadata).toEqual({
      embedder: EMBEDDER,
      courseId: 'sql',
      partSlug: 'deeper',
      chapterSlug: 'first-steps',
      sourceType: 'lesson',
    });
    expect((await createD1VectorIndex(createDb(env.DB), EMBEDDER, DIMENSIONS).copyRecorded(null, 1000)).copied).toBe(0);
  });

  it('refuses an index of other dimensions than the embedder’s before writing anything', async () => {
    await givenChunks(['chunk-1']);
    const { fake, index } = givenIndex(new FakeVectorize(16));

    await expect(index.upsert([item('chunk-1')])).rejects.toThrow(
      'Vectorize index has 16 dimensions; embedder test-embedder produces 8',
    );
    await expect(index.query(new Float32Array(DIMENSIONS), { topK: 5 })).rejects.toThrow('Vectorize index has 16 dimensions');

    expect(fake.calls.map((c) => c.operation)).toEqual(['describe']);
    expect(await recordedIds()).toEqual([]);
  });

  it('asks a binding for its dimensions once, however many adapters use it', async () => {
    await givenChunks(['chunk-1']);
    const fake = new FakeVectorize(DIMENSIONS);
    await givenIndex(fake).index.upsert([item('chunk-1')]);
    await givenIndex(fake).index.query(new Float32Array(DIMENSIONS).fill(1), { topK: 1 });

    expect(sizesOf(fake, 'describe')).toHaveLength(1);
  });

  it('reads the dimensions a beta (V1) index reports in its config', async () => {
    await givenChunks(['chunk-1']);
    const fake = new FakeVectorize(DIMENSIONS);
    const beta: VectorizeIndexDetails = {
      id: 'index-id',
      name: 'chunks',
      config: { dimensions: 16, metric: 'cosine' },
      vectorsCount: 0,
    };
    vi.spyOn(fake, 'describe').mockResolvedValue(beta as unknown as VectorizeIndexInfo);

    await expect(givenIndex(fake).index.upsert([item('chunk-1')])).rejects.toThrow('Vectorize index has 16 dimensions');
  });

  it('refuses an id over 64 bytes, sending and recording nothing', async () => {
    const long = 'é'.repeat(33); // 33 characters, 66 bytes
    await givenChunks(['chunk-1', long]);
    const { fake, index } = givenIndex();

    await expect(index.upsert([item('chunk-1'), item(long)])).rejects.toThrow('is 66 bytes; Vectorize allows 64');

    expect(fake.calls).toEqual([]);
    expect(await recordedIds()).toEqual([]);
  });

  it('keeps in the record only the vectors Vectorize took when a batch fails, and propagates the failure', async () => {
    const chunkIds = ids(2500);
    await givenChunks(chunkIds);
    const { fake, index } = givenIndex();
    const failure = new Error('VECTOR_UPSERT_ERROR: service unavailable');
    fake.failNext('upsert', { error: failure, skip: 1 });

    await expect(index.upsert(itemsFor(chunkIds))).rejects.toBe(failure);

    expect(fake.ids()).toEqual(chunkIds.slice(0, 1000));
    expect(await recordedIds()).toEqual(chunkIds.slice(0, 1000));
  });

  it('deletes exactly the vectors of deleted chunks and clears their list', async () => {
    const chunkIds = ids(5);
    await givenChunks(chunkIds);
    const { fake, index } = givenIndex();
    await index.upsert(itemsFor(chunkIds));
    await env.DB.prepare("DELETE FROM chunks WHERE id IN ('chunk-00002', 'chunk-00004')").run();

    expect(await index.syncDeletions()).toBe(2);

    expect(fake.ids()).toEqual(['chunk-00001', 'chunk-00003', 'chunk-00005']);
    expect(sizesOf(fake, 'deleteByIds')).toEqual([2]);
    expect(await pendingDeletions()).toEqual([]);
  });

  it('deletes in calls of at most 1000 ids, at most 10 calls per sync', async () => {
    await givenPendingDeletions(10_050);
    const { fake, index } = givenIndex();

    expect(await index.syncDeletions()).toBe(10_000);
    expect(sizesOf(fake, 'deleteByIds')).toEqual(Array<number>(10).fill(1000));
    expect(await pendingDeletions()).toHaveLength(50);

    expect(await index.syncDeletions()).toBe(50);
    expect(await pendingDeletions()).toEqual([]);
  });

  it('keeps the list when Vectorize fails to delete, so the next sync tries again', async () => {
    const chunkIds = ids(3);
    await givenChunks(chunkIds);
    const { fake, index } = givenIndex();
    await index.upsert(itemsFor(chunkIds));
    await env.DB.prepare("DELETE FROM chunks WHERE id IN ('chunk-00001', 'chunk-00003')").run();
    fake.failNext('deleteByIds');

    await expect(index.syncDeletions()).rejects.toThrow('VECTOR_DELETE_ERROR');
    expect(await pendingDeletions()).toEqual(['chunk-00001', 'chunk-00003']);
    expect(fake.ids()).toEqual(chunkIds);

    expect(await index.syncDeletions()).toBe(2);
    expect(fake.ids()).toEqual(['chunk-00002']);
  });

  it('puts back the vector of a chunk written again while its deletion was in flight', async () => {
    const chunkIds = ids(2);
    await givenChunks(chunkIds);
    const { fake, index } = givenIndex();
    const [first, second] = itemsFor(chunkIds);
    if (!first || !second) throw new Error('fixture');
    await index.upsert([first, second]);
    await env.DB.prepare("DELETE FROM chunks WHERE id = 'chunk-00002'").run();
    // Between the sync reading the list and Vectorize deleting, the same content is ingested again.
    const deleteByIds = fake.deleteByIds.bind(fake);
    vi.spyOn(fake, 'deleteByIds').mockImplementationOnce(async (deleting) => {
      await givenChunks(['chunk-00002']);
      await index.upsert([second]);
      return deleteByIds(deleting);
    });

    expect(await index.syncDeletions()).toBe(1);

    expect(fake.ids()).toEqual(chunkIds);
    const restored = fake.stored('chunk-00002');
    expect(restored?.values).toEqual([...second.values]);
    // Metadata comes from the chunk row as it is now.
    expect(restored?.metadata).toEqual({
      embedder: EMBEDDER,
      courseId: 'other-course',
      partSlug: 'basics',
      chapterSlug: 'first-steps',
      sourceType: 'lesson',
    });
    expect(await pendingDeletions()).toEqual([]);
  });
});

describe('the local D1 vector index', () => {
  it('ranks a sparse query (few non-zero values, read dimension by dimension) as the full dot product does', async () => {
    const dimensions = 64;
    const chunkIds = ids(40);
    await givenChunks(chunkIds);
    const index = createD1VectorIndex(createDb(env.DB), 'sparse-test', dimensions);
    const items = chunkIds.map((id) => ({
      id,
      values: normalize(Float32Array.from(seededVector(id, dimensions))),
      metadata: {},
    }));
    await index.upsert(items);
    const expected = (query: Float32Array) =>
      items
        .map((item) => ({ id: item.id, score: item.values.reduce((sum, v, d) => sum + v * (query[d] ?? 0), 0) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, 5);
    // Three non-zero values of 64 (the sparse path), then every value non-zero (the dense one).
    const sparse = new Float32Array(dimensions);
    sparse[3] = 0.6;
    sparse[17] = -0.64;
    sparse[60] = 0.48;
    const dense = normalize(Float32Array.from(seededVector('query', dimensions)));
    for (const query of [sparse, dense]) {
      const found = await index.query(query, { topK: 5 });
      const want = expected(query);
      expect(found.map((m) => m.id)).toEqual(want.map((m) => m.id));
      found.forEach((m, i) => expect(m.score).toBeCloseTo(want[i]?.score ?? 0, 5));
    }
  });
});
