import { describe, expect, it } from 'vitest';
import {
  api,
  buildCourse,
  d1Rows,
  DELIVERY,
  givenAuthorKey,
  givenLearner,
  learnerSql,
  learnerHandle,
  push,
  withAggregatesQueue,
} from '../../test/builders';
import { DEFAULT_BKT, bktUpdate } from '../mastery/mastery.bkt';
import migrations from '../../../migrations/learner/migrations';
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { Learner } from './learner.object';

/** Four lessons; lesson-1's quiz has twenty items on concept-1 (answer 1 is right). */
async function givenCourse() {
  const key = await givenAuthorKey();
  const items = Array.from({ length: 20 }, (_, i) => `i${i}`).map((id) => ({
    id: `lesson-1-${id}`,
    question: `${id}?`,
    choices: ['w', 'r', 'x'],
    answer: 1,
    explanation: `why ${id}`,
    concept: 'concept-1',
  }));
  await push(await buildCourse(4, { 'lesson-1': { quiz: items } }), key);
  return key;
}

/** Distinct items: a second answer to an item within a day is not evidence (its answer was shown). */
const ITEMS = Array.from({ length: 20 }, (_, i) => `lesson-1-i${i}`);
const timing = (response: Response) => response.headers.get('server-timing') ?? '';

describe('waking an object', () => {
  it('finds its schema current by the newest migration drizzle recorded, and a woken object skips migrating', async () => {
    const { token, learnerId } = await givenLearner(null);
    const [row] = await learnerSql<{ at: number; n: number }>(
      learnerId,
      'SELECT max(created_at) AS at, count(*) AS n FROM __drizzle_migrations',
    );
    expect(row).toEqual({
      at: Math.max(...migrations.journal.entries.map((e) => e.when)),
      n: migrations.journal.entries.length,
    });
    // An object woken over that database (a new instance on the same storage) runs no migration and reads it.
    await runInDurableObject(learnerHandle(learnerId), async (_instance, state) => {
      const statements: string[] = [];
      const exec = state.storage.sql.exec.bind(state.storage.sql);
      state.storage.sql.exec = ((query: string, ...binds: unknown[]) => {
        statements.push(query);
        return exec(query, ...binds);
      }) as typeof state.storage.sql.exec;
      const woken = new Learner(state, env);
      // The constructor's start-up runs blocking the object: wait until it has.
      await state.blockConcurrencyWhile(async () => {});
      expect(await woken.profile(learnerId)).toMatchObject({ learnerId });
      expect(statements.length).toBeGreaterThan(0);
      expect(statements.filter((q) => /CREATE TABLE|__drizzle_migrations"?\s+ORDER/i.test(q))).toEqual([]);
      state.storage.sql.exec = exec;
    });
    expect((await api('/api/learners/me', { key: token })).status).toBe(200);
  });
});

describe("one learner's concurrent writes", () => {
  it('applies a 20-way burst of answers, each once, with no update lost', async () => {
    await givenCourse();
    const { token, learnerId } = await givenLearner(null);
    const answers = Array.from({ length: 20 }, (_, i) => ({
      eventId: crypto.randomUUID(),
      itemId: ITEMS[i],
      answer: i % 4 === 0 ? 0 : 1,
    }));
    const responses = await Promise.all(
      answers.map((json) => api('/api/quizzes/attempts', { method: 'POST', key: token, json })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    const bodies = await Promise.all(responses.map((r) => r.json<{ applied: boolean }>()));
    expect(bodies.every((b) => b.applied)).toBe(true);
    // Each reflected once: 20 attempts, mastery folded over them in the order they committed,
    // 20 cards reviewed once, and an ability moved by each answer.
    const attempts = await learnerSql<{ correct: number }>(learnerId, 'SELECT correct FROM attempts ORDER BY rowid');
    expect(attempts).toHaveLength(20);
    const [mastery] = await learnerSql<{ p_known: number; attempts: number; correct: number }>(
      learnerId,
      'SELECT p_known, attempts, correct FROM concept_mastery',
    );
    expect(mastery).toMatchObject({ attempts: 20, correct: 15 });
    const folded = attempts.reduce((p, a) => bktUpdate(p, a.correct === 1, DEFAULT_BKT), DEFAULT_BKT.prior);
    expect(mastery?.p_known).toBeCloseTo(folded, 12);
    expect(await learnerSql(learnerId, 'SELECT sum(reps) AS reps, count(*) AS cards FROM review_cards')).toEqual([
      { reps: 20, cards: 20 },
    ]);
    expect(await learnerSql(learnerId, 'SELECT count(*) AS n FROM events')).toEqual([{ n: 20 }]);
    // The same 20 requests again (a client retrying all of them): nothing changes.
    const again = await Promise.all(answers.map((json) => api('/api/quizzes/attempts', { method: 'POST', key: token, json })));
    expect((await Promise.all(again.map((r) => r.json<{ applied: boolean }>()))).some((b) => b.applied)).toBe(false);
    expect(await learnerSql(learnerId, 'SELECT count(*) AS n FROM attempts')).toEqual([{ n: 20 }]);
  });

  it('applies concurrent reviews and concurrent event batches once each', async () => {
    await givenCourse();
    const { token, learnerId } = await givenLearner(null);
    for (const itemId of ITEMS.slice(0, 15)) {
      await api('/api/quizzes/attempts', {
        method: 'POST',
        key: token,
        json: { eventId: crypto.randomUUID(), itemId, answer: 1 },
      });
    }
    const reviews = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        api(`/api/reviews/${ITEMS[i]}`, {
          method: 'POST',
          key: token,
          json: { eventId: crypto.randomUUID(), answer: 1, rating: 'good' },
        }),
      ),
    );
    expect(reviews.map((r) => r.status)).toEqual(Array(12).fill(200));
    // Each review once on its card and among the concept's answers (though, minutes after each item's answer was
    // shown, not as evidence for P(known)).
    expect(await learnerSql(learnerId, 'SELECT sum(reps) AS reps FROM review_cards')).toEqual([{ reps: 27 }]);
    expect(await learnerSql(learnerId, 'SELECT count(*) AS n FROM attempts')).toEqual([{ n: 27 }]);
    expect(await learnerSql(learnerId, 'SELECT attempts FROM concept_mastery')).toEqual([{ attempts: 27 }]);

    // 20 requests to POST /api/events at once, one heartbeat each, through the EVENTS queue.
    const batches = Array.from({ length: 20 }, (_, i) => ({
      events: [
        {
          eventId: crypto.randomUUID(),
          type: 'lesson.active_time',
          lessonSlug: 'lesson-2',
          seconds: 10 + i,
          occurredAt: new Date().toISOString(),
        },
      ],
    }));
    const sent = await Promise.all(batches.map((json) => api('/api/events', { method: 'POST', key: token, json })));
    expect(sent.map((r) => r.status)).toEqual(Array(20).fill(202));
    const expected = batches.reduce((n, b) => n + (b.events[0]?.seconds ?? 0), 0);
    const started = Date.now();
    let seconds = 0;
    while (seconds !== expected && Date.now() - started < 10_000) {
      await new Promise((r) => setTimeout(r, 100));
      const [row] = await learnerSql<{ active_seconds: number }>(
        learnerId,
        "SELECT active_seconds FROM lesson_progress WHERE lesson_slug = 'lesson-2'",
      );
      seconds = row?.active_seconds ?? 0;
    }
    expect(seconds).toBe(expected);
  });
});

describe('heartbeats and deltas', () => {
  it('costs a heartbeat no D1 query at all: the object sums the seconds and its alarm sends one delta per lesson and day', async () => {
    await givenCourse();
    const { token, learnerId } = await givenLearner(null);
    await api('/api/progress/lessons/lesson-1/start', { method: 'POST', key: token, json: { eventId: crypto.randomUUID() } });
    for (let i = 0; i < 5; i++) {
      const response = await api('/api/progress/lessons/lesson-1/time', {
        method: 'PUT',
        key: token,
        json: { eventId: crypto.randomUUID(), seconds: 30 },
      });
      expect(response.status).toBe(200);
      // The object knows the started lesson's course: nothing is read from the course.
      expect(timing(response)).toContain('d1;desc="0 queries", d1w;desc="0 writes", learner;desc="1 calls"');
    }
    expect(await learnerSql(learnerId, 'SELECT seconds, heartbeats FROM pending_activity')).toEqual([
      { seconds: 150, heartbeats: 5 },
    ]);
    // Only the start's delta (the lesson was opened: completion and drop-off count it) waits; no heartbeat added one.
    expect(await learnerSql(learnerId, "SELECT json_extract(delta, '$.kind') AS kind FROM outbox")).toEqual([
      { kind: 'lesson_seen' },
    ]);
    // The alarm (set for the activity flush) sends the summed seconds on.
    expect(await runDurableObjectAlarm(learnerHandle(learnerId))).toBe(true);
    expect(await learnerSql(learnerId, 'SELECT count(*) AS n FROM pending_activity')).toEqual([{ n: 0 }]);
    const day = new Date().toISOString().slice(0, 10);
    await expect
      .poll(() => d1Rows('SELECT lesson_slug, day, active_seconds, heartbeats FROM lesson_activity_daily'), DELIVERY)
      .toEqual([{ lesson_slug: 'lesson-1', day, active_seconds: 150, heartbeats: 5 }]);
  });

  it('writes nothing to D1 on an answer and sends its delta in at most one queue message, packed with others', async () => {
    await givenCourse();
    const { token, learnerId } = await givenLearner(null);
    for (let i = 0; i < 12; i++) {
      const response = await api('/api/quizzes/attempts', {
        method: 'POST',
        key: token,
        json: { eventId: crypto.randomUUID(), itemId: ITEMS[i], answer: 1 },
      });
      expect(timing(response)).toContain('d1w;desc="0 writes"');
    }
    // Each answer's delta, and one for each concept whose level the answers moved (the mastery distribution).
    const kinds = await learnerSql<{ kind: string; n: number }>(
      learnerId,
      "SELECT json_extract(delta, '$.kind') AS kind, count(*) AS n FROM outbox GROUP BY kind ORDER BY kind",
    );
    expect(kinds.map((k) => k.kind)).toEqual(['attempt', 'mastery_level', 'review']);
    expect(kinds[0]?.n).toBe(12);
    expect(kinds[2]?.n).toBe(12);
    // 12 answers' deltas leave in one message, with the level changes.
    expect(await learnerHandle(learnerId).flush()).toBe(1);
    expect(await learnerSql(learnerId, 'SELECT count(*) AS n FROM outbox')).toEqual([{ n: 0 }]);
    await expect.poll(() => d1Rows('SELECT count(*) AS n FROM attempt_log'), DELIVERY).toEqual([{ n: 12 }]);
    // Each answer scheduled its item's card: the review log FSRS fits from has it, graded "good" (answer 1 is right) or "again".
    const reviews = (await d1Rows('SELECT item_id, grade FROM review_log ORDER BY item_id')) as {
      item_id: string;
      grade: number;
    }[];
    expect(reviews.map((r) => r.item_id)).toEqual([...ITEMS.slice(0, 12)].sort());
    for (const r of reviews) expect([1, 3]).toContain(r.grade);
    // Nothing left: a second flush sends nothing.
    expect(await learnerHandle(learnerId).flush()).toBe(0);
  });

  it('keeps deltas whose send failed, and sends them with the next flush', async () => {
    await givenCourse();
    const { token, learnerId } = await givenLearner(null);
    await api('/api/progress/lessons/lesson-1/complete', { method: 'POST', key: token, json: { eventId: crypto.randomUUID() } });
    const object = learnerHandle(learnerId);
    const down = () => Promise.reject(new Error('queue down'));
    const failed = await withAggregatesQueue(learnerId, down, async (instance, state) => {
      // The alarm keeps the deltas and sets itself again instead of failing.
      await state.storage.deleteAlarm();
      await instance.alarm();
      const retryAt = await state.storage.getAlarm();
      const error = await instance.flush().then(
        () => null,
        (e: unknown) => String(e),
      );
      return { error, retryAt };
    });
    expect(failed.retryAt).toBeGreaterThan(Date.now());
    expect(failed.error).toContain('queue down');
    // The lesson opened and completed: both deltas wait, and leave in one message.
    expect(await learnerSql(learnerId, 'SELECT count(*) AS n FROM outbox')).toEqual([{ n: 2 }]);
    expect(await object.flush()).toBe(1);
    await expect
      .poll(() => d1Rows('SELECT lesson_slug FROM lesson_completions'), DELIVERY)
      .toEqual([{ lesson_slug: 'lesson-1' }]);
  });
});

describe('forged time', () => {
  it('credits at most 12 hours of active time a day, however many heartbeats arrive', async () => {
    await givenCourse();
    const { learnerId } = await givenLearner(null);
    const object = learnerHandle(learnerId);
    const at = new Date().toISOString();
    // 800 heartbeats of a minute each (13 h 20 min) in one day, straight to the object.
    for (let i = 0; i < 800; i++) {
      const event = {
        type: 'lesson.active_time' as const,
        eventId: crypto.randomUUID(),
        occurredAt: at,
        lessonSlug: 'lesson-1',
        seconds: 60,
      };
      await object.apply(learnerId, { learnerId, receivedAt: at, event }, { kind: 'lesson', courseId: 'test-course' });
    }
    expect(await learnerSql(learnerId, 'SELECT active_seconds, events FROM daily_activity')).toEqual([
      { active_seconds: 12 * 3600, events: 800 },
    ]);
    expect(await learnerSql(learnerId, 'SELECT active_seconds FROM lesson_progress')).toEqual([{ active_seconds: 12 * 3600 }]);
  });

  it('refuses a client time outside 7 days before and 5 minutes after now, naming the field', async () => {
    await givenCourse();
    const { token, learnerId } = await givenLearner(null);
    for (const occurredAt of [
      '9999-12-31T00:00:00Z',
      '0000-01-01T00:00:00Z',
      new Date(Date.now() - 8 * 86_400_000).toISOString(),
    ]) {
      const response = await api('/api/progress/lessons/lesson-1/time', {
        method: 'PUT',
        key: token,
        json: { eventId: crypto.randomUUID(), seconds: 30, occurredAt },
      });
      expect(response.status).toBe(400);
      expect((await response.json<{ errors: { field: string }[] }>()).errors.map((e) => e.field)).toContain('json/occurredAt');
    }
    expect(await learnerSql(learnerId, 'SELECT count(*) AS n FROM events')).toEqual([{ n: 0 }]);
  });
});

describe('isolation', () => {
  it("never answers for another learner: an object refuses every id but its own, and a token reaches only its learner's", async () => {
    await givenCourse();
    const a = await givenLearner(null);
    const b = await givenLearner(null);
    await api('/api/progress/lessons/lesson-1/complete', {
      method: 'POST',
      key: a.token,
      json: { eventId: crypto.randomUUID() },
    });
    // Called with another learner's id, an object answers as if there were no such learner.
    expect(await learnerHandle(a.learnerId).profile(b.learnerId)).toBeNull();
    expect(await learnerHandle(a.learnerId).progress(b.learnerId, '2020-01-01')).toBeNull();
    const seen = await (await api('/api/progress', { key: b.token })).json<{ lessons: { completed: number } }>();
    expect(seen.lessons.completed).toBe(0);
    expect(await learnerSql(b.learnerId, 'SELECT count(*) AS n FROM lesson_progress')).toEqual([{ n: 0 }]);
    // An object for an id no learner was created with holds nothing and answers as "no learner".
    const ghost = 'lrn_ghost0000000000000000';
    expect(await learnerHandle(ghost).profile(ghost)).toBeNull();
    expect(await learnerSql(ghost, 'SELECT count(*) AS n FROM profile')).toEqual([{ n: 0 }]);
  });
});
