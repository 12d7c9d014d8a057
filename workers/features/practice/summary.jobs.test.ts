import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { depsFor } from '../../deps';
import type { FakeReply } from '../../../scripts/fake-openai';
import type { Problem } from '../../http/problem';
import worker from '../../index';
import { api, DELIVERY, flushLearners, givenLearner, learnerHandle, learnerSql } from '../../test/builders';
import { timingCount } from '../../../bench/server-timing';
import { givenFakeModel } from '../../test/fake-model';
import { givenCourseAndLibrary } from '../../test/practice-seeds';
import { localTime } from './plan.domain';
import type { Plan } from './plan.schemas';
import { buildDueSummaries } from './summary.jobs';
import { addDays, isoWeek, localMidnight, weekStart } from './summary.domain';
import type { WeeklySummary } from './summary.schemas';

const deps = () => depsFor(env, {});
const schedule = async (learnerId: string) =>
  (await env.DB.prepare('SELECT next_at FROM summary_schedule WHERE learner_id = ?').bind(learnerId).first<{ next_at: string }>())
    ?.next_at ?? null;
/** The learner's place on the schedule once their object's outbox (which a week's first plan writes to) reached D1. */
async function scheduled(learnerId: string): Promise<string> {
  await flushLearners(learnerId);
  return vi.waitFor(async () => {
    const at = await schedule(learnerId);
    if (at === null) throw new Error(`${learnerId} is not on the schedule yet`);
    return at;
  }, DELIVERY);
}
const makeDue = (learnerId: string) =>
  env.DB.prepare("UPDATE summary_schedule SET next_at = '2020-01-01T00:00:00.000Z' WHERE learner_id = ?").bind(learnerId).run();

/** A learner with today's plan (which puts them on the schedule) and plans on `daysAgo` days before today, each with one task done. */
async function givenPlanner(daysAgo: number[], timeZone = 'Europe/London') {
  await givenCourseAndLibrary();
  const learner = await givenLearner({ goals: ['basics'], timeZone });
  const plan = await (await api('/api/plans/today', { key: learner.token })).json<Plan>();
  await scheduled(learner.learnerId);
  const item = plan.items[0];
  for (const n of daysAgo) {
    const date = addDays(plan.date, -n);
    await learnerSql(
      learner.learnerId,
      `INSERT INTO plans (date, course_id, created_at, time_zone, archetype, mode, phase, reasons, items) VALUES (?, 'c', ?, ?, 'builder', 'standard', 'discovery', '{}', ?)`,
      date,
      `${date}T08:00:00.000Z`,
      timeZone,
      JSON.stringify([
        { ...item, id: `${date}-1`, status: 'completed' },
        { ...item, id: `${date}-2`, status: 'skipped' },
      ]),
    );
  }
  return { ...learner, plan };
}

const summaries = async (token: string, query = '') =>
  (await (await api(`/api/learners/me/summaries${query}`, { key: token })).json<{ summaries: WeeklySummary[] }>()).summaries;

describe('weekly summaries', { timeout: 30_000 }, () => {
  it('puts a learner with plans on the schedule for the end of their local week', async () => {
    const { learnerId, plan } = await givenPlanner([], 'America/New_York');
    expect(await schedule(learnerId)).toBe(localMidnight(addDays(weekStart(plan.date), 7), 'America/New_York'));
  });

  it('makes the week’s first plan without waiting on a D1 write: the schedule follows through the learner’s outbox', async () => {
    await givenCourseAndLibrary();
    const learner = await givenLearner({ goals: ['basics'], timeZone: 'Asia/Tokyo' });
    const response = await api('/api/plans/today', { key: learner.token });
    expect(response.status).toBe(200);
    const plan = await response.json<Plan>();
    expect(timingCount(response.headers.get('server-timing') ?? '', 'd1w')).toBe(0);
    const due = localMidnight(addDays(weekStart(plan.date), 7), 'Asia/Tokyo');
    expect(await scheduled(learner.learnerId)).toBe(due);
    // Learners who keep their data out of analytics (before the plan, or after it and before the send) are owed summaries all the same.
    const privately = async (token: string) => {
      const consent = { model: true, analytics: false };
      expect((await api('/api/learners/me/consent', { method: 'PUT', key: token, json: consent })).status).toBe(200);
    };
    const before = await givenLearner({ goals: ['basics'], timeZone: 'Asia/Tokyo' });
    await privately(before.token);
    expect((await api('/api/plans/today', { key: before.token })).status).toBe(200);
    const after = await givenLearner({ goals: ['basics'], timeZone: 'Asia/Tokyo' });
    expect((await api('/api/plans/today', { key: after.token })).status).toBe(200);
    await privately(after.token);
    expect(await scheduled(before.learnerId)).toBe(due);
    expect(await scheduled(after.learnerId)).toBe(due);
  });

  it('builds each owed week once: a second run, or a run after a crash between the two steps, adds nothing', async () => {
    const { learnerId, token, plan } = await givenPlanner([7, 8]);
    const lastWeek = isoWeek(addDays(plan.date, -7));
    await makeDue(learnerId);
    const first = await buildDueSummaries(deps(), new Date());
    expect(first).toMatchObject({ weeks: expect.any(Number) as number, failed: 0 });
    expect(first.learners).toBeGreaterThanOrEqual(1);
    const stored = await summaries(token);
    expect(stored.map((s) => s.week)).toContain(lastWeek);
    const summary = stored.find((s) => s.week === lastWeek);
    expect(summary).toMatchObject({ complete: true, timeZone: 'Europe/London' });
    expect(summary?.insights.length).toBeGreaterThanOrEqual(2);
    // The next one is due when this local week ends.
    expect(await schedule(learnerId)).toBe(localMidnight(addDays(weekStart(plan.date), 7), 'Europe/London'));
    // Again: nothing is due, nothing is built.
    expect((await buildDueSummaries(deps(), new Date())).weeks).toBe(0);
    // A crash after the object built but before the schedule moved on: the row is still due, and the run adds nothing.
    await learnerHandle(learnerId).buildSummaries(learnerId, new Date().toISOString(), []);
    await makeDue(learnerId);
    const again = await buildDueSummaries(deps(), new Date());
    expect(again.failed).toBe(0);
    expect(await summaries(token)).toEqual(stored);
    expect(await learnerSql(learnerId, 'SELECT count(*) AS n FROM weekly_summaries')).toEqual([{ n: stored.length }]);
  });

  it('catches up many weeks 8 at a time, staying due until all are built', async () => {
    const { learnerId, token } = await givenPlanner(Array.from({ length: 10 }, (_, i) => 7 * (i + 1)));
    await makeDue(learnerId);
    await buildDueSummaries(deps(), new Date());
    expect((await summaries(token)).length).toBe(8);
    expect(await schedule(learnerId)).not.toBe('2020-01-01T00:00:00.000Z');
    expect((await schedule(learnerId)) ?? '').toBeTruthy();
    await buildDueSummaries(deps(), new Date());
    const all = await summaries(token);
    expect(all.length).toBe(10);
    // Newest first, each week once.
    expect(all.map((s) => s.week)).toEqual([...new Set(all.map((s) => s.week))].sort().reverse());
  });

  it('runs from the cron, and takes learners whose object is gone off the schedule', async () => {
    const { learnerId, token, plan } = await givenPlanner([7]);
    await makeDue(learnerId);
    await env.DB.prepare(
      "INSERT INTO summary_schedule (learner_id, next_at) VALUES ('lrn_gone_gone_gone_gone', '2020-01-01T00:00:00.000Z')",
    ).run();
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: new Date(), cron: '*/10 * * * *' }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect((await summaries(token)).map((s) => s.week)).toContain(isoWeek(addDays(plan.date, -7)));
    expect(await schedule('lrn_gone_gone_gone_gone')).toBeNull();
  });

  it('returns one week on ?week=, 404 for a week without one, 400 for a malformed week, and the week so far', async () => {
    const { learnerId, token, plan } = await givenPlanner([1, 7]);
    await makeDue(learnerId);
    await buildDueSummaries(deps(), new Date());
    const lastWeek = isoWeek(addDays(plan.date, -7));
    expect((await summaries(token, `?week=${lastWeek}`)).map((s) => s.week)).toEqual([lastWeek]);
    const missing = await api('/api/learners/me/summaries?week=2020-W01', { key: token });
    expect(missing.status).toBe(404);
    expect((await missing.json<Problem>()).detail).toBe('You have no summary of 2020-W01');
    const bad = await api('/api/learners/me/summaries?week=2020-54', { key: token });
    expect(bad.status).toBe(400);
    expect((await bad.json<Problem>()).errors?.map((e) => e.field)).toContain('query/week');
    const current = await (await api('/api/learners/me/summaries/current', { key: token })).json<WeeklySummary>();
    expect(current).toMatchObject({ complete: false, week: isoWeek(localTime(new Date(), 'Europe/London').date) });
    expect(current.days).toHaveLength(7);
    // Another learner sees none of it.
    const other = await givenLearner({ goals: ['basics'] });
    expect(await summaries(other.token)).toEqual([]);
    expect((await api('/api/learners/me/summaries')).status).toBe(401);
  });

  it('leaves the schedule when the learner erases their data', async () => {
    const { learnerId, token } = await givenPlanner([]);
    expect(await schedule(learnerId)).not.toBeNull();
    const erased = await api('/api/learners/me', { method: 'DELETE', key: token });
    expect(erased.status).toBeLessThan(300);
    expect(await schedule(learnerId)).toBeNull();
  });
});

describe('weekly summaries of a learner who stopped', { timeout: 30_000 }, () => {
  it('builds what they are owed, then takes them off the schedule until their next plan', async () => {
    const { learnerId, token, plan } = await givenPlanner([]);
    // Only plans six and seven weeks ago: today's is not theirs any more.
    await learnerSql(learnerId, 'DELETE FROM plans');
    await learnerSql(
      learnerId,
      `INSERT INTO plans (date, course_id, created_at, time_zone, archetype, mode, phase, reasons, items) VALUES (?, 'c', ?, 'UTC', 'builder', 'standard', 'discovery', '{}', '[]')`,
      addDays(plan.date, -42),
      `${addDays(plan.date, -42)}T08:00:00.000Z`,
    );
    await makeDue(learnerId);
    await buildDueSummaries(deps(), new Date());
    expect((await summaries(token)).map((s) => s.week)).toEqual([isoWeek(addDays(plan.date, -42))]);
    expect(await schedule(learnerId)).toBeNull();
    // Back: today's plan puts them on it again.
    await api('/api/plans/today', { key: token });
    expect(await scheduled(learnerId)).toBeTruthy();
  });
});

describe('weekly summaries phrased by a configured model', { timeout: 30_000 }, () => {
  async function givenModel(replies: FakeReply[]) {
    const { model, vars } = await givenFakeModel(replies);
    return { model, deps: () => depsFor({ ...env, ...vars } as typeof env, {}) };
  }

  it('keeps the model’s sentences that state exactly their numbers, and the offline ones otherwise', async () => {
    const { learnerId, token } = await givenPlanner([7]);
    await makeDue(learnerId);
    // The offline sentences, to phrase: built once without a model, then taken back to be built again.
    await buildDueSummaries(deps(), new Date());
    const [offline] = await summaries(token);
    if (!offline) throw new Error('no summary');
    await learnerSql(learnerId, 'DELETE FROM weekly_summaries');
    await makeDue(learnerId);
    const kept = offline.insights.map((i, k) => (k === 0 ? `Well done: ${i.text}` : `${i.text} Also 99 more.`));
    const { model, deps: withModel } = await givenModel([{ content: JSON.stringify(kept) }]);
    const run = await buildDueSummaries(withModel(), new Date());
    expect(run).toMatchObject({ weeks: 1, phrased: 1, failed: 0 });
    const [phrased] = await summaries(token);
    expect(phrased?.phrasedBy).toBe(model);
    expect(phrased?.insights[0]?.text).toBe(`Well done: ${offline.insights[0]?.text ?? ''}`);
    // A sentence that added a number keeps the offline one.
    expect(phrased?.insights.slice(1)).toEqual(offline.insights.slice(1));
  });

  it('keeps the offline sentences when the model fails or answers out of form', async () => {
    for (const reply of [{ status: 500 }, { content: 'Great week!' }] as FakeReply[]) {
      const { learnerId, token } = await givenPlanner([7]);
      await makeDue(learnerId);
      const { deps: withModel } = await givenModel([reply]);
      const run = await buildDueSummaries(withModel(), new Date());
      expect(run).toMatchObject({ weeks: 1, phrased: 0, failed: 0 });
      const [summary] = await summaries(token);
      expect(summary?.phrasedBy ?? null).toBeNull();
      expect(summary?.insights.length).toBeGreaterThanOrEqual(2);
    }
  });
});
