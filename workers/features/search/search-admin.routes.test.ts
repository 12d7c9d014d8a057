import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { api, buildCourse, givenAuthorKey, push, waitForIngest } from '../../test/builders';

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

  it('needs an author key', async () => {
    expect((await api('/api/admin/ingest/status')).status).toBe(401);
    expect((await api('/api/admin/ingest/retry-failed', { method: 'POST' })).status).toBe(401);
    expect((await api('/api/admin/ingest/reindex', { method: 'POST' })).status).toBe(401);
  });
});
