import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import worker from '../../index';
import { QUEUES, type IngestJob } from '../../queues/messages';
import { consoleErrors } from '../../test/console';
import { corruptPdfFixture, pdfFixture } from '../../test/source-fixtures';
import { sha256Hex } from '../../platform/sha256';
import { depsFor } from '../../deps';
import { ingestSource } from './sources.jobs';

/**
 * The INGEST consumer's handling of source jobs, driven with hand-made batches (no
 * upload route, so the real queue never sees these jobs and cannot race them).
 */

const SOURCE_ID = 'src_abcdefghijklmnop';

/** A source row and, unless `stored` is false, its bytes in R2. */
async function givenSource(file: Uint8Array, options: { stored?: boolean; type?: string } = {}): Promise<string> {
  // The fixtures' bytes live in plain (not shared) ArrayBuffers.
  const bytes = file as Uint8Array<ArrayBuffer>;
  const hash = await sha256Hex(bytes);
  if (options.stored !== false) await env.CONTENT.put(`blobs/${hash}`, bytes);
  const now = new Date().toISOString();
  await env.DB.prepare(
    `INSERT INTO sources (id, title, filename, media_type, source_type, byte_size, content_hash, status, created_at, updated_at)
     VALUES (?, 'Guide', 'guide.pdf', 'application/pdf', ?, ?, ?, 'pending', ?, ?)`,
  )
    .bind(SOURCE_ID, options.type ?? 'pdf', bytes.byteLength, hash, now, now)
    .run();
  return hash;
}

async function deliver(queue: string, bodies: unknown[], attempts = 1, vars: Record<string, string> = {}) {
  const batch = createMessageBatch(
    queue,
    bodies.map((body, i) => ({ id: `msg-${i}`, timestamp: new Date(), attempts, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<IngestJob>, { ...env, ...vars }, ctx);
  return getQueueResult(batch, ctx);
}

async function sourceRow() {
  return env.DB.prepare('SELECT status, error, pages FROM sources WHERE id = ?')
    .bind(SOURCE_ID)
    .first<{ status: string; error: string | null; pages: number | null }>();
}

const job = (contentHash: string) => ({ type: 'source.ingest', sourceId: SOURCE_ID, contentHash });

describe('INGEST consumer, source jobs', () => {
  it('ingests a source and acks; a redelivered job acks again without embedding anything', async () => {
    const hash = await givenSource(pdfFixture([['Variance measures spread.'], ['Standard deviation is its root.']]));
    const first = await deliver(QUEUES.ingest, [job(hash)]);
    expect(first.explicitAcks).toEqual(['msg-0']);
    expect(await sourceRow()).toEqual({ status: 'ingested', error: null, pages: 2 });
    const chunks = await env.DB.prepare('SELECT id FROM chunks ORDER BY id').all<{ id: string }>();

    const log = vi.spyOn(console, 'log');
    const again = await deliver(QUEUES.ingest, [job(hash), job(hash)], 2, { LOG_LEVEL: 'info' });
    expect(again.explicitAcks).toEqual(['msg-0', 'msg-1']);
    const events = log.mock.calls.map((call) => String(call[0]));
    expect(events.filter((line) => line.includes('"ingest.unchanged"'))).toHaveLength(2);
    expect(events.some((line) => line.includes('"search.indexed"'))).toBe(false);
    expect((await env.DB.prepare('SELECT id FROM chunks ORDER BY id').all<{ id: string }>()).results).toEqual(chunks.results);
  });

  it('retries with backoff when the file is missing from storage, keeping the reason on the pending source', async () => {
    const hash = await givenSource(pdfFixture([['Never stored.']]), { stored: false });
    const result = await deliver(QUEUES.ingest, [job(hash)], 2);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(['msg-0']);
    const row = await sourceRow();
    expect(row?.status).toBe('pending');
    expect(row?.error).toContain('missing from storage');
  });

  it('marks the source failed with the last reason when the job reaches the dead-letter queue', async () => {
    const hash = await givenSource(pdfFixture([['Text.']]), { stored: false });
    await deliver(QUEUES.ingest, [job(hash)], 3);
    consoleErrors.expect();
    const result = await deliver(QUEUES.ingestDlq, [job(hash)]);
    expect(result.explicitAcks).toEqual(['msg-0']);
    expect(await sourceRow()).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^gave up after retries: .*missing from storage/) as string,
    });
  });

  it('fails an unreadable file at once, without a retry, and goes on with the rest of the batch', async () => {
    const hash = await givenSource(corruptPdfFixture());
    const poison = { type: 'source.ingest', sourceId: 'not-a-source-id', contentHash: hash };
    const logged = consoleErrors.expect();
    const result = await deliver(QUEUES.ingest, [job(hash), poison]);
    expect(result.explicitAcks).toEqual(['msg-0', 'msg-1']);
    expect(result.retryMessages).toEqual([]);
    expect((await sourceRow())?.status).toBe('failed');
    expect(logged.filter((line) => line.includes('queue.rejected_message'))).toHaveLength(1);
  });

  it('removes what it wrote when the source is deleted while the job runs', async () => {
    const hash = await givenSource(pdfFixture([['Deleted mid-way.']]));
    const deps = depsFor(env, {});
    // The delete lands between indexing and marking the source ingested.
    const markIngested = deps.sources.markIngested.bind(deps.sources);
    deps.sources.markIngested = async (...args) => {
      await deps.sources.delete(SOURCE_ID);
      return markIngested(...args);
    };
    await ingestSource(deps, { type: 'source.ingest', sourceId: SOURCE_ID, contentHash: hash }, new Date().toISOString());
    for (const table of ['chunks', 'chunk_vectors', 'item_concepts', 'vector_deletions']) {
      expect((await env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first<{ n: number }>())?.n, table).toBe(0);
    }
  });

  it('drops a job for a source deleted or replaced meanwhile', async () => {
    const hash = await givenSource(pdfFixture([['Text.']]));
    const result = await deliver(QUEUES.ingest, [job('f'.repeat(64)), { ...job(hash), sourceId: 'src_zzzzzzzzzzzzzzzz' }]);
    expect(result.explicitAcks).toEqual(['msg-0', 'msg-1']);
    expect(await sourceRow()).toMatchObject({ status: 'pending' });
    expect((await env.DB.prepare('SELECT count(*) AS n FROM chunks').first<{ n: number }>())?.n).toBe(0);
  });
});
