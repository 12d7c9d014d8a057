import { env, runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import type { Problem } from '../../http/problem';
import {
  api,
  buildCourse,
  d1Rows,
  DELIVERY,
  flushLearners,
  givenAuthorKey,
  givenLearner,
  givenTwoCourses,
  learnerHandle,
  learnerSql,
  push,
} from '../../test/builders';
import { depsFor } from '../../deps';
import { createRecommendStore } from './recommend.store';
import { CANDIDATE_STATS_SQL } from './recommend.shared';
import { offerChance } from './engagement.domain';

/** Six lessons in a chain (lesson-n needs lesson-(n-1)); parts basics (1-3) and deeper (4-6). */
async function givenCourse() {
  const key = await givenAuthorKey();
  await push(await buildCourse(6), key);
  return key;
}

interface Item {
  id: string;
  kind: string;
  lessonSlug: string;
  score: number;
  reasons: { code: string; text: string }[];
}
const recommendations = async (token: string, query = '') => {
  const response = await api(`/api/recommendations${query}`, { key: token });
  expect(response.status).toBe(200);
  return { body: await response.json<{ items: Item[]; cached: boolean }>(), timing: response.headers.get('server-timing') ?? '' };
};
/** The test's D1, noting each statement it is asked to prepare in `asked`. */
const recordingD1 = (asked: string[]) =>
  new Proxy(env.DB, {
    get(target, prop) {
      if (prop === 'prepare') {
        return (query: string) => {
          asked.push(query);
          return target.prepare(query);
        };
      }
      const value: unknown = Reflect.get(target, prop);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
const complete = (token: string, slug: string) =>
  api(`/api/progress/lessons/${slug}/complete`, { method: 'POST', key: token, json: { eventId: crypto.randomUUID() } });
const feedback = (token: string, id: string, json: unknown) =>
  api(`/api/recommendations/${id}/feedback`, { method: 'POST', key: token, json });

describe('recommendations', () => {
  it('start a new learner at the first lesson, then answer a repeat from one cache read', async () => {
    await givenCourse();
    const { token } = await givenLearner({ goals: ['basics'] });
    const first = await recommendations(token);
    expect(first.body.cached).toBe(false);
    expect(first.body.items.map((i) => i.id)).toEqual(['lesson:lesson-1']);
    expect(first.body.items[0]?.reasons.map((r) => r.code)).toEqual(['start_here', 'goal']);
    const again = await recommendations(token);
    expect(again.body).toEqual({ ...first.body, cached: true });
    expect(again.timing).toContain('d1;desc="0 queries"');
    expect(again.timing).toContain('kv;desc="1 reads"');
  });

  it('rank again after the learner completes a lesson: the next lesson and its quiz', async () => {
    await givenCourse();
    const { token } = await givenLearner({ goals: ['basics'] });
    await recommendations(token);
    await complete(token, 'lesson-1');
    const next = await recommendations(token);
    expect(next.body.cached).toBe(false);
    expect(next.body.items.map((i) => i.id)).toEqual(['lesson:lesson-2', 'quiz:lesson-1']);
    expect(next.body.items[0]?.reasons).toContainEqual({
      code: 'builds_on',
      text: 'Builds on Lesson 1, which you have completed',
    });
    // A heartbeat changes no ranking: the cached list stays.
    await api('/api/progress/lessons/lesson-2/time', {
      method: 'PUT',
      key: token,
      json: { eventId: crypto.randomUUID(), seconds: 30 },
    });
    expect((await recommendations(token)).body.cached).toBe(true);
  });

  it('keep a dismissed item away; feedback counts once per eventId', async () => {
    await givenCourse();
    const { token, learnerId } = await givenLearner({ goals: ['basics'] });
    await complete(token, 'lesson-1');
    await recommendations(token);
    const eventId = crypto.randomUUID();
    expect(await (await feedback(token, 'lesson:lesson-2', { eventId, action: 'dismissed' })).json()).toEqual({ applied: true });
    expect(await (await feedback(token, 'lesson:lesson-2', { eventId, action: 'dismissed' })).json()).toEqual({ applied: false });
    const items = (await recommendations(token)).body.items.map((i) => i.id);
    expect(items).not.toContain('lesson:lesson-2');
    expect(items).toContain('quiz:lesson-1');
    // The shared count follows through the learner object's outbox and the AGGREGATES queue, once.
    await flushLearners(learnerId);
    await vi.waitFor(
      async () => {
        const stats = await env.DB.prepare('SELECT accepted, dismissed FROM recommendation_stats WHERE recommendation_id = ?')
          .bind('lesson:lesson-2')
          .first();
        expect(stats).toEqual({ accepted: 0, dismissed: 1 });
      },
      { timeout: 8000, interval: 100 },
    );
  });

  it('undo a dismissal: the item comes back at once and the dismissal leaves the shared count, however often it is toggled', async () => {
    await givenCourse();
    const { token, learnerId } = await givenLearner({ goals: ['basics'] });
    await complete(token, 'lesson-1');
    await recommendations(token);
    const toggle = (action: string) => feedback(token, 'lesson:lesson-2', { eventId: crypto.randomUUID(), action });
    for (let i = 0; i < 3; i++) {
      expect((await toggle('dismissed')).status).toBe(200);
      expect((await recommendations(token)).body.items.map((i) => i.id)).not.toContain('lesson:lesson-2');
      expect((await toggle('restored')).status).toBe(200);
      expect((await recommendations(token)).body.items.map((i) => i.id)).toContain('lesson:lesson-2');
    }
    // Restoring what was never dismissed (or was accepted since) changes nothing.
    expect((await feedback(token, 'quiz:lesson-1', { eventId: crypto.randomUUID(), action: 'accepted' })).status).toBe(200);
    expect((await feedback(token, 'quiz:lesson-1', { eventId: crypto.randomUUID(), action: 'restored' })).status).toBe(200);
    expect(
      await learnerSql(learnerId, 'SELECT recommendation_id, action, counted FROM recommendation_feedback ORDER BY 1'),
    ).toEqual([
      { recommendation_id: 'lesson:lesson-2', action: 'restored', counted: '' },
      { recommendation_id: 'quiz:lesson-1', action: 'accepted', counted: 'accepted,' },
    ]);
    await flushLearners(learnerId);
    await vi.waitFor(
      async () => {
        const stats = await env.DB.prepare(
          'SELECT recommendation_id, accepted, dismissed FROM recommendation_stats ORDER BY recommendation_id',
        ).all();
        expect(stats.results).toEqual([
          { recommendation_id: 'lesson:lesson-2', accepted: 0, dismissed: 0 },
          { recommendation_id: 'quiz:lesson-1', accepted: 1, dismissed: 0 },
        ]);
      },
      { timeout: 8000, interval: 100 },
    );
  });

  it('take feedback only on what the learner was offered, and count each action once per learner in the shared statistics', async () => {
    await givenCourse();
    const { token, learnerId } = await givenLearner({ goals: ['basics'] });
    // Never offered (lesson-4 needs lessons 1-3): 404, stored nowhere. Nor a made-up id.
    for (const id of ['lesson:lesson-4', 'lesson:no-such-lesson', 'quiz:lesson-1']) {
      const refused = await feedback(token, id, { eventId: crypto.randomUUID(), action: 'dismissed' });
      expect(refused.status, id).toBe(404);
      expect((await refused.json<Problem>()).detail, id).toContain('was not offered');
    }
    expect(await learnerSql(learnerId, 'SELECT count(*) AS n FROM recommendation_feedback')).toEqual([{ n: 0 }]);

    expect((await recommendations(token)).body.items.map((i) => i.id)).toEqual(['lesson:lesson-1']);
    // 30 dismissals and 30 acceptances of the one offered lesson, each with its own eventId.
    for (let i = 0; i < 30; i++) {
      for (const action of ['dismissed', 'accepted']) {
        expect((await feedback(token, 'lesson:lesson-1', { eventId: crypto.randomUUID(), action })).status).toBe(200);
      }
    }
    expect(await learnerSql(learnerId, 'SELECT action, counted FROM recommendation_feedback')).toEqual([
      { action: 'accepted', counted: 'dismissed,accepted,' },
    ]);
    await flushLearners(learnerId);
    await vi.waitFor(
      async () => {
        const stats = await env.DB.prepare('SELECT accepted, dismissed FROM recommendation_stats WHERE recommendation_id = ?')
          .bind('lesson:lesson-1')
          .first();
        expect(stats).toEqual({ accepted: 1, dismissed: 1 });
      },
      { timeout: 8000, interval: 100 },
    );
    // The same through the event batch path: refused when not offered (logged as a rejection), once when offered.
    const batch = await api('/api/events', {
      method: 'POST',
      key: token,
      json: {
        events: [
          {
            eventId: crypto.randomUUID(),
            type: 'recommendation.feedback',
            recommendationId: 'lesson:lesson-5',
            action: 'dismissed',
            occurredAt: new Date().toISOString(),
          },
        ],
      },
    });
    expect(batch.status).toBe(202);
    await vi.waitFor(
      async () => {
        const rejected = await env.DB.prepare('SELECT count(*) AS n FROM event_rejections WHERE instr(body, ?) > 0')
          .bind(learnerId)
          .first<{ n: number }>();
        expect(rejected?.n).toBe(1);
      },
      { timeout: 8000, interval: 100 },
    );
    expect(await learnerSql(learnerId, 'SELECT count(*) AS n FROM recommendation_feedback')).toEqual([{ n: 1 }]);
  }, 30_000);

  it('give offered lessons a completion chance, and log each offer as completed within its week or not', async () => {
    await givenCourse();
    const { token, learnerId } = await givenLearner({ goals: ['basics'] });
    const pending = () =>
      learnerSql(
        learnerId,
        'SELECT recommendation_id AS id, pending_since AS since, pending_chance AS chance FROM recommendation_offers',
      );
    const [first] = (await recommendations(token)).body.items as (Item & { completionChance?: number })[];
    expect(first?.id).toBe('lesson:lesson-1');
    // No one has started a lesson yet: the course's prior finish rate, at the prior pace (a lesson a week).
    expect(first?.completionChance).toBe(offerChance(0.7, 1, 0));
    const [row] = await pending();
    expect([row?.id, typeof row?.since, row?.chance]).toEqual(['lesson:lesson-1', 'string', first?.completionChance]);

    // Completed within the week: a positive outcome with the chance it was offered with.
    await complete(token, 'lesson-1');
    expect((await pending()).filter((r) => r.since !== null)).toEqual([]);
    const [next] = (await recommendations(token)).body.items;
    expect(next?.id).toBe('lesson:lesson-2');
    const [offered] = (await pending()).filter((r) => r.id === 'lesson:lesson-2');
    // Offered again within its week, it keeps its first time and chance.
    const option = {
      features: { goal: 1, goalPath: 0, layer: 1, gap: 0, collaborative: 0, similar: 0, order: 1, engagement: 0.42 },
      bonus: 0,
    };
    const course = (await d1Rows('SELECT id FROM courses'))[0]?.id as string;
    await learnerHandle(learnerId).offer(
      learnerId,
      [{ id: 'lesson:lesson-2', reason: 'goal', option, chance: 0.42 }],
      course,
      new Date().toISOString(),
    );
    expect((await pending()).filter((r) => r.id === 'lesson:lesson-2')).toEqual([offered]);

    // A week passes without it: the object's alarm logs it as not completed, even if the learner never comes back.
    const weekAgo = new Date(Date.now() - 8 * 86_400_000).toISOString();
    await learnerSql(
      learnerId,
      "UPDATE recommendation_offers SET pending_since = ? WHERE recommendation_id = 'lesson:lesson-2'",
      weekAgo,
    );
    expect(await runDurableObjectAlarm(learnerHandle(learnerId))).toBe(true);
    expect((await pending()).filter((r) => r.since !== null)).toEqual([]);
    await vi.waitFor(async () => {
      const rows = await d1Rows(
        "SELECT sum(n) AS n, sum(positives) AS positives, sum(sum_predicted) AS predicted FROM prediction_bins WHERE model = 'lesson_engagement'",
      );
      expect([rows[0]?.n, rows[0]?.positives]).toEqual([2, 1]);
      expect(rows[0]?.predicted).toBeCloseTo((first?.completionChance ?? 0) + (offered?.chance as number), 6);
    }, DELIVERY);
  }, 30_000);

  it('read only the statistics of recommendations the course can make, however many rows others left', async () => {
    await givenCourse();
    const junk = Array.from({ length: 500 }, (_, i) => `('lesson:junk-${i}', 0, 1000, 0)`).join(', ');
    await env.DB.prepare(
      `INSERT INTO recommendation_stats (recommendation_id, accepted, dismissed, completed) VALUES ${junk}`,
    ).run();
    await env.DB.prepare(
      "INSERT INTO recommendation_stats (recommendation_id, accepted, dismissed, completed) VALUES ('lesson:lesson-2', 3, 1, 0)",
    ).run();
    const read = await env.DB.prepare(CANDIDATE_STATS_SQL).bind(null).all();
    expect(read.results).toEqual([{ recommendation_id: 'lesson:lesson-2', accepted: 3, dismissed: 1 }]);
    // Six lessons and one lookup each: nowhere near the 500 junk rows.
    expect(read.meta.rows_read).toBeLessThan(60);
    // And the ranking asks D1 for those statistics with that query and no other.
    const { token, learnerId } = await givenLearner({ goals: ['basics'] });
    const asked: string[] = [];
    const d1 = recordingD1(asked);
    const context = await createRecommendStore(d1, depsFor(env, {}).learner).learner(learnerId, new Date());
    expect(asked.filter((q) => q.includes('recommendation_stats'))).toEqual([CANDIDATE_STATS_SQL]);
    expect([...context.signals.feedback.keys()]).toEqual(['lesson:lesson-2']);
    expect((await api('/api/recommendations', { key: token })).status).toBe(200);
  });

  it('read what all learners share once a window per isolate (RANKING_STATS_TTL_MS), and only what is not kept', async () => {
    await givenCourse();
    await env.DB.prepare(
      "INSERT INTO lesson_pairs (lesson_slug, next_slug, base, learners, successes) VALUES ('lesson-1', 'lesson-2', 4, 2, 1), ('lesson-1', 'lesson-3', 0, 0, 0)",
    ).run();
    const [a, b] = [await givenLearner({ goals: ['basics'] }), await givenLearner({ goals: ['basics'] })];
    await complete(a.token, 'lesson-1');
    await complete(b.token, 'lesson-1');
    const asked: string[] = [];
    const d1 = recordingD1(asked);
    const { learner } = depsFor(env, {});
    const trusting = createRecommendStore(d1, learner, 60_000);
    const first = await trusting.learner(a.learnerId, new Date());
    // (learners + successes) / 2 / base; a pair with no base counts as none.
    expect(first.signals.collaborative).toEqual(
      new Map([
        ['lesson-2', 0.375],
        ['lesson-3', 0],
      ]),
    );
    expect(asked.filter((q) => q.includes('recommendation_stats'))).toEqual([CANDIDATE_STATS_SQL]);
    expect(asked.filter((q) => q.includes('lesson_pairs'))).toHaveLength(1);
    // Another learner who completed the same lesson, within the window: nothing is read.
    asked.length = 0;
    const second = await trusting.learner(b.learnerId, new Date());
    expect(asked).toEqual([]);
    expect([second.courseStamp, second.courseId, second.signals.collaborative]).toEqual([
      first.courseStamp,
      first.courseId,
      first.signals.collaborative,
    ]);
    // A store that trusts nothing (the tests' setting) reads everything again and sees a change at once.
    await env.DB.prepare("UPDATE lesson_pairs SET learners = 4 WHERE next_slug = 'lesson-2'").run();
    const third = await createRecommendStore(d1, learner, 0).learner(b.learnerId, new Date());
    expect(asked.filter((q) => q.includes('recommendation_stats'))).toEqual([CANDIDATE_STATS_SQL]);
    expect(third.signals.collaborative.get('lesson-2')).toBe(0.625);
    // A short window: kept within it, read again once it passed.
    asked.length = 0;
    const brief = createRecommendStore(d1, learner, 300);
    await brief.learner(a.learnerId, new Date());
    expect(asked).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 350));
    await brief.learner(a.learnerId, new Date());
    expect(asked.filter((q) => q.includes('recommendation_stats'))).toEqual([CANDIDATE_STATS_SQL]);
  });

  it('answer bad feedback with problems, storing nothing', async () => {
    await givenCourse();
    const { token, learnerId } = await givenLearner({ goals: ['basics'] });
    const cases: [string, unknown, string][] = [
      ['lesson:lesson-2', { action: 'dismissed' }, 'json/eventId'],
      ['lesson:lesson-2', { eventId: crypto.randomUUID(), action: 'loved' }, 'json/action'],
      ['lesson:lesson-2', { eventId: crypto.randomUUID(), action: 'accepted', rating: 9 }, 'json/rating'],
      ['lesson:lesson-2', { eventId: crypto.randomUUID(), action: 'accepted', extra: 1 }, 'json/extra'],
      ['Lesson 2', { eventId: crypto.randomUUID(), action: 'accepted' }, 'param/id'],
    ];
    for (const [id, json, field] of cases) {
      const response = await feedback(token, encodeURIComponent(id), json);
      expect(response.status).toBe(400);
      const problem = await response.json<Problem & { errors: { field: string }[] }>();
      expect(problem.errors.map((e) => e.field).join(' ')).toContain(field);
    }
    expect((await api('/api/recommendations?limit=0', { key: token })).status).toBe(400);
    expect(await learnerSql(learnerId, 'SELECT count(*) AS n FROM recommendation_feedback')).toEqual([{ n: 0 }]);
    expect(
      await learnerSql(learnerId, "SELECT count(*) AS n FROM outbox WHERE json_extract(delta, '$.kind') = 'feedback'"),
    ).toEqual([{ n: 0 }]);
  });

  it('tell a learner what others went on to do, counted as their completions arrive', async () => {
    const key = await givenCourse();
    const others: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { token, learnerId } = await givenLearner({ goals: ['basics'] });
      await complete(token, 'lesson-1');
      await complete(token, 'lesson-2');
      others.push(learnerId);
    }
    // Completions reach the shared table through the learners' objects and the AGGREGATES queue.
    await flushLearners(...others);
    // The consumer counts the pair as the completions arrive: no rebuild is needed.
    await expect
      .poll(async () => d1Rows('SELECT lesson_slug, next_slug, base, learners FROM lesson_pairs'), DELIVERY)
      .toEqual([{ lesson_slug: 'lesson-1', next_slug: 'lesson-2', base: 3, learners: 3 }]);
    // The repair rebuild finds the same one pair.
    const refreshed = await api('/api/admin/recommendations/refresh', { method: 'POST', key });
    expect(await refreshed.json()).toEqual({ pairs: 1 });
    const { token } = await givenLearner({ goals: ['deeper'] });
    await complete(token, 'lesson-1');
    const items = (await recommendations(token)).body.items;
    expect(items.find((i) => i.id === 'lesson:lesson-2')?.reasons.map((r) => r.code)).toContain('collaborative');
    expect((await api('/api/admin/recommendations/refresh', { method: 'POST' })).status).toBe(401);
  });

  it("rank from one call to the learner's object and one D1 batch once the course is read, and see a new push at once", async () => {
    const key = await givenCourse();
    const { token } = await givenLearner({ goals: ['basics'] });
    await recommendations(token);
    await complete(token, 'lesson-1');
    const warm = await recommendations(token);
    // The learner's signals in one call; what all learners share in one batch (stamp, feedback counts, lesson
    // completion counts, co-completion of the one completed lesson, labels of the answered concepts); the course
    // from this isolate's copy. Two calls to the learner's object: the signals, and the record of what was offered
    // (the token was checked lately).
    expect(warm.timing).toContain('d1;desc="4 queries", d1w;desc="0 writes", learner;desc="2 calls"');
    // A push that drops lesson-2's prerequisite changes what a new learner may take.
    await push(await buildCourse(6, { 'lesson-3': { prerequisites: [] } }), key);
    const other = await givenLearner({ goals: ['basics'] });
    const items = (await recommendations(other.token, '?limit=10')).body.items.map((i) => i.id);
    expect(items).toEqual(expect.arrayContaining(['lesson:lesson-1', 'lesson:lesson-3']));
  });

  it('count a prerequisite as met once its quiz shows the concept mastered', async () => {
    const quiz = [1, 2, 3].map((n) => ({
      question: `Q${n}?`,
      choices: ['a', 'b', 'c'],
      answer: 1,
      explanation: 'because',
      concept: 'concept-1',
    }));
    await push(await buildCourse(6, { 'lesson-1': { quiz } }), await givenAuthorKey());
    const { token } = await givenLearner({ goals: ['basics'] });
    for (let i = 1; i <= 3; i++) {
      await api('/api/quizzes/attempts', {
        method: 'POST',
        key: token,
        json: { eventId: crypto.randomUUID(), itemId: `lesson-1-q${i}`, answer: 1 },
      });
    }
    const items = (await recommendations(token, '?limit=10')).body.items;
    const next = items.find((i) => i.id === 'lesson:lesson-2');
    expect(next?.reasons).toContainEqual({ code: 'builds_on', text: 'Builds on Lesson 1, which you have mastered' });
    const path = await (await api('/api/learning-path', { key: token })).json<{ steps: { lessonSlug: string }[] }>();
    expect(path.steps.map((s) => s.lessonSlug)).toEqual(['lesson-2', 'lesson-3']);
  });

  it('offer lessons with unmet prerequisites only when asked to', async () => {
    await givenCourse();
    const { token } = await givenLearner({ goals: ['deeper'] });
    const skipping = (await recommendations(token, '?allowSkips=true&limit=10')).body.items;
    const deeper = skipping.find((i) => i.lessonSlug === 'lesson-4');
    expect(deeper?.reasons.map((r) => r.code)).toEqual(expect.arrayContaining(['skips_prerequisites', 'goal']));
    expect((await recommendations(token, '?limit=10')).body.items.map((i) => i.id)).toEqual(['lesson:lesson-1']);
  });
});

describe('goals and learning paths', () => {
  it('plan the steps to a goal, skipping what is done, and check the target date', async () => {
    await givenCourse();
    const { token } = await givenLearner({ goals: ['basics'], sessionMinutes: 15 });
    const fromOnboarding = await (
      await api('/api/learning-path', { key: token })
    ).json<{
      goal: { source: string; id: string };
      steps: { lessonSlug: string }[];
    }>();
    expect(fromOnboarding.goal).toMatchObject({ source: 'onboarding', id: 'basics' });
    expect(fromOnboarding.steps.map((s) => s.lessonSlug)).toEqual(['lesson-1', 'lesson-2', 'lesson-3']);

    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const put = await api('/api/learners/me/goal', {
      method: 'PUT',
      key: token,
      json: { type: 'lesson', id: 'lesson-5', targetDate: tomorrow },
    });
    expect(await put.json()).toEqual({ type: 'lesson', id: 'lesson-5', targetDate: tomorrow, course: 'test-course' });
    await complete(token, 'lesson-1');
    const path = await (
      await api('/api/learning-path', { key: token })
    ).json<{
      steps: { lessonSlug: string; minutes: number; reason: string }[];
      totalMinutes: number;
      daysNeeded: number;
      reachableByTarget: boolean;
      pace: { minutesPerDay: number; source: string };
    }>();
    expect(path.steps.map((s) => [s.lessonSlug, s.reason])).toEqual([
      ['lesson-2', 'Needed before Lesson 3'],
      ['lesson-3', 'Needed before Lesson 4'],
      ['lesson-4', 'Needed before Lesson 5'],
      ['lesson-5', 'Your goal'],
    ]);
    // Four 10-minute lessons at the 15 minutes a day given at onboarding: 3 days, not by tomorrow.
    expect(path).toMatchObject({
      totalMinutes: 40,
      daysNeeded: 3,
      reachableByTarget: false,
      pace: { minutesPerDay: 15, source: 'onboarding' },
    });
    // The goal lesson's concept: expected once the path reaches lesson-5 (40 minutes) and its answers are given.
    const [concept] = (
      path as unknown as {
        concepts: { concept: string; status: string; lessonSlug: string; minutes: number; answersNeeded: number; date: string }[];
      }
    ).concepts;
    expect(concept).toMatchObject({ concept: 'concept-5', status: 'expected', lessonSlug: 'lesson-5' });
    expect(concept?.minutes).toBe(40 + (concept?.answersNeeded ?? 0));
    expect(concept?.date).toBe(
      new Date(Date.now() + (Math.ceil((concept?.minutes ?? 0) / 15) - 1) * 86_400_000).toISOString().slice(0, 10),
    );
    expect(await (await api('/api/learners/me/goal', { key: token })).json()).toEqual({
      goal: { type: 'lesson', id: 'lesson-5', targetDate: tomorrow, course: 'test-course' },
    });
    // The goal's lessons rank as on the way to it.
    const items = (await recommendations(token)).body.items;
    expect(items[0]?.reasons.map((r) => r.code)).toContain('goal');
  });

  it('refuse a goal that is not in the course, or malformed, naming the field', async () => {
    await givenCourse();
    const { token } = await givenLearner(null);
    const cases: [unknown, string][] = [
      [{ type: 'part', id: 'no-such-part' }, 'json/id'],
      [{ type: 'chapter', id: 'basics' }, 'json/type'],
      [{ type: 'part', id: 'basics', targetDate: 'soon' }, 'json/targetDate'],
      [{ type: 'part', id: 'basics', targetDate: '2020-01-01' }, 'json/targetDate'],
      [{ type: 'concept', id: 'Not A Slug' }, 'json/id'],
    ];
    for (const [json, field] of cases) {
      const response = await api('/api/learners/me/goal', { method: 'PUT', key: token, json });
      expect(response.status).toBe(400);
      expect((await response.json<{ errors: { field: string }[] }>()).errors.map((e) => e.field)).toContain(field);
    }
    // A "today" no time zone has is refused.
    const wrongDay = await api('/api/learning-path?today=2020-01-01', { key: token });
    expect(wrongDay.status).toBe(400);
    expect((await wrongDay.json<{ errors: { field: string }[] }>()).errors.map((e) => e.field)).toEqual(['query/today']);
    // No goal and no onboarding: an empty path that says so (not an error a page must catch).
    const none = await api('/api/learning-path', { key: token });
    expect(none.status).toBe(200);
    expect(await none.json()).toMatchObject({
      goal: null,
      status: 'no_goal',
      steps: [],
      message: expect.stringContaining('No goal yet') as unknown,
    });
    // UTC's yesterday is still today west of UTC: taken.
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const late = await api('/api/learners/me/goal', {
      method: 'PUT',
      key: token,
      json: { type: 'part', id: 'basics', targetDate: yesterday },
    });
    expect(late.status).toBe(200);
  });

  it('say a goal the course no longer has is gone, instead of calling it reached', async () => {
    const key = await givenCourse();
    const { token } = await givenLearner({ goals: ['basics'] });
    expect(
      (await api('/api/learners/me/goal', { method: 'PUT', key: token, json: { type: 'lesson', id: 'lesson-6' } })).status,
    ).toBe(200);
    const before = await (await api('/api/learning-path', { key: token })).json<{ status: string; steps: unknown[] }>();
    expect(before.status).toBe('on_the_way');
    // The author prunes lesson-6 away.
    await push(await buildCourse(5), key, { prune: true });
    const after = await (await api('/api/learning-path', { key: token })).json();
    expect(after).toMatchObject({
      goal: { type: 'lesson', id: 'lesson-6' },
      status: 'goal_removed',
      steps: [],
      message: 'Your goal "lesson-6" is no longer in the course. Choose another goal.',
    });
  });

  it('refuse every endpoint without a learner token', async () => {
    const key = await givenCourse();
    const endpoints: [string, string, unknown?][] = [
      ['GET', '/api/recommendations'],
      ['POST', '/api/recommendations/lesson:lesson-1/feedback', { eventId: crypto.randomUUID(), action: 'accepted' }],
      ['GET', '/api/learners/me/goal'],
      ['PUT', '/api/learners/me/goal', { type: 'part', id: 'basics' }],
      ['GET', '/api/learning-path'],
    ];
    for (const [method, path, json] of endpoints) {
      for (const bearer of [undefined, key]) {
        const response = await api(path, { method, ...(bearer ? { key: bearer } : {}), ...(json ? { json } : {}) });
        expect([method, path, response.status]).toEqual([method, path, 401]);
      }
    }
  });
});

describe('several courses', () => {
  interface Ranked {
    course: string | null;
    items: Item[];
    cached: boolean;
  }
  const ranked = async (token: string, query = '') => (await recommendations(token, query)).body as unknown as Ranked;

  it('rank over the course the learner last worked in, or the one asked for; mastery and goals stay in their course', async () => {
    await givenTwoCourses();
    const { token, learnerId } = await givenLearner({ goals: ['basics'] });
    // Nothing done yet: the default course.
    expect(await ranked(token)).toMatchObject({ course: 'test-course', items: [{ id: 'lesson:lesson-1' }] });
    // Work in the second course moves the ranking there.
    expect((await complete(token, 'py-lesson-1')).status).toBe(200);
    const moved = await ranked(token);
    expect(moved.course).toBe('other-course');
    expect(moved.items[0]?.id).toBe('lesson:py-lesson-2');
    expect(moved.items.every((i) => i.lessonSlug.startsWith('py-'))).toBe(true);
    // The default course, asked for: its own first lesson, untouched by the other course's progress.
    const asked = await ranked(token, '?course=test-course');
    expect(asked).toMatchObject({ course: 'test-course', cached: false, items: [{ id: 'lesson:lesson-1' }] });
    expect(asked.items.every((i) => !i.lessonSlug.startsWith('py-'))).toBe(true);
    // Each list is cached on its own.
    expect((await ranked(token, '?course=test-course')).cached).toBe(true);
    expect((await ranked(token)).cached).toBe(true);

    // A right answer in the second course (concept-1 there) is not mastery of the default course's concept-1.
    const answered = await api('/api/quizzes/attempts', {
      method: 'POST',
      key: token,
      json: { eventId: crypto.randomUUID(), itemId: 'py-lesson-1-q1', answer: 1 },
    });
    expect(answered.status).toBe(200);
    const store = createRecommendStore(env.DB, depsFor(env, {}).learner);
    const inSecond = await store.learner(learnerId, new Date(), 'other-course');
    const inDefault = await store.learner(learnerId, new Date(), 'test-course');
    expect(inSecond.signals.concepts.get('concept-1')?.attempts).toBe(1);
    expect(inDefault.signals.concepts.has('concept-1')).toBe(false);
    expect(inDefault.signals.completed.has('lesson-1')).toBe(false);

    // A goal set in the default course: the path leads there even though the learner last worked in the other.
    expect(
      (await api('/api/learners/me/goal', { method: 'PUT', key: token, json: { type: 'lesson', id: 'lesson-3' } })).status,
    ).toBe(200);
    const path = await (
      await api('/api/learning-path', { key: token })
    ).json<{ course: string; steps: { lessonSlug: string }[] }>();
    expect(path.course).toBe('test-course');
    expect(path.steps.map((s) => s.lessonSlug)).toEqual(['lesson-1', 'lesson-2', 'lesson-3']);
    // The other course, asked for: no goal there, so the onboarding part of that course (its basics: py-lesson-1 and 2).
    const other = await (
      await api('/api/learning-path?course=other-course', { key: token })
    ).json<{
      course: string;
      goal: { id: string; source: string };
      steps: { lessonSlug: string }[];
    }>();
    expect(other).toMatchObject({ course: 'other-course', goal: { id: 'basics', source: 'onboarding' } });
    expect(other.steps.map((s) => s.lessonSlug)).toEqual(['py-lesson-2']);
  });

  it('set a goal in the course named (a part slug both courses use), else the one course with it, else the default course', async () => {
    const key = await givenTwoCourses();
    const { token } = await givenLearner({ goals: ['basics'] });
    const put = (json: unknown) => api('/api/learners/me/goal', { method: 'PUT', key: token, json });
    expect(await (await put({ type: 'part', id: 'deeper', course: 'other-course' })).json()).toEqual({
      type: 'part',
      id: 'deeper',
      targetDate: null,
      course: 'other-course',
    });
    // The path leads there, through that course's lessons.
    const path = await (
      await api('/api/learning-path', { key: token })
    ).json<{ course: string; steps: { lessonSlug: string }[] }>();
    expect(path.course).toBe('other-course');
    expect(path.steps.map((s) => s.lessonSlug)).toEqual(['py-lesson-1', 'py-lesson-2', 'py-lesson-3', 'py-lesson-4']);
    expect(await (await api('/api/learners/me/goal', { key: token })).json()).toEqual({
      goal: { type: 'part', id: 'deeper', targetDate: null, course: 'other-course' },
    });
    // No course named: the default course, one of the two with the part; the one course with a lesson.
    expect(await (await put({ type: 'part', id: 'deeper' })).json()).toMatchObject({ course: 'test-course' });
    expect(await (await put({ type: 'lesson', id: 'py-lesson-3' })).json()).toMatchObject({ course: 'other-course' });

    // A concept two courses teach, neither of them the default: the learner must say which.
    for (const [slug, prefix] of [
      ['third-course', 'rb-'],
      ['fourth-course', 'go-'],
    ] as const) {
      const course = await buildCourse(
        2,
        { [`${prefix}lesson-1`]: { concepts: ['shared-idea'] } },
        { slug, title: slug },
        { prefix },
      );
      await push(course, key);
    }
    const ambiguous = await put({ type: 'concept', id: 'shared-idea' });
    expect(ambiguous.status).toBe(400);
    expect((await ambiguous.json<Problem>()).errors).toEqual([
      { field: 'json/course', message: 'one of fourth-course, third-course' },
    ]);
    expect(await (await put({ type: 'concept', id: 'shared-idea', course: 'third-course' })).json()).toMatchObject({
      course: 'third-course',
    });

    // Bad input changes nothing: a course without the goal, a course the catalog lacks, a malformed course.
    const refusals: [unknown, number, string][] = [
      [{ type: 'lesson', id: 'lesson-3', course: 'other-course' }, 400, 'json/id'],
      [{ type: 'part', id: 'deeper', course: 'no-such-course' }, 404, 'json/course'],
      [{ type: 'part', id: 'deeper', course: 'Not A Slug' }, 400, 'json/course'],
    ];
    for (const [json, status, field] of refusals) {
      const refused = await put(json);
      expect([json, refused.status]).toEqual([json, status]);
      expect((await refused.json<Problem>()).errors?.map((e) => e.field)).toEqual([field]);
    }
    expect(await (await api('/api/learners/me/goal', { key: token })).json()).toEqual({
      goal: { type: 'concept', id: 'shared-idea', targetDate: null, course: 'third-course' },
    });
  });

  it.each([
    ['/api/recommendations?course=no-such-course', 404],
    ['/api/learning-path?course=no-such-course', 404],
    ['/api/recommendations?course=Not%20A%20Slug', 400],
    ['/api/learning-path?course=Not%20A%20Slug', 400],
  ])('refuse %s with %i naming query/course', async (path, status) => {
    await givenTwoCourses();
    const { token } = await givenLearner({ goals: ['basics'] });
    const refused = await api(path, { key: token });
    expect(refused.status).toBe(status);
    expect((await refused.json<Problem>()).errors?.map((e) => e.field)).toContain('query/course');
  });
});
