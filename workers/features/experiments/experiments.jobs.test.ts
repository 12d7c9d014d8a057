import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { depsFor } from '../../deps';
import { api, givenAuthorKey } from '../../test/builders';
import { updateBandits } from './experiments.jobs';
import type { Experiment, ExperimentResults } from './experiments.schemas';
import { readPayload } from './experiments.store';

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

const admin = (key: string, path: string, init: { method?: string; json?: unknown } = {}) =>
  api(`/api/admin${path}`, { key, ...init });

async function givenRunning(key: string, json: Record<string, unknown>): Promise<void> {
  expect((await admin(key, '/experiments', { method: 'POST', json })).status).toBe(201);
  expect((await admin(key, `/experiments/${json.id as string}/start`, { method: 'POST' })).status).toBe(200);
}

/** Learners exposed to a variant on `exposed` (ms), with rollup rows: `rows(i)` gives each learner's days. */
async function givenExposed(
  experimentId: string,
  variant: string,
  count: number,
  exposed: number,
  rows: (i: number) => { day: string; activeSeconds?: number; completions?: number; attempts?: number; correct?: number }[],
) {
  const statements = [];
  for (let i = 0; i < count; i++) {
    const learnerId = `${experimentId}-${variant}-${i}`;
    statements.push(
      env.DB.prepare(
        'INSERT INTO experiment_exposures (experiment_id, learner_id, variant, exposed_at) VALUES (?, ?, ?, ?)',
      ).bind(experimentId, learnerId, variant, new Date(exposed).toISOString()),
    );
    for (const r of rows(i)) {
      statements.push(
        env.DB.prepare(
          `INSERT INTO learner_activity_daily (learner_id, course_id, day, active_seconds, completions, attempts, correct)
           VALUES (?, 'c', ?, ?, ?, ?, ?)`,
        ).bind(learnerId, r.day, r.activeSeconds ?? 0, r.completions ?? 0, r.attempts ?? 0, r.correct ?? 0),
      );
    }
  }
  await env.DB.batch(statements);
}

const base = {
  name: 'Test',
  flagKey: 'plans.dynamic',
  variants: [
    { key: 'a', weight: 50, value: true },
    { key: 'b', weight: 50, value: false },
  ],
};

describe('experiment metrics from the daily rollup', () => {
  it('sums each learner’s days since exposure, takes the 14 days before for CUPED, and counts only who the metric applies to', async () => {
    const key = await givenAuthorKey({ scopes: ['admin'] });
    await givenRunning(key, {
      ...base,
      id: 'metrics',
      primaryMetric: 'active_minutes',
      guardrailMetrics: ['quiz_accuracy', 'return_1d'],
    });
    const now = Date.now();
    const exposed = now - 3 * DAY_MS;
    // a: 10 learners, i minutes before and 20 + i after (two days); the first 4 answered 4 questions, 1 right.
    await givenExposed('metrics', 'a', 10, exposed, (i) => [
      { day: dayOf(exposed - 5 * DAY_MS), activeSeconds: 60 * i },
      { day: dayOf(exposed), activeSeconds: 600 + 30 * i, ...(i < 4 ? { attempts: 4, correct: 1 } : {}) },
      { day: dayOf(exposed + DAY_MS), activeSeconds: 600 + 30 * i },
      // Outside the pre-period window: not counted anywhere.
      { day: dayOf(exposed - 30 * DAY_MS), activeSeconds: 6000 },
    ]);
    // b: 10 learners, 30 minutes after, none before, no answers; and 5 exposed today (no 1-day return yet).
    await givenExposed('metrics', 'b', 10, exposed, () => [{ day: dayOf(exposed + 2 * DAY_MS), activeSeconds: 1800 }]);
    await givenExposed('metrics-today', 'b', 5, now, () => []);
    await env.DB.prepare("UPDATE experiment_exposures SET experiment_id = 'metrics' WHERE experiment_id = 'metrics-today'").run();

    const results = await (await admin(key, '/experiments/metrics/results')).json<ExperimentResults>();
    const metric = (name: string) => results.metrics.find((m) => m.metric === name);
    expect(results.exposures.map((e) => [e.variant, e.learners])).toEqual([
      ['a', 10],
      ['b', 15],
    ]);
    const minutes = metric('active_minutes');
    expect(minutes?.variants.map((v) => [v.variant, v.learners, v.unadjustedMean])).toEqual([
      ['a', 10, 24.5],
      ['b', 15, 20],
    ]);
    // Minutes after follow minutes before within a: CUPED takes that variance out.
    expect(minutes?.varianceReduction).toBeGreaterThan(0);
    expect(metric('quiz_accuracy')?.variants.map((v) => [v.variant, v.learners, v.unadjustedMean])).toEqual([
      ['a', 4, 0.25],
      ['b', 0, 0],
    ]);
    // Return the day after: a's learners came back, b's (exposed 3 days ago) did not; today's are not counted yet.
    expect(metric('return_1d')?.variants.map((v) => [v.variant, v.learners, v.unadjustedMean])).toEqual([
      ['a', 10, 1],
      ['b', 10, 0],
    ]);
    // 10 against 15 under a 50/50 split is within chance.
    expect(results.sampleRatio.mismatch).toBe(false);
  });
});

describe('bandits', () => {
  it('the cron moves a bandit’s weights toward the better arm once its period has passed, and publishes them', async () => {
    const key = await givenAuthorKey({ scopes: ['admin'] });
    await givenRunning(key, { ...base, id: 'bandit', kind: 'bandit', banditPeriodHours: 24, primaryMetric: 'lesson_completion' });
    const exposed = Date.now() - 2 * DAY_MS;
    await givenExposed('bandit', 'a', 40, exposed, (i) => (i < 8 ? [{ day: dayOf(exposed), completions: 1 }] : []));
    await givenExposed('bandit', 'b', 40, exposed, (i) => (i < 30 ? [{ day: dayOf(exposed), completions: 1 }] : []));
    const deps = depsFor(env, {});
    // Started just now: its first period has not passed.
    expect(await updateBandits(deps, new Date())).toBe(0);
    const later = new Date(Date.now() + 25 * 3_600_000);
    expect(await updateBandits(deps, later)).toBe(1);
    const experiment = (await (await admin(key, '/experiments')).json<{ experiments: Experiment[] }>()).experiments.find(
      (e) => e.id === 'bandit',
    );
    expect(experiment?.weights[1]).toBeGreaterThan(0.9);
    expect(experiment?.weights[0]).toBeGreaterThanOrEqual(0.02);
    const payload = await readPayload(deps.cache);
    expect(payload?.features?.['plans.dynamic']?.rules?.[0]?.weights).toEqual(experiment?.weights);
    // Within the same period nothing moves again.
    expect(await updateBandits(deps, new Date(later.getTime() + 3_600_000))).toBe(0);
    const results = await (await admin(key, '/experiments/bandit/results')).json<ExperimentResults>();
    expect(results.metrics[0]?.variants[1]).toMatchObject({ variant: 'b', learners: 40, mean: 0.75 });
    expect(results.metrics[0]?.variants[1]?.chanceToBeatControl).toBeGreaterThan(0.99);
    expect(results.sampleRatio.mismatch).toBe(false);
  });

  it('waits until every arm has learners before moving', async () => {
    const key = await givenAuthorKey({ scopes: ['admin'] });
    await givenRunning(key, { ...base, id: 'young-bandit', kind: 'bandit', primaryMetric: 'lesson_completion' });
    await givenExposed('young-bandit', 'a', 40, Date.now(), () => []);
    expect(await updateBandits(depsFor(env, {}), new Date(Date.now() + 48 * 3_600_000))).toBe(0);
  });
});
