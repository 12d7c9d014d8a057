import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { depsFor } from '../../deps';
import { refreshAnalytics } from './analytics.snapshots';
import {
  api,
  buildCourse,
  d1Rows,
  DELIVERY,
  flushLearners,
  givenAuthorKey,
  givenLearner,
  push,
  waitForIngest,
} from '../../test/builders';
import type { ItemAnalysis } from './analytics.domain';
import type { Engagement, LessonFigures, ModelHealth, Overview } from './analytics.store';
import type { Plan } from '../practice/plan.schemas';
import { givenCourseAndLibrary } from '../../test/practice-seeds';

const admin = async <T>(key: string, path: string) => {
  const response = await api(`/api/admin/analytics${path}`, { key });
  expect(response.status, path).toBe(200);
  return response.json<T>();
};

describe('analytics', () => {
  it('reads what learners did from the rollups: active learners, funnel, lessons, items', { timeout: 60_000 }, async () => {
    const key = await givenAuthorKey();
    await push(await buildCourse(3), key);
    const adminKey = await givenAuthorKey({ scopes: ['admin'] });
    const learners = [await givenLearner(), await givenLearner(), await givenLearner()];
    // Declined analytics: what they do is not counted anywhere.
    const private_ = await givenLearner();
    await api('/api/learners/me/consent', { method: 'PUT', key: private_.token, json: { model: true, analytics: false } });
    const key1 = Number((await d1Rows("SELECT answer FROM quiz_items WHERE id = 'lesson-1-q1'"))[0]?.answer);
    for (const [i, learner] of [...learners, private_].entries()) {
      await api('/api/progress/lessons/lesson-1/time', {
        method: 'PUT',
        key: learner.token,
        json: { eventId: crypto.randomUUID(), seconds: 45 },
      });
      // Two of the three counted learners complete lesson 1 (and the private one).
      if (i !== 1)
        await api('/api/progress/lessons/lesson-1/complete', {
          method: 'POST',
          key: learner.token,
          json: { eventId: crypto.randomUUID() },
        });
      // Right, wrong, right (and right) on lesson 1's item.
      const json = { eventId: crypto.randomUUID(), itemId: 'lesson-1-q1', answer: i === 1 ? (key1 + 1) % 3 : key1 };
      expect((await api('/api/quizzes/attempts', { method: 'POST', key: learner.token, json })).status).toBe(200);
    }
    await flushLearners(...[...learners, private_].map((l) => l.learnerId));
    await expect.poll(async () => (await d1Rows('SELECT sum(answers) AS n FROM item_stats'))[0]?.n, DELIVERY).toBe(3);
    await expect.poll(async () => (await d1Rows('SELECT sum(started) AS n FROM lesson_stats'))[0]?.n, DELIVERY).toBe(3);
    await expect
      .poll(async () => (await d1Rows('SELECT sum(onboarded) AS n FROM learner_activity_daily'))[0]?.n, DELIVERY)
      .toBe(3);

    const overview = await admin<Overview>(adminKey, '/overview?days=7');
    expect(overview.activeLearners).toEqual({ day: 3, week: 3, month: 3 });
    expect(overview.daily.at(-1)).toEqual({ day: overview.today, learners: 3 });
    expect(overview.funnel.map((s) => [s.step, s.learners])).toEqual([
      ['onboarded', 3],
      ['first_lesson', 3],
      ['first_completion', 2],
      ['returned', 0],
    ]);
    expect(overview.retention.at(-1)).toMatchObject({ learners: 3, weeks: [1] });

    // Later reads come from the snapshot until it ages out, a fresh read is asked for, or the cron computes it again.
    await env.DB.prepare(
      "INSERT INTO learner_activity_daily (learner_id, course_id, day, active_seconds) VALUES ('late', 'c', ?, 60)",
    )
      .bind(overview.today)
      .run();
    expect((await admin<Overview>(adminKey, '/overview?days=7')).activeLearners.day).toBe(3);
    expect((await admin<Overview>(adminKey, '/overview?days=7&fresh=true')).activeLearners.day).toBe(4);
    await refreshAnalytics(depsFor(env, {}), new Date());
    expect((await admin<Overview>(adminKey, '/overview')).activeLearners.day).toBe(4);
    await env.DB.prepare("DELETE FROM learner_activity_daily WHERE learner_id = 'late'").run();

    const { lessons } = await admin<{ lessons: LessonFigures[] }>(adminKey, '/lessons');
    expect(lessons.find((l) => l.lessonSlug === 'lesson-1')).toMatchObject({ started: 3, completed: 2, dropOff: 1 / 3 });

    const { items } = await admin<{ items: ItemAnalysis[] }>(adminKey, '/items');
    const item = items.find((i) => i.itemId === 'lesson-1-q1');
    expect(item).toMatchObject({ answers: 3, difficulty: 2 / 3, flags: [] });
    expect(item?.choices.find((c) => c.key)?.share).toBeCloseTo(2 / 3, 10);

    // Model health: BKT's prediction before each of the three counted first answers, overall and by segment.
    await expect
      .poll(async () => (await d1Rows("SELECT sum(n) AS n FROM prediction_bins WHERE segment = ''"))[0]?.n, DELIVERY)
      .toBe(3);
    const health = await (await api('/api/admin/models/performance?days=7', { key: adminKey })).json<ModelHealth>();
    const bkt = health.models.find((m) => m.model === 'bkt');
    expect(bkt?.overall).toMatchObject({ predictions: 3, observed: 2 / 3 });
    // Everyone starts from the same P(known): one bin, so the ranking cannot tell answers apart (AUC one half).
    expect(bkt?.overall.auc).toBe(0.5);
    expect(bkt?.calibration).toHaveLength(1);
    expect(health.segments.map((g) => [g.segment, g.predictions])).toEqual([
      ['background:software', 3],
      ['experience:basic', 3],
    ]);
    expect(health.models.find((m) => m.model === 'fsrs')?.overall.predictions).toBe(0);
    // The mastery distribution: each counted learner once, at their level on the concept (the private one not at all).
    const concept = health.mastery.find((m) => m.conceptId === 'concept-1');
    expect((concept?.learning ?? 0) + (concept?.practising ?? 0) + (concept?.mastered ?? 0)).toBe(3);
    expect(health.mastery.map((m) => m.conceptId)).toEqual(['concept-1']);
    expect((await api('/api/admin/models/performance?days=2', { key: adminKey })).status).toBe(400);
    // Per course: the predictions were made in the course of the item answered.
    expect(await d1Rows("SELECT DISTINCT course_id FROM prediction_bins WHERE model = 'bkt'")).toEqual([
      { course_id: 'test-course' },
    ]);
    const inCourse = async (course: string) =>
      (await api(`/api/admin/models/performance?days=7&course=${course}`, { key: adminKey })).json<ModelHealth>();
    // Feedback on recommendations of this course's lesson, and of a lesson no course has now.
    await env.DB.prepare(
      `INSERT INTO recommendation_stats (recommendation_id, accepted, dismissed, completed)
       VALUES ('lesson:lesson-1', 3, 1, 2), ('review:lesson-1', 1, 0, 0), ('lesson:removed-lesson', 5, 5, 5)`,
    ).run();
    const totals = (h: ModelHealth) => [h.recommendations.accepted, h.recommendations.dismissed, h.recommendations.completed];
    const mine = await inCourse('test-course');
    expect(mine.models.find((m) => m.model === 'bkt')?.overall.predictions).toBe(3);
    expect(mine.mastery.map((m) => m.conceptId)).toEqual(['concept-1']);
    const other = await inCourse('other-course');
    expect([other.models.find((m) => m.model === 'bkt')?.overall.predictions, other.segments, other.mastery]).toEqual([
      0,
      [],
      [],
    ]);
    const catalog = await (await api('/api/admin/models/performance?days=7', { key: adminKey })).json<ModelHealth>();
    expect([totals(catalog), totals(mine), totals(other)]).toEqual([
      [9, 6, 7],
      [4, 1, 2],
      [0, 0, 0],
    ]);
    expect((await api('/api/admin/models/performance?course=Not_A_Slug', { key: adminKey })).status).toBe(400);

    // Bad input and scope.
    expect((await api('/api/admin/analytics/overview?days=1000', { key: adminKey })).status).toBe(400);
    const contentKey = await givenAuthorKey({ scopes: ['content'] });
    expect((await api('/api/admin/analytics/items', { key: contentKey })).status).toBe(403);
    expect((await api('/api/admin/analytics/items')).status).toBe(401);
  });

  it('counts each plan task’s first outcome by category', { timeout: 30_000 }, async () => {
    await givenCourseAndLibrary();
    const adminKey = await givenAuthorKey({ scopes: ['admin'] });
    const { token, learnerId } = await givenLearner({ goals: ['basics'] });
    const plan = await (await api('/api/plans/today', { key: token })).json<Plan>();
    const [first, second] = plan.items;
    const feedback = (itemId: string, json: Record<string, unknown>) =>
      api(`/api/plans/${plan.id}/items/${itemId}/feedback`, {
        method: 'POST',
        key: token,
        json: { eventId: crypto.randomUUID(), ...json },
      });
    expect((await feedback(first?.id ?? '', { outcome: 'completed', rating: 5 })).status).toBe(200);
    // A later change of mind on the same task is not a second outcome.
    expect((await feedback(first?.id ?? '', { outcome: 'skipped', skipReason: 'no_time' })).status).toBe(200);
    expect((await feedback(second?.id ?? '', { outcome: 'skipped', skipReason: 'too_hard' })).status).toBe(200);
    await flushLearners(learnerId);
    await expect
      .poll(async () => (await d1Rows('SELECT sum(done + skipped) AS n FROM plan_category_daily'))[0]?.n, DELIVERY)
      .toBe(2);
    const engagement = await admin<Engagement>(adminKey, '/engagement?days=7');
    const counted = new Map(engagement.plans.map((p) => [p.category, p]));
    expect(counted.get(first?.category ?? '')?.done).toBeGreaterThanOrEqual(1);
    expect(engagement.plans.reduce((s, p) => s + p.done, 0)).toBe(1);
    expect(engagement.plans.reduce((s, p) => s + p.skipped, 0)).toBe(1);
    expect(engagement.answers).toEqual([]);
    // Each task came with the completion chance the planner gave it; its first outcome logs that prediction (model health).
    for (const item of plan.items) expect(item.completionChance).toBeGreaterThan(0);
    const health = await (await api('/api/admin/models/performance?days=7', { key: adminKey })).json<ModelHealth>();
    const predicted = health.models.find((m) => m.model === 'engagement');
    expect(predicted?.overall.predictions).toBe(2);
    expect(predicted?.overall.meanPredicted).toBeCloseTo(
      ((first?.completionChance ?? 0) + (second?.completionChance ?? 0)) / 2,
      2,
    );
    expect(predicted?.overall.observed).toBe(0.5);
  });

  it('counts recommendations by reason, searches that found nothing and model budgets spent', { timeout: 30_000 }, async () => {
    const key = await givenAuthorKey();
    await push(await buildCourse(4, { 'lesson-2': { prerequisites: [] }, 'lesson-3': { prerequisites: [] } }), key);
    await waitForIngest(['lesson-1']);
    const adminKey = await givenAuthorKey({ scopes: ['admin'] });
    const { token, learnerId } = await givenLearner({ goals: ['basics'] });
    const listed = await (
      await api('/api/recommendations', { key: token })
    ).json<{ items: { id: string; reasons: { code: string }[] }[] }>();
    const [first, second] = listed.items;
    const feedback = (id: string, action: string) =>
      api(`/api/recommendations/${id}/feedback`, { method: 'POST', key: token, json: { eventId: crypto.randomUUID(), action } });
    expect((await feedback(first?.id ?? '', 'accepted')).status).toBe(200);
    expect((await feedback(second?.id ?? '', 'dismissed')).status).toBe(200);
    // Case and spacing do not make another query; a query that finds something is not counted.
    for (const query of ['xyzzy plugh', '  XYZZY   Plugh ', 'words about lesson']) {
      expect((await api('/api/search', { method: 'POST', json: { query } })).status).toBe(200);
    }
    // Spent budgets, as the personalization and answer engines ask for them.
    const deps = depsFor(env, { requestId: 'budget-test' });
    const day = new Date().toISOString().slice(0, 10);
    const none = { learner: 0, platform: 10, platformUsd: 1 };
    expect(await deps.personalize.reserveGeneration(learnerId, day, none, 'answers')).toBe('learner_spent');
    expect(await deps.personalize.reserveGeneration(learnerId, day, none, 'answers')).toBe('learner_spent');
    expect(
      await deps.personalize.reserveGeneration(learnerId, day, { learner: 5, platform: 0, platformUsd: 1 }, 'personalize'),
    ).toBe('platform_spent');
    await flushLearners(learnerId);
    await expect
      .poll(async () => (await d1Rows('SELECT sum(accepted + dismissed) AS n FROM recommendation_reason_daily'))[0]?.n, DELIVERY)
      .toBe(2);
    const engagement = await admin<Engagement>(adminKey, '/engagement?days=7');
    const byReason = new Map(engagement.recommendations.map((r) => [r.reason, r]));
    const impressions = new Map<string, number>();
    for (const item of listed.items) {
      const reason = item.reasons[0]?.code ?? 'none';
      impressions.set(reason, (impressions.get(reason) ?? 0) + 1);
    }
    expect(new Map([...byReason].map(([reason, r]) => [reason, r.impressions]))).toEqual(impressions);
    const firstReason = byReason.get(first?.reasons[0]?.code ?? '');
    expect(firstReason?.accepted).toBe(1);
    expect(firstReason?.acceptance).toBeCloseTo(1 / (impressions.get(first?.reasons[0]?.code ?? '') ?? 1), 10);
    expect(byReason.get(second?.reasons[0]?.code ?? '')?.dismissed).toBe(1);
    await expect
      .poll(async () => (await admin<Engagement>(adminKey, '/engagement?days=7')).searchMisses, DELIVERY)
      .toEqual([{ query: 'xyzzy plugh', searches: 2, lastDay: day }]);
    expect(engagement.budgetHits).toEqual([
      { feature: 'answers', reason: 'learner_spent', hits: 2 },
      { feature: 'personalize', reason: 'platform_spent', hits: 1 },
    ]);
  });
});

describe('analytics by course', () => {
  it('filters the overview, lessons, items and engagement to one course with ?course=', { timeout: 60_000 }, async () => {
    const key = await givenAuthorKey();
    await push(await buildCourse(2), key);
    await push(await buildCourse(2, {}, { slug: 'other-course', title: 'Other' }, { prefix: 'py-' }), key);
    const adminKey = await givenAuthorKey({ scopes: ['admin'] });
    // One learner works in the first course, two in the other.
    const learners = [await givenLearner(), await givenLearner(), await givenLearner()];
    for (const [i, learner] of learners.entries()) {
      const slug = i === 0 ? 'lesson-1' : 'py-lesson-1';
      await api(`/api/progress/lessons/${slug}/complete`, {
        method: 'POST',
        key: learner.token,
        json: { eventId: crypto.randomUUID() },
      });
      const answer = Number((await d1Rows(`SELECT answer FROM quiz_items WHERE id = '${slug}-q1'`))[0]?.answer);
      const json = { eventId: crypto.randomUUID(), itemId: `${slug}-q1`, answer };
      expect((await api('/api/quizzes/attempts', { method: 'POST', key: learner.token, json })).status).toBe(200);
    }
    await flushLearners(...learners.map((l) => l.learnerId));
    await expect.poll(async () => (await d1Rows('SELECT sum(answers) AS n FROM item_stats'))[0]?.n, DELIVERY).toBe(3);
    await expect.poll(async () => (await d1Rows('SELECT sum(completed) AS n FROM lesson_stats'))[0]?.n, DELIVERY).toBe(3);

    const all = await admin<Overview>(adminKey, '/overview?fresh=true');
    const other = await admin<Overview>(adminKey, '/overview?fresh=true&course=other-course');
    const first = await admin<Overview>(adminKey, '/overview?fresh=true&course=test-course');
    expect([all.activeLearners.day, other.activeLearners.day, first.activeLearners.day]).toEqual([3, 2, 1]);
    expect(other.funnel.find((s) => s.step === 'first_completion')?.learners).toBe(2);
    // Each course's overview is its own snapshot: the unfiltered one is not served for a course.
    expect((await admin<Overview>(adminKey, '/overview?course=test-course')).activeLearners.day).toBe(1);
    expect((await admin<Overview>(adminKey, '/overview')).activeLearners.day).toBe(3);

    const lessons = await admin<{ lessons: LessonFigures[] }>(adminKey, '/lessons?course=other-course');
    expect(lessons.lessons.map((l) => [l.lessonSlug, l.completed])).toEqual([['py-lesson-1', 2]]);
    expect((await admin<{ lessons: LessonFigures[] }>(adminKey, '/lessons')).lessons).toHaveLength(2);
    const items = await admin<{ items: ItemAnalysis[] }>(adminKey, '/items?course=test-course');
    expect(items.items.map((i) => [i.itemId, i.answers])).toEqual([['lesson-1-q1', 1]]);
    expect((await admin<Engagement>(adminKey, '/engagement?course=other-course')).plans).toEqual([]);
    // A search that found nothing counts for the course it was kept to; across the catalog, for none.
    for (const filters of [{ course: 'other-course' }, {}]) {
      const searched = await api('/api/search', { method: 'POST', json: { query: 'xyzzy plugh', filters } });
      expect(searched.status).toBe(200);
    }
    const misses = async (query: string) => (await admin<Engagement>(adminKey, `/engagement${query}`)).searchMisses;
    await expect.poll(() => misses(''), DELIVERY).toEqual([expect.objectContaining({ query: 'xyzzy plugh', searches: 2 })]);
    expect(await misses('?course=other-course')).toEqual([expect.objectContaining({ query: 'xyzzy plugh', searches: 1 })]);
    expect(await misses('?course=test-course')).toEqual([]);
    // A spent budget counts for the course the request was about (a lesson's, a question's), or for none.
    const deps = depsFor(env, { requestId: 'budget-by-course' });
    const day = new Date().toISOString().slice(0, 10);
    const none = { learner: 0, platform: 10, platformUsd: 1 };
    const spender = learners[0]?.learnerId ?? '';
    expect(await deps.personalize.reserveGeneration(spender, day, none, 'personalize', 'other-course')).toBe('learner_spent');
    expect(await deps.personalize.reserveGeneration(spender, day, none, 'answers')).toBe('learner_spent');
    const hits = async (query: string) => (await admin<Engagement>(adminKey, `/engagement${query}`)).budgetHits;
    expect(await hits('?course=other-course')).toEqual([{ feature: 'personalize', reason: 'learner_spent', hits: 1 }]);
    expect(await hits('?course=test-course')).toEqual([]);
    expect(await hits('')).toEqual([
      { feature: 'answers', reason: 'learner_spent', hits: 1 },
      { feature: 'personalize', reason: 'learner_spent', hits: 1 },
    ]);
    // A removed (or never pushed) course answers with empty figures; a malformed one is refused naming the field.
    expect((await admin<{ lessons: LessonFigures[] }>(adminKey, '/lessons?course=no-such-course')).lessons).toEqual([]);
    const refused = await api('/api/admin/analytics/items?course=Not%20A%20Slug', { key: adminKey });
    expect(refused.status).toBe(400);
    expect((await refused.json<{ errors?: { field: string }[] }>()).errors?.map((e) => e.field)).toContain('query/course');
  });
});
