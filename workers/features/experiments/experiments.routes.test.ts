import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { depsFor } from '../../deps';
import type { Problem } from '../../http/problem';
import { api, d1Rows, DELIVERY, flushLearners, givenAuthorKey, givenLearner, learnerSql } from '../../test/builders';
import { givenCourseAndLibrary } from '../../test/practice-seeds';
import type { Plan } from '../practice/plan.schemas';
import { decide } from './experiments.client';
import type { Experiment, ExperimentResults, Flag } from './experiments.schemas';

const FIXED_REASON = 'The fixed plan: the same shape every day';

/** An experiment on the planner: composed plans (control) against the fixed plan. */
const planExperiment = (id: string, weights: [number, number] = [50, 50], extra: Record<string, unknown> = {}) => ({
  id,
  name: 'Composed against fixed plans',
  hypothesis: 'Composed plans get more tasks done',
  flagKey: 'plans.dynamic',
  variants: [
    { key: 'composed', weight: weights[0], value: true },
    { key: 'fixed', weight: weights[1], value: false },
  ],
  primaryMetric: 'plan_tasks_completed',
  guardrailMetrics: ['return_1d'],
  ...extra,
});

const admin = (key: string, path: string, init: { method?: string; json?: unknown } = {}) =>
  api(`/api/admin${path}`, { key, ...init });

/** Removes every experiment and flag this file made, so the payload is empty for the next test. */
async function clean(key: string) {
  await env.DB.prepare('DELETE FROM experiments').run();
  await env.DB.prepare('DELETE FROM flags').run();
  // Publishing through a route also makes this isolate forget its copy of the payload.
  await admin(key, '/flags/cleanup.marker', { method: 'PUT', json: { defaultValue: true } });
  await admin(key, '/flags/cleanup.marker', { method: 'DELETE' });
}

const planOf = async (token: string) => (await api('/api/plans/today', { key: token })).json<Plan>();
const isFixed = (plan: Plan) => plan.items.some((i) => i.reasons.includes(FIXED_REASON));

describe('admin scope', () => {
  it('every flag and experiment route needs an admin key: 401 without one, 403 with a content key', async () => {
    const content = await givenAuthorKey({ scopes: ['content'] });
    const routes: [string, string][] = [
      ['GET', '/flags'],
      ['PUT', '/flags/plans.dynamic'],
      ['DELETE', '/flags/plans.dynamic'],
      ['GET', '/experiments'],
      ['POST', '/experiments'],
      ['PUT', '/experiments/x'],
      ['POST', '/experiments/x/start'],
      ['POST', '/experiments/x/stop'],
      ['GET', '/experiments/x/results'],
    ];
    for (const [method, path] of routes) {
      expect((await api(`/api/admin${path}`, { method })).status, `${method} ${path}`).toBe(401);
      const forbidden = await api(`/api/admin${path}`, { method, key: content, ...(method === 'GET' ? {} : { json: {} }) });
      expect(forbidden.status, `${method} ${path}`).toBe(403);
      expect(forbidden.headers.get('content-type')).toContain('application/problem+json');
    }
  });
});

describe('bad input', () => {
  it('names the field: a split not summing to 100, an unknown metric, a value of the wrong shape, a body for another id', async () => {
    const key = await givenAuthorKey({ scopes: ['admin'] });
    const cases: [unknown, string][] = [
      [planExperiment('split', [50, 40]), 'json/variants'],
      [{ ...planExperiment('metric'), primaryMetric: 'happiness' }, 'json/primaryMetric'],
      [{ ...planExperiment('one'), variants: [{ key: 'only', weight: 100, value: true }] }, 'json/variants'],
      [
        {
          ...planExperiment('shape'),
          variants: [
            { key: 'a', weight: 50, value: true },
            { key: 'b', weight: 50, value: 'no' },
          ],
        },
        'json/variants/1/value',
      ],
      [{ ...planExperiment('ns'), namespace: { name: 'plans', range: [0.6, 0.2] } }, 'json/namespace/range'],
      [{ ...planExperiment('guard'), guardrailMetrics: ['plan_tasks_completed'] }, 'json/guardrailMetrics'],
    ];
    for (const [json, field] of cases) {
      const response = await admin(key, '/experiments', { method: 'POST', json });
      expect(response.status, field).toBe(400);
      const problem = await response.json<Problem>();
      expect(
        problem.errors?.map((e) => e.field),
        field,
      ).toContain(field);
    }
    const flag = await admin(key, '/flags/recs.weights', { method: 'PUT', json: { defaultValue: { goal: 2 } } });
    expect(flag.status).toBe(400);
    expect((await flag.json<Problem>()).errors?.map((e) => e.field)).toContain('json/defaultValue/goal');
    expect((await admin(key, '/experiments/nope/results')).status).toBe(404);
    const created = await admin(key, '/experiments', { method: 'POST', json: planExperiment('mine') });
    expect(created.status).toBe(201);
    const other = await admin(key, '/experiments/mine', { method: 'PUT', json: planExperiment('theirs') });
    expect((await other.json<Problem>()).errors?.map((e) => e.field)).toEqual(['json/id']);
    // Nothing of the refused requests was stored.
    expect((await d1Rows('SELECT id FROM experiments')).map((r) => r.id)).toEqual(['mine']);
    await clean(key);
  });

  it('refuses to start an experiment that overlaps a running one in its namespace, or runs on the same flag', async () => {
    const key = await givenAuthorKey({ scopes: ['admin'] });
    const ns = (range: [number, number]) => ({ namespace: { name: 'planner', range } });
    await admin(key, '/experiments', { method: 'POST', json: planExperiment('left', [50, 50], ns([0, 0.5])) });
    await admin(key, '/experiments', { method: 'POST', json: planExperiment('overlap', [50, 50], ns([0.4, 0.9])) });
    await admin(key, '/experiments', { method: 'POST', json: planExperiment('right', [50, 50], ns([0.5, 1])) });
    expect((await admin(key, '/experiments/left/start', { method: 'POST' })).status).toBe(200);
    const clash = await admin(key, '/experiments/overlap/start', { method: 'POST' });
    expect(clash.status).toBe(409);
    expect((await clash.json<Problem>()).errors).toEqual([
      { field: 'json/namespace/range', message: expect.stringContaining('left') as string },
    ]);
    // Exclusive ranges of one namespace may run together.
    expect((await admin(key, '/experiments/right/start', { method: 'POST' })).status).toBe(200);
    await admin(key, '/experiments', { method: 'POST', json: planExperiment('bare') });
    expect((await admin(key, '/experiments/bare/start', { method: 'POST' })).status).toBe(409);
    await clean(key);
  });
});

describe('flags', () => {
  it('a flag on plans.dynamic gives everyone the fixed plan; deleting it gives the composed plan back', async () => {
    await givenCourseAndLibrary();
    const key = await givenAuthorKey({ scopes: ['admin'] });
    const put = await admin(key, '/flags/plans.dynamic', {
      method: 'PUT',
      json: { description: 'Compare with the fixed plan', defaultValue: false },
    });
    expect(put.status).toBe(200);
    expect((await admin(key, '/flags').then((r) => r.json<{ flags: Flag[] }>())).flags.map((f) => f.key)).toEqual([
      'plans.dynamic',
    ]);
    const { token } = await givenLearner({ goals: ['basics'] });
    expect(isFixed(await planOf(token))).toBe(true);
    expect((await admin(key, '/flags/plans.dynamic', { method: 'DELETE' })).status).toBe(204);
    const { token: later } = await givenLearner({ goals: ['basics'] });
    expect(isFixed(await planOf(later))).toBe(false);
    await clean(key);
  });

  it('targeting rules decide by the learner’s attributes', async () => {
    await givenCourseAndLibrary();
    const key = await givenAuthorKey({ scopes: ['admin'] });
    await admin(key, '/flags/plans.dynamic', {
      method: 'PUT',
      json: { defaultValue: true, rules: [{ condition: { experience: 'none' }, value: false }] },
    });
    const newcomer = await givenLearner({ goals: ['basics'], experience: 'none' });
    const seasoned = await givenLearner({ goals: ['basics'], experience: 'basic' });
    expect(isFixed(await planOf(newcomer.token))).toBe(true);
    expect(isFixed(await planOf(seasoned.token))).toBe(false);
    await clean(key);
  });
});

describe('an experiment on the planner', () => {
  it(
    'assigns learners stably and by id, exposes each once, leaves out those who declined, and keeps variants when the split changes',
    { timeout: 60_000 },
    async () => {
      await givenCourseAndLibrary();
      const key = await givenAuthorKey({ scopes: ['admin'] });
      expect((await admin(key, '/experiments', { method: 'POST', json: planExperiment('planner') })).status).toBe(201);
      const started = await admin(key, '/experiments/planner/start', { method: 'POST' });
      expect((await started.json<Experiment>()).status).toBe('running');

      const learners = [];
      for (let i = 0; i < 24; i++) learners.push(await givenLearner({ goals: ['basics'] }));
      const variantOf = async (learnerId: string) =>
        (await learnerSql<{ variant: string }>(learnerId, 'SELECT variant FROM experiment_assignments'))[0]?.variant;
      const assigned = new Map<string, string>();
      for (const { token, learnerId } of learners) {
        const plan = await planOf(token);
        const variant = await variantOf(learnerId);
        expect(variant).toMatch(/^(composed|fixed)$/);
        // The plan is the variant's.
        expect(isFixed(plan)).toBe(variant === 'fixed');
        assigned.set(learnerId, variant as string);
      }
      expect(new Set(assigned.values())).toEqual(new Set(['composed', 'fixed']));

      // Declined: the default plan, no assignment, never counted.
      const declined = await givenLearner({ goals: ['basics'] });
      await api('/api/learners/me/consent', { method: 'PUT', key: declined.token, json: { model: true, analytics: false } });
      const deps = depsFor(env, {});
      for (let i = 0; i < 3; i++) {
        expect(await decide(deps, declined.learnerId, 'plans.dynamic', true)).toEqual({ value: true, source: 'default' });
      }
      expect(await learnerSql(declined.learnerId, 'SELECT * FROM experiment_assignments')).toEqual([]);

      // A changed split (90/10) keeps everyone's variant: sticky buckets in the learner's object.
      const edited = await admin(key, '/experiments/planner', { method: 'PUT', json: planExperiment('planner', [90, 10]) });
      expect((await edited.json<Experiment>()).weights).toEqual([0.9, 0.1]);
      for (const { learnerId } of learners) {
        const again = await decide(deps, learnerId, 'plans.dynamic', true);
        expect(again).toMatchObject({ source: 'experiment', experimentId: 'planner', variant: assigned.get(learnerId) });
      }
      // Evaluating flags and experiments reads KV (once per isolate and 30 s) and the learner's object, never D1.
      expect(deps.meter.d1Queries).toBe(0);
      expect(deps.meter.learnerCalls).toBe(learners.length + 3);

      // Each learner's exposure reaches D1 once, however often they were evaluated.
      await flushLearners(...learners.map((l) => l.learnerId), declined.learnerId);
      await expect
        .poll(
          async () => (await d1Rows("SELECT count(*) AS n FROM experiment_exposures WHERE experiment_id = 'planner'"))[0]?.n,
          DELIVERY,
        )
        .toBe(learners.length);
      const rows = await d1Rows("SELECT learner_id, variant FROM experiment_exposures WHERE experiment_id = 'planner'");
      for (const row of rows) expect(row.variant).toBe(assigned.get(row.learner_id as string));
      expect(rows.some((r) => r.learner_id === declined.learnerId)).toBe(false);

      const results = await (await admin(key, '/experiments/planner/results')).json<ExperimentResults>();
      const fixed = [...assigned.values()].filter((v) => v === 'fixed').length;
      expect(results.exposures).toEqual([
        { variant: 'composed', learners: learners.length - fixed, weight: 0.9 },
        { variant: 'fixed', learners: fixed, weight: 0.1 },
      ]);
      expect(results.metrics.map((m) => [m.metric, m.role])).toEqual([
        ['plan_tasks_completed', 'primary'],
        ['return_1d', 'guardrail'],
      ]);
      const markdown = await (await admin(key, '/experiments/planner/results?format=markdown')).text();
      expect(markdown).toContain('| metric | role | variant | learners |');
      expect(markdown).toContain('Sample ratio: chi-square');

      // Stopped: everyone gets the default again, and the results stay readable.
      expect((await admin(key, '/experiments/planner/stop', { method: 'POST' })).status).toBe(200);
      const first = learners.find((l) => assigned.get(l.learnerId) === 'fixed') as { learnerId: string };
      expect(await decide(deps, first.learnerId, 'plans.dynamic', true)).toEqual({ value: true, source: 'default' });
      expect((await admin(key, '/experiments/planner/results')).status).toBe(200);
      await clean(key);
    },
  );
});

describe('experiment results by course', () => {
  it("measures the metrics on the learners' activity in one course with ?course=, each course its own snapshot", async () => {
    const key = await givenAuthorKey({ scopes: ['admin'] });
    await givenCourseAndLibrary();
    expect((await admin(key, '/experiments', { method: 'POST', json: planExperiment('by-course') })).status).toBe(201);
    const today = new Date().toISOString().slice(0, 10);
    // Two learners exposed today; each completed plan tasks in two courses.
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO experiment_exposures (experiment_id, learner_id, variant, exposed_at) VALUES ('by-course', 'l1', 'composed', ?), ('by-course', 'l2', 'fixed', ?)",
      ).bind(`${today}T00:00:00.000Z`, `${today}T00:00:00.000Z`),
      env.DB.prepare(
        `INSERT INTO learner_activity_daily (learner_id, course_id, day, plan_done) VALUES
           ('l1', 'test-course', ?1, 3), ('l1', 'other-course', ?1, 5), ('l2', 'test-course', ?1, 1), ('l2', 'other-course', ?1, 7)`,
      ).bind(today),
    ]);
    const primary = async (query: string) =>
      Object.fromEntries(
        (
          (await (await admin(key, `/experiments/by-course/results${query}`)).json<ExperimentResults>()).metrics.find(
            (m) => m.metric === 'plan_tasks_completed',
          )?.variants ?? []
        ).map((v) => [v.variant, v.unadjustedMean]),
      );
    expect(await primary('?fresh=true')).toEqual({ composed: 8, fixed: 8 });
    expect(await primary('?fresh=true&course=other-course')).toEqual({ composed: 5, fixed: 7 });
    expect(await primary('?course=test-course')).toEqual({ composed: 3, fixed: 1 });
    // The unfiltered snapshot is still the catalog's.
    expect(await primary('')).toEqual({ composed: 8, fixed: 8 });
    await clean(key);
  });
});
