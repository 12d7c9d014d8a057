import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { depsFor } from '../../deps';
import { seededRandom } from '../../platform/seeded-random';
import { consumeBatch } from '../../queues/consumer';
import { QUEUES } from '../../queues/messages';
import {
  api,
  buildCourse,
  d1Rows,
  DELIVERY,
  givenAuthorKey,
  givenLearner,
  learnerSql,
  push,
  withAggregatesQueue,
} from '../../test/builders';
import { consoleErrors } from '../../test/console';
import { packDeltas, type AggregateMessage, type Delta } from './aggregates.schemas';

/** Flushes a learner's object into a list instead of the queue, so the test delivers (and redelivers) it. */
async function captureFlush(learnerId: string): Promise<AggregateMessage[]> {
  const captured: AggregateMessage[] = [];
  const sendBatch = (messages: { body: unknown }[]) => {
    captured.push(...messages.map((m) => m.body as AggregateMessage));
    return Promise.resolve();
  };
  await withAggregatesQueue(learnerId, sendBatch, (instance) => instance.flush());
  return captured;
}

/** One order for both sides (ids mix cases and dashes, which locale order and SQLite order differently). */
const byLearner = (a: { learner_id: string }, b: { learner_id: string }) =>
  a.learner_id < b.learner_id ? -1 : a.learner_id > b.learner_id ? 1 : 0;

/** What the shared aggregates must hold, counted again from the learners' own objects. */
async function recount(learnerIds: string[]) {
  const stats = new Map<string, { accepted: number; dismissed: number; completed: number }>();
  const activity = new Map<string, { seconds: number; heartbeats: number }>();
  const completions: string[] = [];
  let attempts = 0;
  // Each learner's row of the daily rollup, summed over days.
  const perLearner: {
    learner_id: string;
    active_seconds: number;
    completions: number;
    attempts: number;
    recs_accepted: number;
  }[] = [];
  for (const id of learnerIds) {
    const mine = { learner_id: id, active_seconds: 0, completions: 0, attempts: 0, recs_accepted: 0 };
    perLearner.push(mine);
    const events = await learnerSql<{ type: string; payload: string; occurred_at: string }>(
      id,
      'SELECT type, payload, occurred_at FROM events',
    );
    for (const e of events) {
      const payload = JSON.parse(e.payload) as {
        recommendationId?: string;
        action?: string;
        lessonSlug?: string;
        seconds?: number;
      };
      if (e.type === 'lesson.active_time' && payload.lessonSlug) {
        const key = `${payload.lessonSlug}|${e.occurred_at.slice(0, 10)}`;
        const a = activity.get(key) ?? { seconds: 0, heartbeats: 0 };
        activity.set(key, { seconds: a.seconds + Math.min(payload.seconds ?? 0, 60), heartbeats: a.heartbeats + 1 });
        mine.active_seconds += Math.min(payload.seconds ?? 0, 60);
      }
    }
    // Feedback counts once per learner, recommendation and action.
    for (const f of await learnerSql<{ recommendation_id: string; counted: string }>(
      id,
      'SELECT recommendation_id, counted FROM recommendation_feedback',
    )) {
      const s = stats.get(f.recommendation_id) ?? { accepted: 0, dismissed: 0, completed: 0 };
      for (const action of f.counted.split(',').filter(Boolean)) s[action as keyof typeof s]++;
      if (f.counted.split(',').includes('accepted')) mine.recs_accepted++;
      stats.set(f.recommendation_id, s);
    }
    const done = await learnerSql<{ lesson_slug: string }>(
      id,
      'SELECT lesson_slug FROM lesson_progress WHERE completed_at IS NOT NULL',
    );
    completions.push(...done.map((d) => `${id}|${d.lesson_slug}`));
    mine.completions = done.length;
    // All answered within a day: only each item's first answer is evidence, and only evidence is shared.
    mine.attempts = (await learnerSql<{ n: number }>(id, 'SELECT count(DISTINCT item_id) AS n FROM attempts'))[0]?.n ?? 0;
    attempts += mine.attempts;
  }
  return {
    stats: [...stats]
      .map(([id, s]) => ({ recommendation_id: id, ...s }))
      .sort((a, b) => a.recommendation_id.localeCompare(b.recommendation_id)),
    activity: [...activity]
      .map(([key, a]) => ({ key, active_seconds: a.seconds, heartbeats: a.heartbeats }))
      .sort((a, b) => a.key.localeCompare(b.key)),
    completions: completions.sort(),
    attempts,
    perLearner: perLearner.sort(byLearner),
  };
}

async function shared() {
  const rows = async <T>(sql: string) => (await env.DB.prepare(sql).all<T>()).results;
  return {
    stats: await rows(
      'SELECT recommendation_id, accepted, dismissed, completed FROM recommendation_stats ORDER BY recommendation_id',
    ),
    activity: (
      await rows<{ lesson_slug: string; day: string; active_seconds: number; heartbeats: number }>(
        'SELECT lesson_slug, day, active_seconds, heartbeats FROM lesson_activity_daily',
      )
    )
      .map((r) => ({ key: `${r.lesson_slug}|${r.day}`, active_seconds: r.active_seconds, heartbeats: r.heartbeats }))
      .sort((a, b) => a.key.localeCompare(b.key)),
    completions: (
      await rows<{ learner_id: string; lesson_slug: string }>('SELECT learner_id, lesson_slug FROM lesson_completions')
    )
      .map((r) => `${r.learner_id}|${r.lesson_slug}`)
      .sort(),
    attempts: (await rows<{ n: number }>('SELECT count(*) AS n FROM attempt_log'))[0]?.n ?? 0,
    perLearner: (
      await rows<{ learner_id: string }>(
        `SELECT learner_id, sum(active_seconds) AS active_seconds, sum(completions) AS completions, sum(attempts) AS attempts,
           sum(recs_accepted) AS recs_accepted
         FROM learner_activity_daily GROUP BY learner_id`,
      )
    ).sort(byLearner),
  };
}

describe('the aggregates consumer', () => {
  it('leaves the shared aggregates equal to a recount after duplicates, crashes after commit and failures', async () => {
    consoleErrors.expect();
    await push(await buildCourse(6), await givenAuthorKey());
    const rand = seededRandom(11);
    const learners: string[] = [];
    const messages: AggregateMessage[] = [];
    for (let l = 0; l < 4; l++) {
      const { token, learnerId } = await givenLearner(null);
      learners.push(learnerId);
      // Every lesson was offered to them, so feedback on any is taken.
      await learnerSql(
        learnerId,
        `INSERT INTO recommendation_offers (recommendation_id, course_id, offered_at)
         SELECT 'lesson:lesson-' || value, 'test-course', '2026-01-01T00:00:00.000Z' FROM json_each('[1,2,3,4,5,6]')`,
      );
      for (let i = 0; i < 25; i++) {
        const slug = `lesson-${1 + Math.floor(rand() * 6)}`;
        const eventId = crypto.randomUUID();
        const pick = rand();
        if (pick < 0.3) {
          await api(`/api/progress/lessons/${slug}/time`, {
            method: 'PUT',
            key: token,
            json: { eventId, seconds: 20 + Math.floor(rand() * 80) },
          });
        } else if (pick < 0.5) {
          await api(`/api/progress/lessons/${slug}/complete`, { method: 'POST', key: token, json: { eventId } });
        } else if (pick < 0.75) {
          const json = { eventId, itemId: `${slug}-q1`, answer: Math.floor(rand() * 3) };
          await api('/api/quizzes/attempts', { method: 'POST', key: token, json });
        } else {
          const action = (['accepted', 'dismissed', 'completed'] as const)[Math.floor(rand() * 3)];
          await api(`/api/recommendations/lesson:${slug}/feedback`, { method: 'POST', key: token, json: { eventId, action } });
        }
        // The object flushes every few events, as its alarm would: several messages per learner.
        if (i % 5 === 4) messages.push(...(await captureFlush(learnerId)));
      }
    }
    expect(messages.length).toBeGreaterThan(0);
    // Every message delivered twice, in shuffled order, with a poison message among them.
    const bodies: unknown[] = [...messages, ...messages].sort(() => rand() - 0.5);
    bodies.push({ learnerId: learners[0], deltas: [{ kind: 'feedback', seq: 1, recommendationId: 'x', action: 'loved' }] });

    const real = depsFor(env, {});
    let calls = 0;
    let failures = 0;
    let crashes = 0;
    const deps = {
      ...real,
      aggregates: {
        ...real.aggregates,
        async apply(batch: readonly AggregateMessage[], attempt: string, now: string) {
          calls++;
          if (calls % 3 === 0) {
            failures++;
            throw new Error('D1_ERROR: simulated failure before commit');
          }
          await real.aggregates.apply(batch, attempt, now);
          if (calls % 4 === 0) {
            crashes++;
            throw new Error('simulated crash after commit, before ack');
          }
        },
      },
    };
    // Queue batches of 3: each consumer call writes its messages together.
    let queue = bodies.map((body, i) => ({ id: `a-${i}`, body, attempts: 1 }));
    for (let round = 0; queue.length > 0 && round < 40; round++) {
      const next: typeof queue = [];
      for (let i = 0; i < queue.length; i += 3) {
        const slice = queue.slice(i, i + 3);
        const batch = createMessageBatch(
          QUEUES.aggregates,
          slice.map((m) => ({ id: m.id, timestamp: new Date(), attempts: m.attempts, body: m.body })),
        );
        const ctx = createExecutionContext();
        await consumeBatch(batch, deps);
        const retried = new Set((await getQueueResult(batch, ctx)).retryMessages.map((m) => m.msgId));
        next.push(...slice.filter((m) => retried.has(m.id)).map((m) => ({ ...m, attempts: m.attempts + 1 })));
      }
      queue = next;
    }
    expect(queue).toEqual([]);
    expect(failures).toBeGreaterThan(0);
    expect(crashes).toBeGreaterThan(0);
    const expected = await recount(learners);
    expect(expected.attempts).toBeGreaterThan(0);
    expect(expected.stats.length).toBeGreaterThan(0);
    expect(expected.activity.length).toBeGreaterThan(0);
    expect(await shared()).toEqual(expected);
    // Co-completion was kept as completions and answers arrived, out of order and twice: a rebuild finds the same pairs.
    const pairs = () =>
      d1Rows('SELECT lesson_slug, next_slug, base, learners, successes FROM lesson_pairs ORDER BY lesson_slug, next_slug');
    const incremental = await pairs();
    expect(incremental.length).toBeGreaterThan(0);
    await real.recommend.refreshPairs();
    expect(incremental).toEqual(await pairs());
    const rejected = await env.DB.prepare('SELECT count(*) AS n FROM event_rejections').first<{ n: number }>();
    expect(rejected?.n).toBe(1);
    // Shared rows keep no more than they need: the activity rollup has no learner id.
    const columns = await env.DB.prepare("SELECT name FROM pragma_table_info('lesson_activity_daily')").all<{ name: string }>();
    expect(columns.results.map((c) => c.name)).not.toContain('learner_id');
  }, 60_000);

  it('writes a queue batch of many learners in one D1 batch, and retries what is past the invocation budget', async () => {
    consoleErrors.expect();
    const messages = Array.from({ length: 100 }, (_, i) => ({
      id: `m-${i}`,
      timestamp: new Date(),
      attempts: 1,
      body: {
        learnerId: `lrn_bulk${String(i).padStart(16, '0')}`,
        deltas: Array.from({ length: 10 }, (_, k) => ({
          kind: 'feedback',
          seq: k + 1,
          recommendationId: 'lesson:lesson-1',
          action: 'accepted',
        })),
      },
    }));
    const real = depsFor(env, {});
    const sizes: number[] = [];
    const deps = {
      ...real,
      aggregates: {
        ...real.aggregates,
        apply: (batch: readonly AggregateMessage[], attempt: string, now: string) => {
          sizes.push(batch.length);
          return real.aggregates.apply(batch, attempt, now);
        },
      },
    };
    const batch = createMessageBatch(QUEUES.aggregates, messages);
    const ctx = createExecutionContext();
    await consumeBatch(batch, deps);
    const result = await getQueueResult(batch, ctx);
    // 20 statements a message: 20 messages to a D1 batch, 45 in the invocation, the rest retried.
    expect(sizes).toEqual([20, 20, 5]);
    expect(result.explicitAcks).toHaveLength(45);
    expect(result.retryMessages).toHaveLength(55);
    const stats = await env.DB.prepare('SELECT accepted FROM recommendation_stats').first<{ accepted: number }>();
    expect(stats?.accepted).toBe(450);
  });

  it('packs a learner’s deltas 100 to a message, oldest first', () => {
    const deltas: Delta[] = Array.from({ length: 250 }, (_, i) => ({
      kind: 'feedback',
      seq: i + 1,
      recommendationId: 'lesson:x',
      action: 'accepted',
    }));
    const packed = packDeltas('lrn_x', deltas);
    expect(packed.map((m) => m.deltas.length)).toEqual([100, 100, 50]);
    expect(packed.flatMap((m) => m.deltas.map((d) => d.seq))).toEqual(deltas.map((d) => d.seq));
  });

  it('keeps messages that ran out of retries for a replay, and the replay sends them back to their queue', async () => {
    consoleErrors.expect();
    const body: AggregateMessage = {
      learnerId: 'lrn_dlq000000000000000000',
      deltas: [{ kind: 'feedback', seq: 1, recommendationId: 'lesson:lesson-1', action: 'accepted' }],
    };
    const batch = createMessageBatch(QUEUES.aggregatesDlq, [{ id: 'd-1', timestamp: new Date(), attempts: 1, body }]);
    const ctx = createExecutionContext();
    await consumeBatch(batch, depsFor(env, {}));
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(['d-1']);
    const key = await givenAuthorKey({ scopes: ['admin'] });
    expect(await (await api('/api/admin/events/replay-dlq', { method: 'POST', key })).json()).toEqual({
      replayed: 1,
      remaining: 0,
    });
    await expect.poll(() => d1Rows('SELECT accepted FROM recommendation_stats'), DELIVERY).toEqual([{ accepted: 1 }]);
  });
});
