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

  it('ticks a task that completes itself, and takes check-offs, skips and ratings once per eventId', async () => {
    await givenCourseAndLibrary();
    const { token } = await givenLearner({ goals: ['basics'], sessionMinutes: 45 });
    const plan = await (await today(token)).json<Plan>();
    const learn = plan.items.find((i) => i.category === 'learn');
    const others = plan.items.filter((i) => i.category !== 'learn');
    const [first, second] = others;
    if (!learn || !first || !second) throw new Error(`plan too small: ${plan.items.map((i) => i.category).join()}`);
    const feedback = (itemId: string, json: unknown, planId = plan.id) =>
      api(`/api/plans/${planId}/items/${itemId}/feedback`, { method: 'POST', key: token, json });

    // Completing the bound lesson ticks the learn task (unless it is a one-section task, ticked off by hand).
    await api(`/api/progress/lessons/${learn.binding.lessonSlug ?? ''}/complete`, {
      method: 'POST',
      key: token,
      json: { eventId: crypto.randomUUID() },
    });
    const eventId = crypto.randomUUID();
    expect(await (await feedback(first.id, { eventId, outcome: 'completed', rating: 4 })).json()).toEqual({ applied: true });
    expect(await (await feedback(first.id, { eventId, outcome: 'completed', rating: 4 })).json()).toEqual({ applied: false });
    const skipped = await feedback(second.id, { eventId: crypto.randomUUID(), outcome: 'skipped', skipReason: 'no_time' });
    expect(skipped.status).toBe(200);
    const after = await (await today(token)).json<Plan>();
    const status = new Map(after.items.map((i) => [i.id, i.status]));
    expect(status.get(learn.id)).toBe(learn.completes.kind === 'lesson' ? 'completed' : 'open');
    expect(status.get(first.id)).toBe('completed');
    expect(status.get(second.id)).toBe('skipped');
    // The same through the event batch path.
    const batch = await api('/api/events', {
      method: 'POST',
      key: token,
      json: {
        events: [
          {
            type: 'plan.feedback',
            eventId: crypto.randomUUID(),
            occurredAt: new Date().toISOString(),
            planId: plan.id,
            itemId: second.id,
            outcome: 'completed',
          },
        ],
      },
    });
    expect(batch.status).toBe(202);
  });

  it.each<[string, unknown, number, string]>([
    ['a rating of 0', { outcome: 'completed', rating: 0 }, 400, 'json/rating'],
    ['a rating of 6', { outcome: 'completed', rating: 6 }, 400, 'json/rating'],
    ['a skip reason on a completion', { outcome: 'completed', skipReason: 'no_time' }, 400, 'json/skipReason'],
    ['an unknown outcome', { outcome: 'maybe' }, 400, 'json/outcome'],
    ['an unknown field', { outcome: 'completed', colour: 'red' }, 400, 'json'],
  ])('refuses %s with 400 naming the field', async (_name, body, status, field) => {
    await givenCourseAndLibrary();
    const { token } = await givenLearner({ goals: ['basics'] });
    const plan = await (await today(token)).json<Plan>();
    const refused = await api(`/api/plans/${plan.id}/items/${plan.items[0]?.id ?? ''}/feedback`, {
      method: 'POST',
      key: token,
      json: { eventId: crypto.randomUUID(), ...(body as object) },
    });
    expect(refused.status).toBe(status);
    expect((await refused.json<Problem>()).errors?.map((e) => e.field)).toEqual(
      expect.arrayContaining([expect.stringContaining(field)]) as string[],
    );
  });

  it("answers 404 for a task the learner's plan does not have, and for another learner's plan", async () => {
    await givenCourseAndLibrary();
    const owner = await givenLearner({ goals: ['basics'] });
    const plan = await (await today(owner.token)).json<Plan>();
    const other = await givenLearner({ goals: ['basics'] });
    const send = (token: string, planId: string, itemId: string) =>
      api(`/api/plans/${planId}/items/${itemId}/feedback`, {
        method: 'POST',
        key: token,
        json: { eventId: crypto.randomUUID(), outcome: 'completed' },
      });
    expect((await send(owner.token, plan.id, `${plan.date}-9`)).status).toBe(404);
    expect((await send(owner.token, 'plan_2020-01-01', '2020-01-01-1')).status).toBe(404);
    expect((await send(other.token, plan.id, plan.items[0]?.id ?? '')).status).toBe(404);
    expect((await send(owner.token, 'not-a-plan', '1')).status).toBe(400);
    // The owner's plan is untouched by the stranger.
    expect((await (await today(owner.token)).json<Plan>()).items.every((i) => i.status === 'open')).toBe(true);
  });
});
