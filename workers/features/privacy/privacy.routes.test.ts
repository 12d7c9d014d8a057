import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { depsFor } from '../../deps';
import type { Problem } from '../../http/problem';
import { consumeBatch } from '../../queues/consumer';
import { QUEUES } from '../../queues/messages';
import {
  api,
  buildCourse,
  d1Rows,
  DELIVERY,
  flushLearners,
  givenAuthorKey,
  givenLearner,
  learnerSql,
  push,
  PREFERENCES,
  withAggregatesQueue,
} from '../../test/builders';
import type { AggregateMessage } from '../aggregates/aggregates.schemas';
import { LEARNER_D1_BODIES, LEARNER_D1_TABLES } from './privacy.store';

/** A learner who did a bit of everything: onboarding, progress, answers, a review, a goal, feedback, a ranking. */
const rejectionsOf = async (learnerId: string) =>
  (await env.DB.prepare('SELECT count(*) AS n FROM event_rejections WHERE instr(body, ?) > 0').bind(learnerId).first())?.n;

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
  // Offered first, then dismissed.
  await api('/api/recommendations', { key: token });
  await post('/api/recommendations/lesson:lesson-2/feedback', { eventId: crypto.randomUUID(), action: 'dismissed' });
  await api('/api/recommendations', { key: token });
  // A personalized lesson (a KV entry for their preferences) and an event the pipeline refuses (kept in D1 with its body).
  await post('/api/personalize', { lessonSlug: 'lesson-2' });
  await post('/api/events', {
    events: [
      {
        eventId: crypto.randomUUID(),
        type: 'lesson.started',
        lessonSlug: 'no-such-lesson',
        occurredAt: new Date().toISOString(),
      },
    ],
  });
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
    // Preferences of the course's own, kept apart from the learner's.
    const forCourse = { ...PREFERENCES, style: 'visual', exampleDomain: 'games' };
    const kept = await api('/api/learners/me/preferences?course=test-course', { method: 'PUT', key: token, json: forCourse });
    expect(kept.status).toBe(200);
    await flushLearners(learnerId);
    await expect.poll(() => rejectionsOf(learnerId), DELIVERY).toBe(1);
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
    // A table a tool keeps in the object, as `wrangler dev` keeps `__miniflare_do_name`: not the learner's data.
    await learnerSql(learnerId, 'CREATE TABLE __tool_state (name TEXT)');
    const response = await api('/api/learners/me/export', { key: token });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const doc = await response.json<{
      learnerId: string;
      learner: Record<string, unknown[]>;
      shared: Record<string, unknown[]>;
    }>();
    expect(doc.learnerId).toBe(learnerId);
    // Every table of the object is in the export, with the rows it holds; the runtime's and tools' own tables are not.
    const allTables = (await learnerSql<{ name: string }>(learnerId, "SELECT name FROM sqlite_master WHERE type = 'table'")).map(
      (r) => r.name,
    );
    const ownTables = allTables.filter((name) => /^(sqlite_|_cf_|__)/.test(name));
    expect(ownTables).toEqual(expect.arrayContaining(['__drizzle_migrations', '__tool_state']));
    const objectTables = allTables.filter((name) => !ownTables.includes(name));
    expect(Object.keys(doc.learner).sort()).toEqual(objectTables.sort());
    for (const table of objectTables) {
      const [count] = await learnerSql<{ n: number }>(learnerId, `SELECT count(*) AS n FROM "${table}"`);
      expect([table, doc.learner[table]?.length]).toEqual([table, count?.n]);
    }
    for (const table of [
      'profile',
      'preference_history',
      'course_preferences',
      'events',
      'lesson_progress',
      'attempts',
      'review_cards',
      'goal',
    ]) {
      expect([table, (doc.learner[table]?.length ?? 0) > 0]).toEqual([table, true]);
    }
    expect(doc.shared.attempt_log).toHaveLength(1);
    expect(doc.shared.lesson_completions).toHaveLength(1);
    expect(doc.shared.event_rejections).toHaveLength(1);
    expect(Object.keys(doc.shared).sort()).toEqual([...Object.keys(LEARNER_D1_TABLES), ...Object.keys(LEARNER_D1_BODIES)].sort());
  });

  it('streams an export of any size page by page, and it parses as one document with every row', async () => {
    await push(await buildCourse(4), await givenAuthorKey());
    const { token, learnerId } = await givenLearner();
    // 1,234 events: more than two pages of the object's rows.
    await learnerSql(
      learnerId,
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1234)
       INSERT INTO events (event_id, type, course_id, occurred_at, received_at, payload, fingerprint)
       SELECT 'e-' || i, 'lesson.started', 'test-course', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '{"lessonSlug":"lesson-1","note":"é <>"}', 'f' FROM n`,
    );
    const response = await api('/api/learners/me/export', { key: token });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(response.headers.get('content-length')).toBeNull();
    const doc = await response.json<{ learner: Record<string, { event_id: string; payload: string }[]> }>();
    const ids = (doc.learner.events ?? []).map((e) => e.event_id);
    expect(ids).toHaveLength(1234);
    expect(new Set(ids).size).toBe(1234);
    expect(JSON.parse(doc.learner.events?.[0]?.payload ?? '{}')).toEqual({ lessonSlug: 'lesson-1', note: 'é <>' });
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
    // Before the deltas arrive: nothing in the shared aggregates (the refused event may be there already).
    const direct = ['event_rejections'];
    expect(Object.keys(await mentions(learnerId)).filter((t) => !direct.includes(t))).toEqual([]);
    // Delivered before the erase: the learner's rows in the shared tables.
    await deliver(late);
    await expect.poll(() => rejectionsOf(learnerId), DELIVERY).toBe(1);
    expect(Object.keys(await mentions(learnerId)).sort()).toEqual([
      'aggregate_receipts',
      'attempt_log',
      'event_rejections',
      'learner_activity_daily',
      'lesson_completions',
      'review_log',
    ]);

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

  it('keeps nothing of an event that reaches the pipeline after its learner erased their data', async () => {
    await push(await buildCourse(4), await givenAuthorKey());
    const { token, learnerId } = await givenLearner();
    expect((await api('/api/learners/me', { method: 'DELETE', key: token })).status).toBe(204);
    // Accepted before the erase, consumed after it: the learner's object answers that there is no such learner.
    const body = {
      learnerId,
      receivedAt: new Date().toISOString(),
      event: {
        eventId: crypto.randomUUID(),
        type: 'lesson.active_time',
        lessonSlug: 'lesson-1',
        seconds: 30,
        occurredAt: new Date().toISOString(),
      },
    };
    const batch = createMessageBatch(QUEUES.events, [{ id: 'late-1', timestamp: new Date(), attempts: 1, body }]);
    const ctx = createExecutionContext();
    await consumeBatch(batch, depsFor(env, {}));
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(['late-1']);
    expect(await rejectionsOf(learnerId)).toBe(0);
    expect(await mentions(learnerId)).toEqual({});
  });

  it('erases the personalized lessons only the learner used, and keeps those another learner with the same preferences uses', async () => {
    await push(await buildCourse(4), await givenAuthorKey());
    const shared = { experience: 'expert' as const, exampleDomain: 'finance' as const };
    const [a, b, c] = await Promise.all([givenLearner(shared), givenLearner(shared), givenLearner({ experience: 'none' })]);
    for (const learner of [a, b, c]) {
      expect(
        (await api('/api/personalize', { method: 'POST', key: learner.token, json: { lessonSlug: 'lesson-2' } })).status,
      ).toBe(200);
    }
    const entries = async () => (await env.CACHE.list({ prefix: 'personalized:' })).keys.map((k) => k.name).sort();
    const before = await entries();
    expect(before).toHaveLength(2);

    expect((await api('/api/learners/me', { method: 'DELETE', key: c.token })).status).toBe(204);
    const afterC = await entries();
    expect(afterC).toHaveLength(1);
    // A still uses the shared entry with B: erasing A keeps it; erasing B too drops it.
    expect((await api('/api/learners/me', { method: 'DELETE', key: a.token })).status).toBe(204);
    expect(await entries()).toEqual(afterC);
    expect((await api('/api/learners/me', { method: 'DELETE', key: b.token })).status).toBe(204);
    expect(await entries()).toEqual([]);
    expect(await d1Rows('SELECT count(*) AS n FROM preference_holders')).toEqual([{ n: 0 }]);
  });

  it('records consent (both on until the learner chooses) and refuses a half or malformed choice, changing nothing', async () => {
    const { token } = await givenLearner();
    const initial = await (await api('/api/learners/me/consent', { key: token })).json();
    expect(initial).toEqual({ model: true, analytics: true, updatedAt: null });
    for (const [json, field] of [
      [{ model: false }, 'json/analytics'],
      [{ model: 'no', analytics: true }, 'json/model'],
      [{ model: false, analytics: false, marketing: true }, 'json/marketing'],
    ] as const) {
      const response = await api('/api/learners/me/consent', { method: 'PUT', key: token, json });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect((await response.json<Problem & { errors: { field: string }[] }>()).errors.map((e) => e.field)).toContain(field);
    }
    expect(await (await api('/api/learners/me/consent', { key: token })).json()).toEqual(initial);
    const set = await api('/api/learners/me/consent', { method: 'PUT', key: token, json: { model: false, analytics: false } });
    expect(await set.json()).toMatchObject({ model: false, analytics: false, updatedAt: expect.any(String) as unknown });
    expect(await (await api('/api/learners/me', { key: token })).json()).toMatchObject({
      consent: { model: false, analytics: false },
    });
  });

  it('keeps a learner who declined analytics out of every shared table: answers, completions, feedback and time stay theirs', async () => {
    await push(await buildCourse(4), await givenAuthorKey());
    const learner = await givenLearner();
    const declined = await api('/api/learners/me/consent', {
      method: 'PUT',
      key: learner.token,
      json: { model: true, analytics: false },
    });
    expect(declined.status, await declined.clone().text()).toBe(200);
    const post = (path: string, json: unknown, method = 'POST') => api(path, { method, key: learner.token, json });
    await post('/api/progress/lessons/lesson-1/start', { eventId: crypto.randomUUID() });
    await post('/api/progress/lessons/lesson-1/time', { eventId: crypto.randomUUID(), seconds: 40 }, 'PUT');
    await post('/api/progress/lessons/lesson-1/complete', { eventId: crypto.randomUUID() });
    await post('/api/quizzes/attempts', { eventId: crypto.randomUUID(), itemId: 'lesson-1-q1', answer: 1 });
    await api('/api/recommendations', { key: learner.token });
    await post('/api/recommendations/lesson:lesson-2/feedback', { eventId: crypto.randomUUID(), action: 'accepted' });
    // Their own record has it all; nothing waits to be shared, and a flush sends nothing.
    expect(await learnerSql(learner.learnerId, 'SELECT count(*) AS n FROM attempts')).toEqual([{ n: 1 }]);
    expect(await learnerSql(learner.learnerId, 'SELECT count(*) AS n FROM outbox')).toEqual([{ n: 0 }]);
    expect(await learnerSql(learner.learnerId, 'SELECT count(*) AS n FROM pending_activity')).toEqual([{ n: 0 }]);
    await flushLearners(learner.learnerId);
    // Another learner who consented, doing the same, is counted (so the pipeline was working meanwhile).
    const other = await givenLearner();
    await api('/api/quizzes/attempts', {
      method: 'POST',
      key: other.token,
      json: { eventId: crypto.randomUUID(), itemId: 'lesson-1-q1', answer: 1 },
    });
    await flushLearners(other.learnerId);
    await expect
      .poll(() => d1Rows(`SELECT count(*) AS n FROM attempt_log WHERE learner_id = '${other.learnerId}'`), DELIVERY)
      .toEqual([{ n: 1 }]);
    expect(await mentions(learner.learnerId)).toEqual({});
  }, 20_000);

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
