import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { depsFor } from '../../deps';
import type { Problem } from '../../http/problem';
import { consumeBatch } from '../../queues/consumer';
import { QUEUES } from '../../queues/messages';
import { api, buildCourse, givenAuthorKey, givenLearner, learnerSql, push } from '../../test/builders';
import { DEFAULT_BKT, bktUpdate } from '../mastery/mastery.bkt';
import type { EventSubject } from '../learners/learner.apply';
import { consoleErrors } from '../../test/console';
import { seededRandom } from '../../platform/seeded-random';
import { MAX_HEARTBEAT_SECONDS, type EventMessage, type LearnerEvent } from './events.schemas';

function uuid(rand: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

interface Truth {
  lessons: Map<string, { started: string | null; completed: string | null; seconds: number; last: string }>;
  days: Map<string, { seconds: number; events: number }>;
  quiz: Map<string, { attempts: number; correct: number }>;
}

/** 1,000 events of one learner over 10 lessons and the 6 days before now, and the aggregates they must produce. */
function generate(learnerId: string, count: number, seed: number): { messages: EventMessage[]; truth: Truth } {
  const rand = seededRandom(seed);
  const truth: Truth = { lessons: new Map(), days: new Map(), quiz: new Map() };
  const messages: EventMessage[] = [];
  // Within the window events are accepted in: 7 days before their receipt.
  const start = Date.now() - 6 * 86_400_000;
  for (let i = 0; i < count; i++) {
    const lessonSlug = `lesson-${1 + Math.floor(rand() * 10)}`;
    const occurredAt = new Date(start + Math.floor(rand() * 6 * 86_400_000)).toISOString();
    const pick = rand();
    const base = { eventId: uuid(rand), occurredAt };
    const event: LearnerEvent =
      pick < 0.15
        ? { ...base, type: 'lesson.started', lessonSlug }
        : pick < 0.7
          ? { ...base, type: 'lesson.active_time', lessonSlug, seconds: 1 + Math.floor(rand() * 120) }
          : pick < 0.8
            ? { ...base, type: 'lesson.completed', lessonSlug }
            : { ...base, type: 'quiz.attempted', itemId: `${lessonSlug}-q1`, answer: Math.floor(rand() * 3) };
    messages.push({ learnerId, receivedAt: new Date().toISOString(), event });
    const seconds = event.type === 'lesson.active_time' ? Math.min(event.seconds, MAX_HEARTBEAT_SECONDS) : 0;
    const day = truth.days.get(occurredAt.slice(0, 10)) ?? { seconds: 0, events: 0 };
    truth.days.set(occurredAt.slice(0, 10), { seconds: day.seconds + seconds, events: day.events + 1 });
    if (event.type === 'quiz.attempted') {
      // Each lesson of buildCourse has one item, keyed 1, assessing `concept-<n>`.
      const concept = lessonSlug.replace('lesson-', 'concept-');
      const quiz = truth.quiz.get(concept) ?? { attempts: 0, correct: 0 };
      truth.quiz.set(concept, { attempts: quiz.attempts + 1, correct: quiz.correct + (event.answer === 1 ? 1 : 0) });
      continue;
    }
    const lesson = truth.lessons.get(lessonSlug) ?? { started: null, completed: null, seconds: 0, last: occurredAt };
    const earliest = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a < b ? a : b);
    truth.lessons.set(lessonSlug, {
      started: earliest(lesson.started, event.type === 'lesson.started' ? occurredAt : null),
      completed: earliest(lesson.completed, event.type === 'lesson.completed' ? occurredAt : null),
      seconds: lesson.seconds + seconds,
      last: lesson.last > occurredAt ? lesson.last : occurredAt,
    });
  }
  return { messages, truth };
}

describe('events pipeline', () => {
  it('applies 1,000 events exactly once through duplicates, crashes after commit, transient failures and poison messages', async () => {
    consoleErrors.expect();
    await push(await buildCourse(10), await givenAuthorKey());
    const { learnerId } = await givenLearner(null);
    const { messages, truth } = generate(learnerId, 1000, 7);
    const rand = seededRandom(99);
    // 10% of the events are sent twice, as separate messages; 5 poison messages besides.
    const poison: unknown[] = [
      { learnerId, receivedAt: new Date().toISOString(), event: { type: 'lesson.started' } },
      { learnerId, event: messages[0]?.event },
      'not an object',
      null,
      { learnerId, receivedAt: new Date().toISOString(), event: { ...messages[1]?.event, eventId: 'not-a-uuid' } },
    ];
    const bodies: unknown[] = [...messages, ...messages.filter(() => rand() < 0.1), ...poison];
    const duplicates = bodies.length - messages.length - poison.length;

    const real = depsFor(env, {});
    let calls = 0;
    let transient = 0;
    let crashes = 0;
    // The learner's object fails some calls before it applies (a lost request) and some after it
    // committed (a lost answer): the message is retried either way.
    const deps = {
      ...real,
      learner: (id: string) => {
        const object = real.learner(id);
        return {
          async apply(learner: string, message: EventMessage, subject: EventSubject) {
            calls++;
            if (calls % 17 === 0) {
              transient++;
              throw new Error('simulated network failure before the object applied the event');
            }
            const applied = await object.apply(learner, message, subject);
            if (calls % 23 === 0) {
              crashes++;
              throw new Error('simulated crash after commit, before ack');
            }
            return applied;
          },
        } as unknown as ReturnType<typeof real.learner>;
      },
    };

    let queue = bodies.map((body, i) => ({ id: `m-${i}`, body, attempts: 1 }));
    let rounds = 0;
    while (queue.length > 0 && rounds < 20) {
      rounds++;
      const next: typeof queue = [];
      for (let i = 0; i < queue.length; i += 100) {
        const slice = queue.slice(i, i + 100);
        const batch = createMessageBatch(
          QUEUES.events,
          slice.map((m) => ({ id: m.id, timestamp: new Date(), attempts: m.attempts, body: m.body })),
        );
        const ctx = createExecutionContext();
        await consumeBatch(batch, deps);
        const result = await getQueueResult(batch, ctx);
        const retried = new Set(result.retryMessages.map((m) => m.msgId));
        for (const m of slice) if (retried.has(m.id)) next.push({ ...m, attempts: m.attempts + 1 });
      }
      queue = next;
    }
    expect(queue).toEqual([]);
    expect(transient).toBeGreaterThan(0);
    expect(crashes).toBeGreaterThan(0);
    expect(duplicates).toBeGreaterThan(50);

    expect(await learnerSql(learnerId, 'SELECT count(*) AS n FROM events')).toEqual([{ n: 1000 }]);
    const rejected = await env.DB.prepare('SELECT count(*) AS n FROM event_rejections').first<{ n: number }>();
    expect(rejected?.n).toBe(poison.length);

    const lessons = await learnerSql(
      learnerId,
      'SELECT lesson_slug, started_at, completed_at, active_seconds, last_activity_at FROM lesson_progress ORDER BY lesson_slug',
    );
    const expectedLessons = [...truth.lessons.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([slug, l]) => ({
        lesson_slug: slug,
        started_at: l.started,
        completed_at: l.completed,
        active_seconds: l.seconds,
        last_activity_at: l.last,
      }));
    expect(lessons).toEqual(expectedLessons);

    const days = await learnerSql<{ day: string; active_seconds: number; events: number }>(
      learnerId,
      'SELECT day, active_seconds, events FROM daily_activity ORDER BY day',
    );
    const expectedDays = [...truth.days.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([day, d]) => ({ day, active_seconds: d.seconds, events: d.events }));
    expect(days).toEqual(expectedDays);
    expect(days.reduce((n, d) => n + d.events, 0)).toBe(1000);

    // Graded answers: each in the learner's history once, with the right grade.
    const answers = await learnerSql<{ concept_id: string; correct: number }>(
      learnerId,
      'SELECT concept_id, correct FROM attempts ORDER BY rowid',
    );
    const expectedQuiz = [...truth.quiz.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    const counted = new Map<string, { attempts: number; correct: number }>();
    for (const a of answers) {
      const c = counted.get(a.concept_id) ?? { attempts: 0, correct: 0 };
      counted.set(a.concept_id, { attempts: c.attempts + 1, correct: c.correct + a.correct });
    }
    expect([...counted.entries()].sort(([a], [b]) => (a < b ? -1 : 1))).toEqual(expectedQuiz);
    // All arrived within a day, and each concept has one item: every answer is counted, but its first committed
    // answer is the only evidence (later ones follow the shown answer), so P(known) is BKT of that one answer.
    const mastery = await learnerSql<{ concept_id: string; p_known: number; attempts: number; correct: number }>(
      learnerId,
      'SELECT concept_id, p_known, attempts, correct FROM concept_mastery ORDER BY concept_id',
    );
    expect(mastery.map((m) => m.concept_id)).toEqual(expectedQuiz.map(([c]) => c));
    for (const m of mastery) {
      const first = answers.find((a) => a.concept_id === m.concept_id);
      expect({ attempts: m.attempts, correct: m.correct }).toEqual(counted.get(m.concept_id));
      expect(m.p_known).toBeCloseTo(bktUpdate(DEFAULT_BKT.prior, first?.correct === 1, DEFAULT_BKT), 12);
    }
    expect(await learnerSql(learnerId, 'SELECT sum(reps) AS reps FROM review_cards')).toEqual([{ reps: answers.length }]);
  }, 60_000);

  it('keeps messages that ran out of retries for a replay', async () => {
    consoleErrors.expect();
    const batch = createMessageBatch(QUEUES.eventsDlq, [
      { id: 'd-1', timestamp: new Date(), attempts: 1, body: { some: 'event' } },
    ]);
    const ctx = createExecutionContext();
    await consumeBatch(batch, depsFor(env, {}));
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(['d-1']);
    const row = await env.DB.prepare('SELECT body FROM event_dead_letters').first<{ body: string }>();
    expect(JSON.parse(row?.body ?? 'null')).toEqual({ some: 'event' });
  });
});

describe('replaying dead letters', () => {
  it('sends kept dead letters back to the queue, where each is applied once, and forgets them', async () => {
    const { learnerId } = await givenLearner(null);
    const key = await givenAuthorKey();
    await push(await buildCourse(2), key);
    const event = {
      eventId: crypto.randomUUID(),
      type: 'lesson.active_time',
      lessonSlug: 'lesson-1',
      seconds: 30,
      occurredAt: '2026-11-02T09:00:00Z',
    };
    const body = JSON.stringify({ learnerId, receivedAt: '2026-11-02T09:00:01.000Z', event });
    // The same event dead-lettered twice (two copies ran out of retries).
    await env.DB.batch([
      env.DB.prepare('INSERT INTO event_dead_letters (dead_at, body) VALUES (?, ?)').bind('2026-11-02T10:00:00Z', body),
      env.DB.prepare('INSERT INTO event_dead_letters (dead_at, body) VALUES (?, ?)').bind('2026-11-02T10:00:01Z', body),
    ]);
    const replayed = await api('/api/admin/events/replay-dlq', { method: 'POST', key });
    expect(await replayed.json()).toEqual({ replayed: 2, remaining: 0 });
    const started = Date.now();
    let row: unknown = null;
    while (!row && Date.now() - started < 8000) {
      [row] = await learnerSql(learnerId, 'SELECT active_seconds FROM lesson_progress');
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(await learnerSql(learnerId, 'SELECT active_seconds FROM lesson_progress')).toEqual([{ active_seconds: 30 }]);
    expect(await (await api('/api/admin/events/replay-dlq', { method: 'POST', key })).json()).toEqual({
      replayed: 0,
      remaining: 0,
    });
    expect((await api('/api/admin/events/replay-dlq', { method: 'POST' })).status).toBe(401);
  });
});

describe('POST /api/events', () => {
  it('queues a batch that the real EVENTS consumer applies once, even when sent twice', async () => {
    await push(await buildCourse(2), await givenAuthorKey());
    const { learnerId, token } = await givenLearner(null);
    const startedAt = new Date(Date.now() - 3600_000).toISOString();
    const events = [
      { eventId: crypto.randomUUID(), type: 'lesson.started', lessonSlug: 'lesson-1', occurredAt: startedAt },
      {
        eventId: crypto.randomUUID(),
        type: 'lesson.active_time',
        lessonSlug: 'lesson-1',
        seconds: 45,
        occurredAt: new Date(Date.now() - 3555_000).toISOString(),
      },
    ];
    for (let i = 0; i < 2; i++) {
      const response = await api('/api/events', { method: 'POST', key: token, json: { events } });
      expect(response.status).toBe(202);
      expect(await response.json()).toEqual({ accepted: 2 });
    }
    const started = Date.now();
    // Both copies of both events delivered: 4 messages, 2 applied.
    while (Date.now() - started < 8000) {
      const [applied] = await learnerSql<{ n: number }>(learnerId, 'SELECT count(*) AS n FROM events');
      if (applied?.n === 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // Give the duplicate deliveries a moment to (not) add anything.
    await new Promise((r) => setTimeout(r, 500));
    expect(await learnerSql(learnerId, 'SELECT active_seconds, started_at FROM lesson_progress')).toEqual([
      { active_seconds: 45, started_at: startedAt },
    ]);
    expect(await learnerSql(learnerId, 'SELECT events FROM daily_activity')).toEqual([{ events: 2 }]);
  });

  it('runs the same checks as the HTTP routes: events about lessons or items not in the course change nothing', async () => {
    consoleErrors.expect();
    await push(await buildCourse(2), await givenAuthorKey());
    const { learnerId, token } = await givenLearner(null);
    const at = new Date().toISOString();
    const events = [
      { eventId: crypto.randomUUID(), type: 'lesson.completed', lessonSlug: 'no-such-lesson', occurredAt: at },
      { eventId: crypto.randomUUID(), type: 'lesson.active_time', lessonSlug: 'no-such-lesson', seconds: 30, occurredAt: at },
      { eventId: crypto.randomUUID(), type: 'quiz.attempted', itemId: 'no-such-item', answer: 0, occurredAt: at },
      {
        eventId: crypto.randomUUID(),
        type: 'recommendation.feedback',
        recommendationId: 'lesson:no-such-lesson',
        action: 'accepted',
        occurredAt: at,
      },
    ];
    expect((await api('/api/events', { method: 'POST', key: token, json: { events } })).status).toBe(202);
    const started = Date.now();
    let rejected = 0;
    while (rejected < events.length && Date.now() - started < 8000) {
      await new Promise((r) => setTimeout(r, 100));
      rejected = (await env.DB.prepare('SELECT count(*) AS n FROM event_rejections').first<{ n: number }>())?.n ?? 0;
    }
    expect(rejected).toBe(events.length);
    for (const table of ['events', 'lesson_progress', 'attempts', 'recommendation_feedback', 'outbox']) {
      expect(await learnerSql(learnerId, `SELECT count(*) AS n FROM ${table}`)).toEqual([{ n: 0 }]);
    }
    // The HTTP routes answer the same events with 404.
    const feedback = await api('/api/recommendations/lesson:no-such-lesson/feedback', {
      method: 'POST',
      key: token,
      json: { eventId: crypto.randomUUID(), action: 'accepted' },
    });
    expect(feedback.status).toBe(404);
  });

  it.each([
    [
      'a time a year ago',
      {
        events: [
          {
            eventId: crypto.randomUUID(),
            type: 'lesson.started',
            lessonSlug: 'x',
            occurredAt: new Date(Date.now() - 365 * 86_400_000).toISOString(),
          },
        ],
      },
      'json/events/0/occurredAt',
    ],
    [
      'a time in year 9999',
      { events: [{ eventId: crypto.randomUUID(), type: 'lesson.started', lessonSlug: 'x', occurredAt: '9999-01-01T00:00:00Z' }] },
      'json/events/0/occurredAt',
    ],
    [
      'a bad timestamp',
      { events: [{ eventId: crypto.randomUUID(), type: 'lesson.started', lessonSlug: 'x', occurredAt: 'yesterday' }] },
      'json/events/0/occurredAt',
    ],
    [
      'a bad event id',
      { events: [{ eventId: '42', type: 'lesson.started', lessonSlug: 'x', occurredAt: '2026-11-01T10:00:00Z' }] },
      'json/events/0/eventId',
    ],
    [
      'an unknown type',
      { events: [{ eventId: crypto.randomUUID(), type: 'lesson.danced', occurredAt: '2026-11-01T10:00:00Z' }] },
      'json/events/0/type',
    ],
    ['no events', { events: [] }, 'json/events'],
    [
      '101 events',
      {
        events: Array.from({ length: 101 }, () => ({
          eventId: crypto.randomUUID(),
          type: 'lesson.started',
          lessonSlug: 'x',
          occurredAt: '2026-11-01T10:00:00Z',
        })),
      },
      'json/events',
    ],
  ])('answers %s with 400 naming the field, and queues nothing', async (_case, json, field) => {
    const { token } = await givenLearner(null);
    const response = await api('/api/events', { method: 'POST', key: token, json });
    expect(response.status).toBe(400);
    expect((await response.json<Problem>()).errors?.map((e) => e.field)).toContain(field);
  });

  it('needs a learner token', async () => {
    expect((await api('/api/events', { method: 'POST', json: { events: [] } })).status).toBe(401);
  });
});
