import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
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
} from '../../test/builders';
import { packOption, SIGNALS } from './ranker.fit';
import { WEIGHTS, type RankFeatures } from './recommend.domain';

/** Five lessons without prerequisites, all in the learner's goal part: a list offers several at once. */
async function givenOpenCourse() {
  const key = await givenAuthorKey();
  const open = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`lesson-${i + 1}`, { prerequisites: [] }]));
  await push(await buildCourse(5, open), key);
  const [course] = await d1Rows('SELECT DISTINCT course_id FROM lessons');
  return { key, courseId: String(course?.course_id) };
}

interface Item {
  id: string;
  kind: string;
  score: number;
}
const recommendations = async (token: string) => {
  const response = await api('/api/recommendations', { key: token });
  expect(response.status).toBe(200);
  return (await response.json<{ items: Item[] }>()).items;
};
const complete = (token: string, slug: string) =>
  api(`/api/progress/lessons/${slug}/complete`, { method: 'POST', key: token, json: { eventId: crypto.randomUUID() } });
const accept = (token: string, id: string) =>
  api(`/api/recommendations/${id}/feedback`, {
    method: 'POST',
    key: token,
    json: { eventId: crypto.randomUUID(), action: 'accepted' },
  });

/** Choices among five lessons where learners always took the one latest in the course (lowest `order`). */
async function givenLoggedChoices(courseId: string, count: number) {
  const statements = Array.from({ length: count }, (_, n) => {
    const options = Array.from({ length: 5 }, (_, i) => {
      const features: RankFeatures = {
        goal: 1,
        goalPath: 0,
        layer: 1,
        gap: 0,
        collaborative: 0,
        similar: 0,
        order: 1 - i / 5,
        engagement: 0.5,
      };
      features.goal = (n + i) % 2;
      return packOption({ features, bonus: 0 });
    });
    return env.DB.prepare('INSERT INTO ranker_choices (course_id, day, chosen, options) VALUES (?, ?, ?, ?)').bind(
      courseId,
      new Date().toISOString().slice(0, 10),
      4,
      JSON.stringify(options),
    );
  });
  for (let i = 0; i < statements.length; i += 50) await env.DB.batch(statements.slice(i, i + 50));
}

describe("the ranker's learned weights", () => {
  it('log a lesson taken from an offered list once, with the lessons offered beside it and no learner id', async () => {
    await givenOpenCourse();
    const { token, learnerId } = await givenLearner({ goals: ['basics', 'deeper'] });
    const lessons = (await recommendations(token)).filter((i) => i.kind === 'lesson').map((i) => i.id);
    expect(lessons.length).toBeGreaterThanOrEqual(3);
    const offers = await learnerSql<{ recommendation_id: string; option: string | null; chosen: number }>(
      learnerId,
      'SELECT recommendation_id, option, chosen FROM recommendation_offers ORDER BY recommendation_id',
    );
    // Each offered lesson keeps the signal values it was scored on.
    for (const offer of offers.filter((o) => o.recommendation_id.startsWith('lesson:'))) {
      const option = JSON.parse(offer.option ?? 'null') as { features: RankFeatures; bonus: number };
      expect(Object.keys(option.features).sort()).toEqual([...SIGNALS].sort());
    }
    const taken = lessons[2] ?? '';
    expect((await complete(token, taken.slice('lesson:'.length))).status).toBe(200);
    // Accepting it afterwards, or completing another lesson of the same list, is not a second choice.
    expect((await accept(token, taken)).status).toBe(200);
    expect((await complete(token, (lessons[0] ?? '').slice('lesson:'.length))).status).toBe(200);
    await flushLearners(learnerId);
    await expect.poll(async () => (await d1Rows('SELECT count(*) AS n FROM ranker_choices'))[0]?.n, DELIVERY).toBe(1);
    const [row] = await d1Rows('SELECT * FROM ranker_choices');
    expect(Object.keys(row ?? {}).sort()).toEqual(['chosen', 'course_id', 'day', 'id', 'options']);
    const options = JSON.parse(String(row?.options)) as number[][];
    const sorted = offers.filter((o) => o.recommendation_id.startsWith('lesson:')).map((o) => o.recommendation_id);
    expect(options).toHaveLength(sorted.length);
    expect(row?.chosen).toBe(sorted.indexOf(taken));
    expect(options[Number(row?.chosen)]).toEqual(
      packOption(JSON.parse(offers.find((o) => o.recommendation_id === taken)?.option ?? 'null') as never),
    );
    expect(
      (
        await learnerSql<{ chosen: number }>(
          learnerId,
          "SELECT chosen FROM recommendation_offers WHERE recommendation_id LIKE 'lesson:%'",
        )
      ).every((o) => o.chosen === 1),
    ).toBe(true);
  });

  it('refit from the logged choices: nothing moves on too few, then each weight moves at most 0.05 towards what learners took, and new rankings use them', async () => {
    const { key, courseId } = await givenOpenCourse();
    const refit = async () => {
      const response = await api('/api/admin/recommendations/weights/refit', { method: 'POST', key });
      expect(response.status).toBe(200);
      return (await response.json<{ refits: { courseId: string; changed: boolean; version: number | null; reason: string }[] }>())
        .refits;
    };
    await givenLoggedChoices(courseId, 50);
    const [tooFew] = await refit();
    expect(tooFew).toMatchObject({ courseId, changed: false, version: null });
    expect(tooFew?.reason).toMatch(/at least 200/);
    const { token: before } = await givenLearner({ goals: ['basics', 'deeper'] });
    const handSetScores = (await recommendations(before)).map((i) => [i.id, i.score]);

    await givenLoggedChoices(courseId, 400);
    expect(await refit()).toEqual([expect.objectContaining({ courseId, changed: true, version: 1 })]);
    const read = await api('/api/admin/recommendations/weights', { key });
    expect(read.status).toBe(200);
    const body = await read.json<{
      handSet: Record<string, number>;
      courses: {
        courseId: string;
        learned: Record<string, number>;
        history: { version: number; fit: { heldOut: { logLoss: { current: number; fitted: number } } } }[];
      }[];
    }>();
    expect(body.handSet).toEqual(WEIGHTS);
    const [course] = body.courses;
    expect(course?.courseId).toBe(courseId);
    expect(course?.history.map((h) => h.version)).toEqual([1]);
    for (const signal of SIGNALS) {
      expect(Math.abs((course?.learned[signal] ?? 0) - WEIGHTS[signal])).toBeLessThanOrEqual(0.05 + 1e-9);
    }
    // Learners took the latest lesson: course order counts for less.
    expect(course?.learned.order).toBeLessThan(WEIGHTS.order);
    const fit = course?.history[0]?.fit.heldOut.logLoss;
    expect(fit?.fitted).toBeLessThan(fit?.current ?? 0);
    expect(await env.CACHE.get(`ranker:weights:${courseId}`, 'json')).toEqual({ version: 1, weights: course?.learned });

    // A learner like the first, ranked now: the same lessons, scored with the learned weights.
    const { token: after } = await givenLearner({ goals: ['basics', 'deeper'] });
    const learnedScores = (await recommendations(after)).map((i) => [i.id, i.score]);
    expect(learnedScores.map(([id]) => id).sort()).toEqual(handSetScores.map(([id]) => id).sort());
    expect(learnedScores).not.toEqual(handSetScores);

    // Within the day the cron leaves a course alone; a forced refit goes on from version 1.
    expect(await refit()).toEqual([expect.objectContaining({ courseId, version: 2 })]);
  });

  it('are for admins only', async () => {
    const author = await givenAuthorKey({ scopes: ['content:write'] });
    expect((await api('/api/admin/recommendations/weights', { key: author })).status).toBe(403);
    expect((await api('/api/admin/recommendations/weights/refit', { method: 'POST' })).status).toBe(401);
  });
});
