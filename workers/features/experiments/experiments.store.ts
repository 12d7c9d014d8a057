import type { FeatureApiResponse } from '@growthbook/growthbook';
import { z } from 'zod';
import type { Cache } from '../../platform/cache';
import { growthbookPayload, plannedWeights, type MetricMoments } from './experiments.domain';
import type { Experiment, ExperimentInput, Flag, FlagInput, MetricKey } from './experiments.schemas';

/** The KV key of the published flags and experiments payload. */
export const PAYLOAD_KEY = 'flags:payload';
/** Days before exposure whose activity is the metric's pre-exposure value (CUPED). */
const PRE_DAYS = 14;

/** Port over flags, experiments and their exposures and metrics in D1, and the payload in KV. */
export interface ExperimentStore {
  flags(): Promise<Flag[]>;
  flag(key: string): Promise<Flag | null>;
  putFlag(key: string, input: FlagInput, now: string): Promise<Flag>;
  deleteFlag(key: string): Promise<boolean>;
  experiments(): Promise<Experiment[]>;
  experiment(id: string): Promise<Experiment | null>;
  /** Creates or replaces a draft's definition; a running experiment keeps its status, and its weights change with the split. */
  saveExperiment(input: ExperimentInput, now: string): Promise<Experiment>;
  setStatus(id: string, status: 'running' | 'stopped', now: string): Promise<Experiment | null>;
  setWeights(id: string, weights: number[], now: string): Promise<void>;
  /** Learners first exposed per variant. */
  exposureCounts(id: string): Promise<Map<string, number>>;
  /** Each metric's sufficient statistics per variant, from the learners' daily rollup (`today` decides which return windows are over). */
  /** Each metric's moments per variant, from the learners' activity in every course or in `course`. */
  metricMoments(
    id: string,
    metrics: readonly MetricKey[],
    today: string,
    course?: string,
  ): Promise<Map<MetricKey, MetricMoments>>;
  /** Writes the flags and running experiments to KV as one GrowthBook payload. */
  publish(): Promise<FeatureApiResponse>;
}

interface ExperimentRow {
  id: string;
  name: string;
  hypothesis: string;
  flag_key: string;
  definition: string;
  kind: 'ab' | 'bandit';
  status: 'draft' | 'running' | 'stopped';
  weights: string;
  bucket_version: number;
  started_at: string | null;
  stopped_at: string | null;
  weights_updated_at: string | null;
  created_at: string;
  updated_at: string;
}

const toExperiment = (r: ExperimentRow): Experiment => ({
  id: r.id,
  name: r.name,
  hypothesis: r.hypothesis,
  flagKey: r.flag_key,
  status: r.status,
  kind: r.kind,
  definition: JSON.parse(r.definition) as Record<string, unknown>,
  weights: JSON.parse(r.weights) as number[],
  bucketVersion: r.bucket_version,
  startedAt: r.started_at,
  stoppedAt: r.stopped_at,
  weightsUpdatedAt: r.weights_updated_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toFlag = (r: { key: string; description: string; default_value: string; rules: string; updated_at: string }): Flag => ({
  key: r.key,
  description: r.description,
  defaultValue: JSON.parse(r.default_value) as Flag['defaultValue'],
  rules: JSON.parse(r.rules) as Flag['rules'],
  updatedAt: r.updated_at,
});

/** A learner counts as active on a day with time, a completion, an answer or a plan task. */
const ACTIVE = '(a.active_seconds > 0 OR a.completions > 0 OR a.attempts > 0 OR a.plan_done > 0)';
const post = (expr: string) => `coalesce(sum(CASE WHEN a.day >= u.d0 THEN ${expr} END), 0)`;
const pre = (expr: string) => `coalesce(sum(CASE WHEN a.day < u.d0 THEN ${expr} END), 0)`;
const ratio = (num: (e: string) => string, top: string, bottom: string) =>
  `CASE WHEN ${num(bottom)} > 0 THEN ${num(top)} * 1.0 / ${num(bottom)} ELSE 0 END`;
const anyActive = (from: string, to: string) =>
  `coalesce(max(CASE WHEN a.day > ${from} AND a.day <= ${to} AND ${ACTIVE} THEN 1 ELSE 0 END), 0)`;

/**
 * Per learner: the metric's value since exposure (y), before it (x, for CUPED), and
 * whether the learner counts for it yet. `:today` is bound as the last parameter.
 */
const METRIC_SQL: Record<MetricKey, { y: string; x: string; eligible: string }> = {
  lesson_completion: { y: `min(1, ${post('a.completions')})`, x: `min(1, ${pre('a.completions')})`, eligible: '1' },
  lessons_completed: { y: post('a.completions'), x: pre('a.completions'), eligible: '1' },
  quiz_accuracy: {
    y: ratio(post, 'a.correct', 'a.attempts'),
    x: ratio(pre, 'a.correct', 'a.attempts'),
    eligible: `${post('a.attempts')} > 0`,
  },
  return_1d: {
    y: anyActive('u.d0', "date(u.d0, '+1 day')"),
    x: `coalesce(max(CASE WHEN a.day < u.d0 AND ${ACTIVE} THEN 1 ELSE 0 END), 0)`,
    eligible: "date(u.d0, '+1 day') < ?1",
  },
  return_7d: {
    y: anyActive('u.d0', "date(u.d0, '+7 days')"),
    x: `coalesce(max(CASE WHEN a.day < u.d0 AND ${ACTIVE} THEN 1 ELSE 0 END), 0)`,
    eligible: "date(u.d0, '+7 days') < ?1",
  },
  active_minutes: { y: `${post('a.active_seconds')} / 60.0`, x: `${pre('a.active_seconds')} / 60.0`, eligible: '1' },
  recommendation_acceptance: { y: `min(1, ${post('a.recs_accepted')})`, x: `min(1, ${pre('a.recs_accepted')})`, eligible: '1' },
  plan_tasks_completed: { y: post('a.plan_done'), x: pre('a.plan_done'), eligible: '1' },
  answer_helpfulness: {
    y: ratio(post, 'a.answers_up', 'a.answers_up + a.answers_down'),
    x: ratio(pre, 'a.answers_up', 'a.answers_up + a.answers_down'),
    eligible: `${post('a.answers_up + a.answers_down')} > 0`,
  },
};

/** Sufficient statistics per variant of one metric: one row per variant, whatever the number of learners. */
function momentsSql(metric: MetricKey): string {
  const { y, x, eligible } = METRIC_SQL[metric];
  // Rate metrics have no CUPED here (the domain adjusts means only); their pre-values cost nothing to return.
  return `WITH u AS (
      SELECT learner_id, variant, substr(exposed_at, 1, 10) AS d0 FROM experiment_exposures WHERE experiment_id = ?2
    ), per AS (
      SELECT u.variant AS variant, ${y} AS y, ${x} AS x, (${eligible}) AS eligible
      FROM u LEFT JOIN learner_activity_daily a
        ON a.learner_id = u.learner_id AND a.day >= date(u.d0, '-${PRE_DAYS} days') AND a.day <= ?1
          AND a.course_id = coalesce(?3, a.course_id)
      GROUP BY u.learner_id
    )
    SELECT variant, count(*) AS n, sum(y) AS s, sum(y * y) AS ss, sum(x) AS sx, sum(x * x) AS sxx, sum(x * y) AS sxy
    FROM per WHERE eligible GROUP BY variant`;
}

const PayloadSchema = z.object({ features: z.record(z.string(), z.unknown()) }).loose();

export function createD1ExperimentStore(d1: D1Database, cache: Cache): ExperimentStore {
  const store: ExperimentStore = {
    async flags() {
      const { results } = await d1.prepare('SELECT * FROM flags ORDER BY key').all<Parameters<typeof toFlag>[0]>();
      return results.map(toFlag);
    },

    async flag(key) {
      const row = await d1.prepare('SELECT * FROM flags WHERE key = ?').bind(key).first<Parameters<typeof toFlag>[0]>();
      return row ? toFlag(row) : null;
    },

    async putFlag(key, input, now) {
      await d1
        .prepare(
          `INSERT INTO flags (key, description, default_value, rules, updated_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (key) DO UPDATE SET description = excluded.description, default_value = excluded.default_value,
             rules = excluded.rules, updated_at = excluded.updated_at`,
        )
        .bind(key, input.description, JSON.stringify(input.defaultValue), JSON.stringify(input.rules), now)
        .run();
      return { key, ...input, updatedAt: now };
    },

    async deleteFlag(key) {
      const result = await d1.prepare('DELETE FROM flags WHERE key = ?').bind(key).run();
      return result.meta.changes > 0;
    },

    async experiments() {
      const { results } = await d1.prepare('SELECT * FROM experiments ORDER BY created_at DESC, id').all<ExperimentRow>();
      return results.map(toExperiment);
    },

    async experiment(id) {
      const row = await d1.prepare('SELECT * FROM experiments WHERE id = ?').bind(id).first<ExperimentRow>();
      return row ? toExperiment(row) : null;
    },

    async saveExperiment(input, now) {
      const weights = JSON.stringify(plannedWeights(input));
      await d1
        .prepare(
          `INSERT INTO experiments (id, name, hypothesis, flag_key, definition, kind, status, weights, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET name = excluded.name, hypothesis = excluded.hypothesis, flag_key = excluded.flag_key,
             definition = excluded.definition, kind = excluded.kind, weights = excluded.weights, updated_at = excluded.updated_at`,
        )
        .bind(input.id, input.name, input.hypothesis, input.flagKey, JSON.stringify(input), input.kind, weights, now, now)
        .run();
      return (await store.experiment(input.id)) as Experiment;
    },

    async setStatus(id, status, now) {
      const started = status === 'running' ? 'coalesce(started_at, ?3)' : 'started_at';
      const stopped = status === 'stopped' ? '?3' : 'NULL';
      await d1
        .prepare(
          `UPDATE experiments SET status = ?2, started_at = ${started}, stopped_at = ${stopped}, updated_at = ?3 WHERE id = ?1`,
        )
        .bind(id, status, now)
        .run();
      return store.experiment(id);
    },

    async setWeights(id, weights, now) {
      await d1
        .prepare('UPDATE experiments SET weights = ?, weights_updated_at = ?, updated_at = ? WHERE id = ?')
        .bind(JSON.stringify(weights), now, now, id)
        .run();
    },

    async exposureCounts(id) {
      const { results } = await d1
        .prepare('SELECT variant, count(*) AS n FROM experiment_exposures WHERE experiment_id = ? GROUP BY variant')
        .bind(id)
        .all<{ variant: string; n: number }>();
      return new Map(results.map((r) => [r.variant, r.n]));
    },

    async metricMoments(id, metrics, today, course) {
      const batches = await d1.batch<{ variant: string; n: number; s: number; ss: number; sx: number; sxx: number; sxy: number }>(
        metrics.map((m) => d1.prepare(momentsSql(m)).bind(today, id, course ?? null)),
      );
      return new Map(
        metrics.map((metric, i) => [
          metric,
          new Map(
            (batches[i]?.results ?? []).map((r) => [
              r.variant,
              { n: r.n, sum: r.s, sumSquares: r.ss, pre: { sum: r.sx, sumSquares: r.sxx, sumProducts: r.sxy } },
            ]),
          ),
        ]),
      );
    },

    async publish() {
      const [flags, experiments] = await Promise.all([store.flags(), store.experiments()]);
      const payload = growthbookPayload(
        flags,
        experiments.filter((e) => e.status === 'running'),
      );
      await cache.putJson(PAYLOAD_KEY, payload);
      return payload;
    },
  };
  return store;
}

/** Reads the published payload from KV (null before the first publish). */
export async function readPayload(cache: Cache): Promise<FeatureApiResponse | null> {
  const payload = await cache.getJson(PAYLOAD_KEY, PayloadSchema);
  return payload as FeatureApiResponse | null;
}
