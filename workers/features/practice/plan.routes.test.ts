import { describe, expect, it } from 'vitest';
import { givenCourseAndLibrary, PRACTICE_SEEDS } from '../../test/practice-seeds';
import type { Problem } from '../../http/problem';
import {
  api,
  buildCourse,
  freshIp,
  givenAuthorKey,
  givenLearner,
  learnerSql,
  PREFERENCES,
  push,
  untilLimited,
} from '../../test/builders';
import { localTime } from './plan.domain';
import type { Plan, PracticeProfile } from './plan.schemas';

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

  it("plans in the course the learner last worked in, from the default library when that course has none, with that course's preferences", async () => {
    const key = await givenCourseAndLibrary();
    await push(await buildCourse(4, {}, { slug: 'other-course', title: 'Other' }, { prefix: 'py-' }), key);
    const { token, learnerId } = await givenLearner({ goals: ['basics'], sessionMinutes: 30 });
    // Long sessions in this course only: the plan made in it is a deep diver's.
    const own = await api('/api/learners/me/preferences?course=other-course', {
      method: 'PUT',
      key: token,
      json: { ...PREFERENCES, goals: ['basics'], sessionMinutes: 60 },
    });
    expect(own.status).toBe(200);
    const complete = await api('/api/progress/lessons/py-lesson-1/complete', {
      method: 'POST',
      key: token,
      json: { eventId: crypto.randomUUID() },
    });
    expect(complete.status).toBe(200);
    const plan = await (await today(token)).json<Plan>();
    expect(plan.course).toBe('other-course');
    expect(plan.items.find((i) => i.category === 'learn')?.binding.lessonSlug).toBe('py-lesson-2');
    expect([plan.archetype, plan.reasons.archetype]).toEqual(['diver', expect.stringContaining('(60 min)')]);
    expect(await learnerSql(learnerId, 'SELECT course_id FROM plans')).toEqual([{ course_id: 'other-course' }]);
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

  it('keeps the day of a plan made from one zone when the next request names a zone a day ahead (no second plan, no second day of streak)', async () => {
    await givenCourseAndLibrary();
    const { token, learnerId } = await givenLearner({ goals: ['basics'] });
    // 25 hours apart: their dates differ at every instant.
    const first = await (await today(token, '?timeZone=Pacific/Pago_Pago')).json<Plan>();
    const ahead = await (await today(token, '?timeZone=Pacific/Kiritimati')).json<Plan>();
    expect(ahead).toEqual(first);
    expect(first).toMatchObject({ timeZone: 'Pacific/Pago_Pago', date: localTime(new Date(), 'Pacific/Pago_Pago').date });
    expect(await learnerSql(learnerId, 'SELECT count(*) AS n FROM plans')).toEqual([{ n: 1 }]);
    // A plan made over a day ago no longer holds its zone: the device's counts again.
    await learnerSql(learnerId, "UPDATE plans SET created_at = '2000-01-01T00:00:00.000Z'");
    const later = await (await today(token, '?timeZone=Pacific/Kiritimati')).json<Plan>();
    expect(later).toMatchObject({ timeZone: 'Pacific/Kiritimati', date: localTime(new Date(), 'Pacific/Kiritimati').date });
  });

  it.each([
    ['an unknown time zone', '?timeZone=Mars/Olympus', 400, 'query/timeZone'],
    ['a time zone that is too long', `?timeZone=${'A'.repeat(80)}`, 400, 'query/timeZone'],
    // Offsets and misspelt case resolve in the runtime, but are not IANA names: a fixed offset ignores daylight saving.
    ['a UTC offset instead of a zone', '?timeZone=%2B05:30', 400, 'query/timeZone'],
    ['a zone name in the wrong case', '?timeZone=europe/london', 400, 'query/timeZone'],
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
    await api('/api/admin/practice/library', { method: 'PUT', key, json: { variations: PRACTICE_SEEDS } });
    const stranger = await givenLearner(null);
    const notOnboarded = await today(stranger.token);
    expect(notOnboarded.status).toBe(409);
    expect((await notOnboarded.json<Problem>()).code).toBe('onboarding_required');
    expect((await api('/api/plans/today')).status).toBe(401);
    expect((await api('/api/plans/today', { key })).status).toBe(401);
  });

  it("limits each learner's requests in their object, and every request still counts against the address's limit", async () => {
    await givenCourseAndLibrary();
    const { token } = await givenLearner({ goals: ['basics'] });
    // 600 a minute (LEARNER_OBJECT_LIMIT), counted by the learner's object, not the binding.
    await untilLimited(600, 50, () => today(token));
    expect((await today((await givenLearner({ goals: ['basics'] })).token)).status).toBe(200);
    // Three learners from one address: the address's 1,200 a minute (LEARNER_IP_LIMIT) runs out first.
    const ip = freshIp();
    const learners = await Promise.all(Array.from({ length: 3 }, () => givenLearner({ goals: ['basics'] })));
    let n = 0;
    await untilLimited(1200, 50, () =>
      api('/api/plans/today', { key: learners[n++ % 3]?.token ?? '', headers: { 'cf-connecting-ip': ip } }),
    );
  }, 60_000);

  it('composes from the library as last pushed, though this isolate planned from the one before', async () => {
    const key = await givenCourseAndLibrary();
    const before = await givenLearner({ goals: ['basics'] });
    expect((await today(before.token)).status).toBe(200);
    const renamed = PRACTICE_SEEDS.map((v) => ({ ...v, id: `next-${v.id}` }));
    expect((await api('/api/admin/practice/library', { method: 'PUT', key, json: { variations: renamed } })).status).toBe(200);
    const after = await givenLearner({ goals: ['basics'] });
    const plan = await (await today(after.token)).json<Plan>();
    expect(plan.items.length).toBeGreaterThanOrEqual(3);
    for (const item of plan.items) expect(item.variationId).toMatch(/^next-/);
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
    // A revisit before anything is done (the learner's object keeps what it read): nothing below may be hidden by it.
    expect(await (await today(token)).json()).toEqual(plan);

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
    // The plan says what the learner told: the rating and the reason for the skip.
    expect(after.items.find((i) => i.id === first.id)).toMatchObject({ rating: 4 });
    expect(after.items.find((i) => i.id === second.id)).toMatchObject({ skipReason: 'no_time' });
    expect(after.items.find((i) => i.id === first.id)).not.toHaveProperty('outcome');
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

  it("refuses to skip a task the learner's own work completed, before or after the plan showed it ticked; a rating is still taken", async () => {
    await givenCourseAndLibrary();
    for (const seenFirst of [true, false]) {
      const { token } = await givenLearner({ goals: ['basics'], sessionMinutes: 45 });
      const plan = await (await today(token)).json<Plan>();
      const learn = plan.items.find((i) => i.category === 'learn' && i.completes.kind === 'lesson');
      if (!learn) throw new Error(`no self-completing learn task: ${plan.items.map((i) => i.variationId).join()}`);
      await api(`/api/progress/lessons/${learn.binding.lessonSlug ?? ''}/complete`, {
        method: 'POST',
        key: token,
        json: { eventId: crypto.randomUUID() },
      });
      if (seenFirst)
        expect((await (await today(token)).json<Plan>()).items.find((i) => i.id === learn.id)?.status).toBe('completed');
      const feedback = (json: object) =>
        api(`/api/plans/${plan.id}/items/${learn.id}/feedback`, {
          method: 'POST',
          key: token,
          json: { eventId: crypto.randomUUID(), ...json },
        });
      const skip = await feedback({ outcome: 'skipped', skipReason: 'too_hard' });
      expect(skip.status).toBe(409);
      expect((await skip.json<Problem>()).detail).toContain('completed it');
      expect(await (await feedback({ outcome: 'completed', rating: 5 })).json()).toEqual({ applied: true });
      const after = (await (await today(token)).json<Plan>()).items.find((i) => i.id === learn.id);
      expect(after).toMatchObject({ status: 'completed', rating: 5 });
      const profile = await (await api('/api/learners/me/practice-profile', { key: token })).json<PracticeProfile>();
      expect(JSON.stringify(profile)).not.toContain('too_hard');
    }
  });

  it.each<[string, unknown, number, string]>([
    ['a rating of 0', { outcome: 'completed', rating: 0 }, 400, 'json/rating'],
    ['a rating of 6', { outcome: 'completed', rating: 6 }, 400, 'json/rating'],
    ['a skip reason on a completion', { outcome: 'completed', skipReason: 'no_time' }, 400, 'json/skipReason'],
    ['an unknown outcome', { outcome: 'maybe' }, 400, 'json/outcome'],
    ['an unknown field', { outcome: 'completed', colour: 'red' }, 400, 'json/colour'],
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

describe('when and how long: time zone, preferred time and daily minutes from the preferences', () => {
  it("dates the plan in the stored time zone over the device's, and fits the daily minutes", async () => {
    await givenCourseAndLibrary();
    const { token } = await givenLearner({
      goals: ['basics'],
      sessionMinutes: 60,
      dailyMinutes: 15,
      timeZone: 'Pacific/Kiritimati',
      preferredTime: 'evening',
    });
    const plan = await (await today(token, '?timeZone=America/Los_Angeles')).json<Plan>();
    expect(plan).toMatchObject({ timeZone: 'Pacific/Kiritimati', date: localTime(new Date(), 'Pacific/Kiritimati').date });
    // The course's lessons have no sections to learn one of, and a whole lesson takes the day: it waits for a longer one.
    expect(plan.minutes).toBeLessThanOrEqual(15);
    expect(plan.items.length).toBeGreaterThanOrEqual(3);
    expect(plan.reasons.time).toBe('You chose to practise in the evening');
  });

  it.each([
    ['an unknown time zone', { timeZone: 'Mars/Olympus' }, 'json/timeZone'],
    ['a UTC offset instead of a zone', { timeZone: '-03:00' }, 'json/timeZone'],
    ['a lower-case utc', { timeZone: 'utc' }, 'json/timeZone'],
    ['a time of day that is not one', { preferredTime: 'noon' }, 'json/preferredTime'],
    ['too few daily minutes', { dailyMinutes: 2 }, 'json/dailyMinutes'],
  ])('refuses preferences with %s (400 naming the field, nothing stored)', async (_name, change, field) => {
    const { token } = await givenLearner({ goals: ['basics'] });
    const before = await (await api('/api/learners/me/preferences', { key: token })).json();
    const refused = await api('/api/learners/me/preferences', {
      method: 'PUT',
      key: token,
      json: { ...(before as object), ...change },
    });
    expect(refused.status).toBe(400);
    expect((await refused.json<Problem>()).errors?.map((e) => e.field)).toContain(field);
    expect(await (await api('/api/learners/me/preferences', { key: token })).json()).toEqual(before);
  });
});

describe('swapping a task', () => {
  const swap = (token: string, planId: string, itemId: string) =>
    api(`/api/plans/${planId}/items/${itemId}/swap`, { method: 'POST', key: token });
  /** A learner who has read the first lesson: apply and reflect tasks have a lesson to bind to, so each kind has several. */
  async function givenReader() {
    const learner = await givenLearner({ goals: ['basics'], sessionMinutes: 45 });
    const done = await api('/api/progress/lessons/lesson-1/complete', {
      method: 'POST',
      key: learner.token,
      json: { eventId: crypto.randomUUID() },
    });
    expect(done.status).toBe(200);
    return learner;
  }

  it('replaces an open task with the next best one of its category, and the old one leaves the plan', async () => {
    await givenCourseAndLibrary();
    const { token } = await givenReader();
    const plan = await (await today(token)).json<Plan>();
    const target = plan.items.find((i) => i.category !== 'learn');
    if (!target) throw new Error('no task to swap');
    const swapped = await swap(token, plan.id, target.id);
    expect(swapped.status).toBe(200);
    const after = await swapped.json<Plan>();
    expect(after.items).toHaveLength(plan.items.length);
    const index = plan.items.indexOf(target);
    const replacement = after.items[index];
    expect(replacement).toMatchObject({ category: target.category, status: 'open' });
    expect(replacement?.variationId).not.toBe(target.variationId);
    expect(replacement?.id).not.toBe(target.id);
    expect(replacement?.reasons[0]).toBe(`Swapped in for “${target.title}”`);
    expect(after.items.map((i) => i.id)).not.toContain(target.id);
    // The same plan on a revisit; the swapped task takes no feedback, and swapping it again is the 409 the route documents.
    expect(await (await today(token)).json()).toEqual(after);
    const late = await api(`/api/plans/${plan.id}/items/${target.id}/feedback`, {
      method: 'POST',
      key: token,
      json: { eventId: crypto.randomUUID(), outcome: 'completed' },
    });
    expect(late.status).toBe(404);
    const again = await swap(token, plan.id, target.id);
    expect(again.status).toBe(409);
    expect((await again.json<Problem>()).detail).toBe(
      `Task ${target.id} was swapped already: swap the task that replaced it instead`,
    );
  });

  it('swaps a task once when two swaps of it come at once, and refuses a task already done', async () => {
    await givenCourseAndLibrary();
    const { token } = await givenReader();
    const plan = await (await today(token)).json<Plan>();
    const [first, second] = plan.items.filter((i) => i.category !== 'learn');
    if (!first || !second) throw new Error('plan too small');
    const statuses = (await Promise.all([swap(token, plan.id, first.id), swap(token, plan.id, first.id)])).map((r) => r.status);
    expect(statuses.sort()).toEqual([200, 409]);
    const after = await (await today(token)).json<Plan>();
    expect(after.items).toHaveLength(plan.items.length);
    await api(`/api/plans/${plan.id}/items/${second.id}/feedback`, {
      method: 'POST',
      key: token,
      json: { eventId: crypto.randomUUID(), outcome: 'completed' },
    });
    const done = await swap(token, plan.id, second.id);
    expect(done.status).toBe(409);
    expect((await done.json<Problem>()).detail).toBe(`Task ${second.id} is already completed: only an open task can be swapped`);
  });

  it('says when nothing else of the category is left, and keeps other learners out', async () => {
    await givenCourseAndLibrary();
    const { token } = await givenLearner({ goals: ['basics'], sessionMinutes: 45 });
    const plan = await (await today(token)).json<Plan>();
    const learn = plan.items.find((i) => i.category === 'learn');
    if (!learn) throw new Error('no learn task');
    const other = await givenLearner({ goals: ['basics'] });
    expect((await swap(other.token, plan.id, learn.id)).status).toBe(404);
    expect((await swap(token, plan.id, `${plan.date}-9`)).status).toBe(404);
    expect((await swap(token, 'plan_tomorrow', learn.id)).status).toBe(400);
    // The learn category has a few groups: swap until none is left, then 409 and the plan keeps its last task.
    let current = learn.id;
    let last: Response | null = null;
    for (let i = 0; i < 10; i++) {
      last = await swap(token, plan.id, current);
      if (last.status !== 200) break;
      const after = await last.json<Plan>();
      current = after.items.find((t) => t.category === 'learn')?.id ?? '';
    }
    expect(last?.status).toBe(409);
    expect((await (last as Response).json<Problem>()).detail).toMatch(
      /Nothing else of the learn kind fits today|swapped 10 times/,
    );
    expect((await (await today(token)).json<Plan>()).items.filter((i) => i.category === 'learn')).toHaveLength(1);
  });
});

describe('DYNAMIC_PLANS', () => {
  it('off: the fixed plan, the next lesson and due reviews, the same for every learner', async () => {
    await givenCourseAndLibrary();
    const plans = [];
    for (const sessionMinutes of [10, 60]) {
      const { token } = await givenLearner({ goals: ['basics'], sessionMinutes });
      const response = await api('/api/plans/today', { key: token, vars: { DYNAMIC_PLANS: 'off' } });
      expect(response.status).toBe(200);
      plans.push(await response.json<Plan>());
    }
    for (const plan of plans) {
      expect(plan.items.map((i) => [i.category, i.binding.lessonSlug])).toEqual([['learn', 'lesson-1']]);
      expect(plan.items[0]?.reasons).toContain('The fixed plan: the same shape every day');
    }
    expect(plans[0]?.items[0]?.variationId).toBe(plans[1]?.items[0]?.variationId);
  });
});

describe('practice profile', () => {
  it('starts neutral with nothing behind it, and counts what the learner did today', async () => {
    await givenCourseAndLibrary();
    const { token } = await givenLearner({ goals: ['basics'], sessionMinutes: 45, timeZone: 'Europe/London' });
    const fresh = await (await api('/api/learners/me/practice-profile', { key: token })).json<PracticeProfile>();
    expect(fresh).toMatchObject({
      timeZone: 'Europe/London',
      plannedDays: 0,
      varietySeeking: { value: null },
      consistency: { value: null, evidence: { plannedDays: 0, practisedDays: 0, streak: 0 } },
      sessionMinutes: { value: null },
      phase: { value: 'discovery' },
    });
    expect(fresh.affinity.every((a) => a.value === 0.5 && a.evidence.completed === 0)).toBe(true);
    const plan = await (await today(token)).json<Plan>();
    const task = plan.items[0];
    if (!task) throw new Error('empty plan');
    await api(`/api/plans/${plan.id}/items/${task.id}/feedback`, {
      method: 'POST',
      key: token,
      json: { eventId: crypto.randomUUID(), outcome: 'completed', rating: 5 },
    });
    const after = await (await api('/api/learners/me/practice-profile', { key: token })).json<PracticeProfile>();
    expect(after.consistency.evidence).toMatchObject({ plannedDays: 1, practisedDays: 1, streak: 1 });
    const affinity = after.affinity.find((a) => a.category === task.category);
    // One rating of 5 moves the smoothed affinity from 0.5 only to (2.5 + 1) / 6.
    expect(affinity?.value).toBeCloseTo(3.5 / 6, 5);
    expect(affinity?.evidence).toMatchObject({ completed: 1, rated: 1, meanRating: 5 });
    expect(Object.values(after.preferredTime.evidence.sessions).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('moves to establishment after a week of plans, and steps back when consistency collapses', async () => {
    await givenCourseAndLibrary();
    const { token, learnerId } = await givenLearner({ goals: ['basics'] });
    const plan = await (await today(token)).json<Plan>();
    const item = { ...plan.items[0], group: 'g', binding: {}, completes: { kind: 'check_off' } };
    const day = (n: number) => new Date(Date.parse(`${plan.date}T12:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);
    const seed = async (days: number[], status: (n: number) => string) => {
      for (const n of days) {
        const items = JSON.stringify([{ ...item, id: `${day(n)}-1`, status: status(n) }]);
        await learnerSql(
          learnerId,
          `INSERT INTO plans (date, course_id, created_at, time_zone, archetype, mode, phase, reasons, items) VALUES (?, 'c', ?, 'UTC', 'builder', 'standard', 'discovery', '{}', ?)`,
          day(n),
          `${day(n)}T08:00:00.000Z`,
          items,
        );
      }
    };
    // Ten days of plans, all practised: establishment.
    await seed([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], () => 'completed');
    const steady = await (await api('/api/learners/me/practice-profile', { key: token })).json<PracticeProfile>();
    expect(steady.phase.value).toBe('establishment');
    expect(steady.consistency).toMatchObject({ value: 1, evidence: { plannedDays: 10, practisedDays: 10, streak: 10 } });
    // Twelve more days, the last 14 nearly all left open: consistency collapses and the phase steps back.
    await learnerSql(learnerId, 'DELETE FROM plans WHERE date != ?', plan.date);
    await seed([...Array.from({ length: 22 }, (_, i) => i + 1)], (n) => (n > 14 || n === 3 ? 'completed' : 'open'));
    const lapsed = await (await api('/api/learners/me/practice-profile', { key: token })).json<PracticeProfile>();
    expect(lapsed.consistency.value).toBeCloseTo(1 / 14, 5);
    expect(lapsed.phase).toEqual({
      value: 'establishment',
      reason: 'Back to establishment: you practised on 7% of planned days lately',
    });
    expect((await api('/api/learners/me/practice-profile')).status).toBe(401);
    expect((await api('/api/learners/me/practice-profile', { key: (await givenLearner(null)).token })).status).toBe(409);
  });
});
