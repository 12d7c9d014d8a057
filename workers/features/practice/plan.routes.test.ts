/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Problem } from '../../http/problem';
import { api, buildCourse, givenAuthorKey, givenLearner, learnerSql, push } from '../../test/builders';
import { localTime } from './plan.domain';
import type { Plan } from './plan.schemas';
import type { Variation } from './practice.schemas';

const SEED_FILES = import.meta.glob<string>('../../../seeds/practice/*.yml', { query: '?raw', import: 'default', eager: true });
const SEEDS = Object.keys(SEED_FILES)
  .sort()
  .flatMap((file) => parse(SEED_FILES[file] ?? '') as Variation[]);

async function givenCourseAndLibrary() {
  const key = await givenAuthorKey();
  await push(await buildCourse(4), key);
  const stored = await api('/api/admin/practice/library', { method: 'PUT', key, json: { variations: SEEDS } });
  expect(stored.status).toBe(200);
  return key;
}

const today = (token: string, query = '') => api(`/api/plans/today${query}`, { key: token });

describe("today's plan", () => {
  it('composes 3 to 6 tasks for the learner, each with reasons, and returns the same plan on a revisit', async () => {
    await givenCourseAndLibrary();
    const { token, learnerId } = await givenLearner({ goals: ['basics'], sessionMinutes: 30 });
    const first = await today(token);
    expect(first.status).toBe(200);
    const plan = await first.json<Plan>();
    const date = localTime(new Date(), 'UTC').date;
    expect(plan).toMatchObject({ id: `plan_${date}`, date, timeZone: 'UTC', phase: 'discovery', mode: 'standard' });
    expect(plan.items.length).toBeGreaterThanOrEqual(3);
    expect(plan.items.length).toBeLessThanOrEqual(6);
    expect(plan.minutes).toBeLessThanOrEqual(30);
    expect(plan.reasons.phase).toBe('Week 1 of your plans: trying new kinds of task');
    // Nothing due for a new learner: no review. The first lesson is the one to learn.
    expect(plan.items.map((i) => i.category)).not.toContain('review');
    expect(plan.items.find((i) => i.category === 'learn')?.binding.lessonSlug).toBe('lesson-1');
    for (const item of plan.items) {
      expect(item.status).toBe('open');
      expect(item.reasons.length).toBeGreaterThan(0);
      expect(`${item.title} ${item.instructions}`).not.toMatch(/[{}]/);
    }
    expect(await (await today(token)).json()).toEqual(plan);
    expect(await learnerSql(learnerId, 'SELECT date, course_id FROM plans')).toEqual([
      { date, course_id: expect.any(String) as string },
    ]);
  });

  it('stores one plan when the first requests of the day come at once', async () => {
    await givenCourseAndLibrary();
    const { token, learnerId } = await givenLearner({ goals: ['basics'] });
    const plans = await Promise.all(Array.from({ length: 6 }, async () => (await today(token)).json<Plan>()));
    expect(new Set(plans.map((p) => JSON.stringify(p))).size).toBe(1);
    expect(await learnerSql(learnerId, 'SELECT count(*) AS n FROM plans')).toEqual([{ n: 1 }]);
  });

  it('dates the plan in the learner’s time zone', async () => {
    await givenCourseAndLibrary();
    const { token } = await givenLearner({ goals: ['basics'] });
    const plan = await (await today(token, '?timeZone=Pacific/Kiritimati')).json<Plan>();
    expect(plan).toMatchObject({ timeZone: 'Pacific/Kiritimati', date: localTime(new Date(), 'Pacific/Kiritimati').date });
  });

  it.each([
    ['an unknown time zone', '?timeZone=Mars/Olympus', 400, 'query/timeZone'],
    ['a time zone that is too long', `?timeZone=${'A'.repeat(80)}`, 400, 'query/timeZone'],
  ])('refuses %s with 400 naming the field', async (_name, query, status, field) => {
    await givenCourseAndLibrary();
    const { token } = await givenLearner({ goals: ['basics'] });
    const refused = await today(token, query);
    expect(refused.status).toBe(status);
    expect((await refused.json<Problem>()).errors?.map((e) => e.field)).toContain(field);
  });

  it('asks for onboarding first, needs a library, and a learner token', async () => {
    const key = await givenAuthorKey();
    await push(await buildCourse(4), key);
    const { token } = await givenLearner({ goals: ['basics'] });
    const noLibrary = await today(token);
    expect(noLibrary.status).toBe(404);
    expect((await noLibrary.json<Problem>()).detail).toBe('This course has no practice library yet');
    await api('/api/admin/practice/library', { method: 'PUT', key, json: { variations: SEEDS } });
    const stranger = await givenLearner(null);
    const notOnboarded = await today(stranger.token);
    expect(notOnboarded.status).toBe(409);
    expect((await notOnboarded.json<Problem>()).code).toBe('onboarding_required');
    expect((await api('/api/plans/today')).status).toBe(401);
    expect((await api('/api/plans/today', { key })).status).toBe(401);
  });
});
