import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import worker from '../../index';
import { FakeVectorize } from '../../test/fake-vectorize';
import { describe, expect, it } from 'vitest';
import { api, buildCourse, givenAuthorKey, ORIGIN, push, waitForIngest } from '../../test/builders';

interface Status {
  embedder: string;
  counts: Record<string, number>;
  items: { id: string; status: string; chunks: number; embedders: string[]; error: string | null }[];
}

describe('ingest administration', () => {
  it('lists each lesson with its state, chunk count and embedder', async () => {
    const key = await givenAuthorKey();
    await push(await buildCourse(2), key);
    await waitForIngest(['lesson-1', 'lesson-2']);
    const status = await (await api('/api/admin/ingest/status', { key })).json<Status>();
    expect(status.counts).toEqual({ pending: 0, ingested: 2, failed: 0 });
    expect(status.items.map((i) => [i.id, i.status, i.chunks > 0, i.embedders])).toEqual([
      ['lesson-1', 'ingested', true, [status.embedder]],
      ['lesson-2', 'ingested', true, [status.embedder]],
    ]);
  });

  it('requeues failed lessons, which then ingest', async () => {
    const key = await givenAuthorKey();
    await push(await buildCourse(2), key);
    await waitForIngest(['lesson-1', 'lesson-2']);
    await env.DB.prepare(
      "UPDATE lessons SET ingest_status = 'failed', ingest_error = 'gave up after retries: boom' WHERE slug = 'lesson-2'",
    ).run();
    const before = await (await api('/api/admin/ingest/status', { key })).json<Status>();
    expect(before.items.find((i) => i.id === 'lesson-2')).toMatchObject({
      status: 'failed',
      error: 'gave up after retries: boom',
    });
    const retried = await api('/api/admin/ingest/retry-failed', { method: 'POST', key });
    expect(await retried.json()).toEqual({ requeued: ['lesson-2'] });
    await waitForIngest(['lesson-2']);
    const after = await (await api('/api/admin/ingest/status', { key })).json<Status>();
    expect(after.counts).toEqual({ pending: 0, ingested: 2, failed: 0 });
  });

  it('re-embeds only the items without vectors of the current embedder', async () => {
    const key = await givenAuthorKey();
    await push(await buildCourse(2), key);
    await waitForIngest(['lesson-1', 'lesson-2']);
    // As after switching embedders: lesson-2's chunks have no vectors of the current one.
    await env.DB.prepare(
      "UPDATE chunk_vectors SET embedder = 'an-old-model' WHERE chunk_id IN (SELECT id FROM chunks WHERE item_id = 'lesson-2')",
    ).run();
    const reindexed = await api('/api/admin/ingest/reindex', { method: 'POST', key });
    expect(await reindexed.json()).toEqual({ requeued: ['lesson-2'] });
    const started = Date.now();
    let status = await (await api('/api/admin/ingest/status', { key })).json<Status>();
    while (status.items.find((i) => i.id === 'lesson-2')?.embedders.length !== 2 && Date.now() - started < 8000) {
      await new Promise((r) => setTimeout(r, 100));
      status = await (await api('/api/admin/ingest/status', { key })).json<Status>();
    }
    expect(status.items.find((i) => i.id === 'lesson-2')?.embedders).toEqual(['an-old-model', status.embedder].sort());
    expect(await (await api('/api/admin/ingest/reindex', { method: 'POST', key })).json()).toEqual({ requeued: [] });
  });

  it('copies recorded vectors into a bound Vectorize index, which then serves vector search', async () => {
    const key = await givenAuthorKey();
    await push(await buildCourse(2), key);
    await waitForIngest(['lesson-1', 'lesson-2']);
    const vectors = new FakeVectorize(384);
    const withVectorize = async (path: string, init: RequestInit) => {
      const ctx = createExecutionContext();
      const response = await worker.fetch(new Request(`${ORIGIN}${path}`, init), { ...env, VECTORS: vectors }, ctx);
      await waitOnExecutionContext(ctx);
      return response;
    };
    const json = (body: unknown) => ({
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const copied = await withVectorize('/api/admin/ingest/copy-vectors', json({ after: null, limit: 3 }));
    const first = await copied.json<{ copied: number; next: string | null }>();
    expect(first.copied).toBe(3);
    const rest = await (await withVectorize('/api/admin/ingest/copy-vectors', json({ after: first.next }))).json();
    const total = await env.DB.prepare('SELECT count(*) AS n FROM chunk_vectors').first<{ n: number }>();
    expect(rest).toEqual({ copied: (total?.n ?? 0) - 3, next: null });
    expect(vectors.ids()).toHaveLength(total?.n ?? -1);

    const search = await withVectorize('/api/search', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'some words about lesson-2', mode: 'vector' }),
    });
    expect((await search.json<{ hits: { itemId: string }[] }>()).hits[0]?.itemId).toBe('lesson-2');
    expect(vectors.queries.at(-1)?.filter).toMatchObject({ embedder: expect.stringMatching(/^hash-v2-/) as string });
    // Without a bound index there is nothing to copy: the D1 record is the index.
    expect(await (await api('/api/admin/ingest/copy-vectors', { method: 'POST', key, json: {} })).json()).toEqual({
      copied: 0,
      next: null,
    });
    expect((await api('/api/admin/ingest/copy-vectors', { method: 'POST', key, json: { limit: 0 } })).status).toBe(400);
  });

  it('needs an author key', async () => {
    expect((await api('/api/admin/ingest/status')).status).toBe(401);
    expect((await api('/api/admin/ingest/retry-failed', { method: 'POST' })).status).toBe(401);
    expect((await api('/api/admin/ingest/reindex', { method: 'POST' })).status).toBe(401);
    expect((await api('/api/admin/ingest/copy-vectors', { method: 'POST' })).status).toBe(401);
  });
});
