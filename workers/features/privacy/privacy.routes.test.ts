import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { depsFor } from '../../deps';
import type { Problem } from '../../http/problem';
import { consumeBatch } from '../../queues/consumer';
import { QUEUES } from '../../queues/messages';
import {
  api,
  buildCourse,
  DELIVERY,
  flushLearners,
  givenAuthorKey,
  givenLearner,
  learnerSql,
  push,
  withAggregatesQueue,
} from '../../test/builders';
import type { AggregateMessage } from '../aggregates/aggregates.schemas';
import { LEARNER_D1_TABLES } from './privacy.store';

/** A learner who did a bit of everything: onboarding, progress, answers, a review, a goal, feedback, a ranking. */
async function givenBusyLearner() {
  const learner = await givenLearner();
  const { token } = learner;
  const post = (path: string, json: unknown, method = 'POST') => api(path, { method, key: token, json });
  await post('/api/progress/lessons/lesson-1/start', { eventId: crypto.randomUUID() });
  await post('/api/progress/lessons/lesson-1/time', { eventId: crypto.randomUUID(), seconds: 40 }, 'PUT');
  await post('/api/progress/lessons/lesson-1/complete', { eventId: crypto.randomUUID() });
  await post('/api/quizzes/attempts', { eventId: crypto.randomUUID(), itemId: 'lesson-1-q1', answer: 1 });
  await post('/api/reviews/lesson-1-q1', { eventId: crypto.randomUUID(), rating: 'good' });
  await post('/api/learners/me/goal', { type: 'lesson', id: 'lesson-3' }, 'PUT');
  await post('/api/recommendations/lesson:lesson-2/feedback', { eventId: crypto.randomUUID(), action: 'dismissed' });
  await api('/api/recommendations', { key: token });
  return learner;
}

/** Every D1 table and column, from the schema itself. */
async function d1Tables(): Promise<{ table: string; columns: string[] }[]> {
  const { results } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'd1_%'",
  ).all<{ name: string }>();
  return Promise.all(
    results.map(async ({ name }) => ({
      table: name,
      columns: (await env.DB.prepare(`SELECT name FROM pragma_table_info(?)`).bind(name).all<{ name: string }>()).results.map(
        (c) => c.name,
      ),
    })),
  );
}

/** D1 rows anywhere that mention the learner id, by table. */
async function mentions(learnerId: string): Promise<Record<string, number>> {
  const found: Record<string, number> = {};
  for (const { table } of await d1Tables()) {
    const { results } = await env.DB.prepare(`SELECT * FROM "${table}"`).all();
    const n = results.filter((row) => JSON.stringify(row).includes(learnerId)).length;
    if (n > 0) found[table] = n;
  }
  return found;
}

describe('privacy', () => {
  it('covers every D1 table with a learner column in export and erase', async () => {
    const learnerTables = (await d1Tables())
      .filter(({ table, columns }) => columns.includes('learner_id') || table === 'learners')
      .map(({ table }) => table)
      .sort();
    expect(learnerTables).toEqual(Object.keys(LEARNER_D1_TABLES).sort());
  });

  it('exports everything held about the learner, from their object and the shared tables', async () => {
    await push(await buildCourse(4), await givenAuthorKey());
    const { token, learnerId } = await givenBusyLearner();
    await flushLearners(learnerId);
    await expect
      .poll(
        async () =>
          (await env.DB.prepare('SELECT count(*) AS n FROM attempt_log WHERE learner_id = ?').bind(learnerId).first())?.n,
        {
          timeout: 8000,
          interval: 100,
        },
      )
      .toBe(1);
    const response = await api('/api/learners/me/export', { key: token });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const doc = await response.json<{
      learnerId: string;
      learner: Record<string, unknown[]>;
      shared: Record<string, unknown[]>;
    }>();
    expect(doc.learnerId).toBe(learnerId);
    // Every table of the object is in the export, with the rows it holds.
    const objectTables = (
      await learnerSql<{ name: string }>(
        learnerId,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name NOT LIKE '_cf%' AND name NOT LIKE '__drizzle%'",
      )
    ).map((r) => r.name);
    expect(Object.keys(doc.learner).sort()).toEqual(objectTables.sort());
    for (const table of objectTables) {
      const [count] = await learnerSql<{ n: number }>(learnerId, `SELECT count(*) AS n FROM "${table}"`);
      expect([table, doc.learner[table]?.length]).toEqual([table, count?.n]);
    }
    for (const table of ['profile', 'preference_history', 'events', 'lesson_progress', 'attempts', 'review_cards', 'goal']) {
      expect([table, (doc.learner[table]?.length ?? 0) > 0]).toEqual([table, true]);
    }
    expect(doc.shared.attempt_log).toHaveLength(1);
    expect(doc.shared.lesson_completions).toHaveLength(1);
    expect(Object.keys(doc.shared).sort()).toEqual(Object.keys(LEARNER_D1_TABLES).sort());
  });

  it('erases the learner everywhere: the object holds nothing, no D1 row or KV entry names them, tokens stop working', async () => {
    await push(await buildCourse(4), await givenAuthorKey());
    const { token, learnerId } = await givenBusyLearner();
    const other = await givenBusyLearner();
    // Deltas still on their way when the learner erases: captured now, delivered after.
    const late: AggregateMessage[] = [];
    await withAggregatesQueue(
      learnerId,
      (messages) => {
        late.push(...messages.map((m) => m.body as AggregateMessage));
        return Promise.resolve();
      },
      (instance) => instance.flush(),
    );
    await flushLearners(other.learnerId);
    expect(await mentions(learnerId)).toEqual({});
    // Delivered before the erase: the learner's rows in the shared tables.
    await deliver(late);
    expect(Object.keys(await mentions(learnerId)).sort()).toEqual(['aggregate_receipts', 'attempt_log', 'lesson_completions']);

    expect((await api('/api/learners/me', { method: 'DELETE', key: token })).status).toBe(204);
    // Delivered again after it (a redelivery): nothing of the learner comes back.
    await deliver(late);
    for (const table of (
      await learnerSql<{ name: string }>(
        learnerId,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name NOT LIKE '_cf%' AND name NOT LIKE '__drizzle%'",
      )
    ).map((r) => r.name)) {
      expect([table, await learnerSql(learnerId, `SELECT count(*) AS n FROM "${table}"`)]).toEqual([table, [{ n: 0 }]]);
    }
    expect(await mentions(learnerId)).toEqual({});
    const keys = await env.CACHE.list();
    for (const { name } of keys.keys) {
      expect(name).not.toContain(learnerId);
      expect((await env.CACHE.get(name)) ?? '').not.toContain(learnerId);
    }
    // Every token of the learner is refused from now on; another learner is untouched.
    const after = await api('/api/learners/me', { key: token });
    expect(after.status).toBe(401);
    expect((await after.json<Problem>()).detail).toContain('no longer exists');
    expect((await api('/api/learners/me/export', { key: token })).status).toBe(401);
    expect((await api('/api/learners/me', { method: 'DELETE', key: token })).status).toBe(401);
    expect((await api('/api/progress', { key: other.token })).status).toBe(200);
    await expect.poll(async () => Object.keys(await mentions(other.learnerId)).length, DELIVERY).toBeGreaterThan(0);
  });

  it('needs a learner token', async () => {
    expect((await api('/api/learners/me/export')).status).toBe(401);
    expect((await api('/api/learners/me', { method: 'DELETE' })).status).toBe(401);
  });
});

/** Delivers aggregate messages to the consumer, as the queue would. */
async function deliver(messages: AggregateMessage[]): Promise<void> {
  const batch = createMessageBatch(
    QUEUES.aggregates,
    messages.map((body, i) => ({ id: `late-${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await consumeBatch(batch, depsFor(env, {}));
  const result = await getQueueResult(batch, ctx);
  expect(result.retryMessages).toEqual([]);
}
