import { createExecutionContext, createMessageBatch, createScheduledController, env, getQueueResult } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import worker from '../index';
import { buildCourse, givenAuthorKey, push, waitForIngest } from '../test/builders';
import { consoleErrors } from '../test/console';
import { QUEUES, type IngestJob } from './messages';
import { retryDelaySeconds } from './retry';
import { sha256Hex } from '../platform/sha256';

let key: string;
beforeEach(async () => {
  key = await givenAuthorKey();
});

async function deliver(queue: string, bodies: unknown[], attempts = 1) {
  const batch = createMessageBatch(
    queue,
    bodies.map((body, i) => ({ id: `msg-${i}`, timestamp: new Date(), attempts, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<IngestJob>, env, ctx);
  return getQueueResult(batch, ctx);
}

async function lessonRow(slug: string) {
  return env.DB.prepare('SELECT ingest_status, ingest_error, word_count, reading_minutes, outline FROM lessons WHERE slug = ?')
    .bind(slug)
    .first<{
      ingest_status: string;
      ingest_error: string | null;
      word_count: number | null;
      reading_minutes: number | null;
      outline: string | null;
    }>();
}

describe('INGEST consumer', () => {
  it('is reached through the real queue after a push and ingests every lesson', async () => {
    await push(await buildCourse(3), key);
    await waitForIngest(['lesson-1', 'lesson-2', 'lesson-3']);
  });

  it('stores word count, reading time and the heading outline, and acks', async () => {
    const fixture = await buildCourse(1);
    await push(fixture, key);
    const job = { type: 'lesson.ingest', lessonSlug: 'lesson-1', contentHash: fixture.manifest.lessons[0]?.contentHash };
    const result = await deliver(QUEUES.ingest, [job]);
    expect(result.explicitAcks).toEqual(['msg-0']);
    expect(result.retryMessages).toEqual([]);
    const row = await lessonRow('lesson-1');
    expect(row).toMatchObject({ ingest_status: 'ingested', ingest_error: null, reading_minutes: 1 });
    expect(row?.word_count).toBe(12);
    expect(JSON.parse(row?.outline ?? '[]')).toEqual([
      { depth: 2, text: 'Idea', anchor: 'idea' },
      { depth: 2, text: 'Practice', anchor: 'practice' },
    ]);
  });

  it('treats a redelivered message as a no-op with the same result', async () => {
    const fixture = await buildCourse(1);
    await push(fixture, key);
    const job = { type: 'lesson.ingest', lessonSlug: 'lesson-1', contentHash: fixture.manifest.lessons[0]?.contentHash };
    await deliver(QUEUES.ingest, [job]);
    const first = await lessonRow('lesson-1');
    const again = await deliver(QUEUES.ingest, [job, job], 2);
    expect(again.explicitAcks).toEqual(['msg-0', 'msg-1']);
    expect(await lessonRow('lesson-1')).toEqual(first);
  });

  it('drops a job for content the lesson no longer has, without touching the lesson', async () => {
    const fixture = await buildCourse(1);
    await push(fixture, key);
    // A hash no job carries, so the push's own job cannot change the row meanwhile either.
    const current = await sha256Hex(crypto.randomUUID());
    await env.DB.prepare(
      `UPDATE lessons SET ingest_status = 'pending', word_count = NULL, content_hash = ? WHERE slug = 'lesson-1'`,
    )
      .bind(current)
      .run();
    const before = await lessonRow('lesson-1');
    const result = await deliver(QUEUES.ingest, [{ type: 'lesson.ingest', lessonSlug: 'lesson-1', contentHash: 'a'.repeat(64) }]);
    expect(result.explicitAcks).toEqual(['msg-0']);
    expect(await lessonRow('lesson-1')).toEqual(before);
  });

  it('retries with backoff when the markdown is missing, recording the reason', async () => {
    await push(await buildCourse(1), key);
    // Point the lesson at a body storage never received (blobs are immutable, so a
    // missing one is the way a lost upload or a storage fault shows).
    const hash = await sha256Hex(`never uploaded ${crypto.randomUUID()}`);
    await env.DB.prepare(`UPDATE lessons SET ingest_status = 'pending', content_hash = ? WHERE slug = 'lesson-1'`)
      .bind(hash)
      .run();
    const result = await deliver(QUEUES.ingest, [{ type: 'lesson.ingest', lessonSlug: 'lesson-1', contentHash: hash }], 2);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(['msg-0']);
    const row = await lessonRow('lesson-1');
    expect(row?.ingest_status).toBe('pending');
    expect(row?.ingest_error).toContain('missing from storage');
  });

  it('marks the lesson failed, keeping the last reason, when the job reaches the dead-letter queue', async () => {
    const fixture = await buildCourse(1);
    await push(fixture, key);
    const hash = fixture.manifest.lessons[0]?.contentHash ?? '';
    await env.DB.prepare(
      `UPDATE lessons SET ingest_status = 'pending', ingest_error = 'markdown blob is missing' WHERE slug = 'lesson-1'`,
    ).run();
    consoleErrors.expect();
    const result = await deliver(QUEUES.ingestDlq, [{ type: 'lesson.ingest', lessonSlug: 'lesson-1', contentHash: hash }]);
    expect(result.explicitAcks).toEqual(['msg-0']);
    expect(await lessonRow('lesson-1')).toMatchObject({
      ingest_status: 'failed',
      ingest_error: 'gave up after retries: markdown blob is missing',
    });
  });

  it('acks a message that fails its schema instead of retrying it forever, and logs it', async () => {
    const logged = consoleErrors.expect();
    const result = await deliver(QUEUES.ingest, [{ type: 'lesson.ingest', lessonSlug: 'Bad Slug' }, 'garbage', null]);
    expect(result.explicitAcks).toEqual(['msg-0', 'msg-1', 'msg-2']);
    expect(result.retryMessages).toEqual([]);
    expect(logged.filter((l) => l.includes('queue.rejected_message'))).toHaveLength(3);
  });
});

describe('retry backoff', () => {
  it.each([
    [1, 0.5, 2],
    [2, 0.5, 4],
    [3, 0, 6],
    [3, 1, 10],
    [20, 0.5, 300],
  ])('attempt %i with jitter %f waits %i s', (attempts, random, seconds) => {
    expect(retryDelaySeconds(attempts, random)).toBe(seconds);
  });
});

describe('scheduled sweep', () => {
  it('re-queues lessons stuck in pending, and the queue then ingests them', async () => {
    await push(await buildCourse(2), key);
    await waitForIngest(['lesson-1', 'lesson-2']);
    await env.DB.prepare(
      `UPDATE lessons SET ingest_status = 'pending', updated_at = '2020-01-01T00:00:00.000Z' WHERE slug = 'lesson-2'`,
    ).run();
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: new Date(), cron: '*/10 * * * *' }), env, ctx);
    await waitForIngest(['lesson-2']);
  });
});

describe('dead-lettered duplicates', () => {
  it('never mark a lesson failed that another copy of the job already ingested', async () => {
    const fixture = await buildCourse(1);
    await push(fixture, key);
    await waitForIngest(['lesson-1']);
    consoleErrors.expect();
    const hash = fixture.manifest.lessons[0]?.contentHash ?? '';
    await deliver(QUEUES.ingestDlq, [{ type: 'lesson.ingest', lessonSlug: 'lesson-1', contentHash: hash }]);
    expect(await lessonRow('lesson-1')).toMatchObject({ ingest_status: 'ingested', ingest_error: null });
  });
});
