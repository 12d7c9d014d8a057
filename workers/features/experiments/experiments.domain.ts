import type { FeatureApiResponse, FeatureDefinition, FeatureRule } from '@growthbook/growthbook';
import type { FieldError } from '../../http/problem';
import { table } from '../analytics/analytics.report';
import {
  DECISIONS,
  METRICS,
  type DecisionKey,
  type Experiment,
  type ExperimentInput,
  type ExperimentResults,
  type Flag,
  type MetricKey,
} from './experiments.schemas';
import {
  cuped,
  sampleRatioMismatch,
  sampleSizePerArm,
  sequentialHalfWidth,
  summarize,
  twoProportions,
  welch,
  type Comparison,
  type Moments,
} from './experiments.stats';

/** The learner attribute experiments hash on (and sticky-bucket by): one assignment per learner on every device. */
export const HASH_ATTRIBUTE = 'id';
/** Learners the sequential interval is tuned to be tightest at, unless the power calculation says otherwise. */
const DEFAULT_SEQUENTIAL_TUNING = 5000;

export const isDecision = (key: string): key is DecisionKey => Object.hasOwn(DECISIONS, key);

/** Why a value cannot be served for a flag key (empty when it can); fields are named from `path`. */
export function valueProblems(key: string, value: unknown, path: string): FieldError[] {
  if (!isDecision(key)) return [];
  const parsed = DECISIONS[key].safeParse(value);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => ({
    field: [path, ...issue.path.map(String)].join('/'),
    message: `${issue.message} (the value of ${key})`,
  }));
}

/** The problems of a flag's values: its default and each rule's. */
export function flagProblems(key: string, flag: { defaultValue: unknown; rules: { value: unknown }[] }): FieldError[] {
  return [
    ...valueProblems(key, flag.defaultValue, 'json/defaultValue'),
    ...flag.rules.flatMap((r, i) => valueProblems(key, r.value, `json/rules/${i}/value`)),
  ];
}

/** Whether two experiments' namespace ranges overlap (only in one namespace). */
export function namespacesOverlap(a: ExperimentInput, b: ExperimentInput): boolean {
  if (!a.namespace || !b.namespace || a.namespace.name !== b.namespace.name) return false;
  return a.namespace.range[0] < b.namespace.range[1] && b.namespace.range[0] < a.namespace.range[1];
}

/** The running experiments `input` would collide with: the same namespace and overlapping ranges, or the same flag without a namespace. */
export function collisions(input: ExperimentInput, running: readonly Experiment[]): Experiment[] {
  return running.filter((other) => {
    if (other.id === input.id) return false;
    const def = other.definition as ExperimentInput;
    if (namespacesOverlap(input, def)) return true;
    // Two experiments on one flag, either outside a namespace, would both decide the same value.
    return other.flagKey === input.flagKey && (!input.namespace || !def.namespace || input.namespace.name !== def.namespace.name);
  });
}

/**
 * The GrowthBook payload the Worker evaluates: every flag (its default and targeting
 * rules) and every running experiment as an experiment rule of its flag's feature,
 * hashed on the learner id with sticky buckets. An experiment on a key without a flag
 * gets a null default (the code's default then applies).
 */
export function growthbookPayload(flags: readonly Flag[], running: readonly Experiment[]): FeatureApiResponse {
  const features: Record<string, FeatureDefinition> = {};
  for (const flag of flags) {
    features[flag.key] = {
      defaultValue: flag.defaultValue,
      rules: flag.rules.map((r): FeatureRule => ({ condition: r.condition as FeatureRule['condition'], force: r.value })),
    };
  }
  for (const experiment of running) {
    const def = experiment.definition as ExperimentInput;
    const feature = (features[experiment.flagKey] ??= { defaultValue: null, rules: [] });
    const rule: FeatureRule = {
      id: experiment.id,
      key: experiment.id,
      seed: experiment.id,
      name: experiment.name,
      hashAttribute: HASH_ATTRIBUTE,
      hashVersion: 2,
      bucketVersion: experiment.bucketVersion,
      variations: def.variants.map((v) => v.value),
      weights: experiment.weights,
      coverage: def.coverage,
      meta: def.variants.map((v) => ({ key: v.key, name: v.name ?? v.key })),
      ...(def.condition ? { condition: def.condition as FeatureRule['condition'] } : {}),
      ...(def.namespace ? { namespace: [def.namespace.name, def.namespace.range[0], def.namespace.range[1]] } : {}),
    };
    // Experiments come before the flag's targeting rules: a learner in one sees their variant.
    feature.rules = [rule, ...(feature.rules ?? [])];
  }
  return { features };
}

/** The planned split as fractions (the definition's weights are percents). */
export const plannedWeights = (def: ExperimentInput) => def.variants.map((v) => v.weight / 100);

/** A metric's sufficient statistics per variant key (the store reads them from the rollup). */
export type MetricMoments = Map<string, Moments>;

const DAY_MS = 86_400_000;

/**
 * An experiment's results from its exposure counts and each metric's sufficient
 * statistics per variant: the sample-ratio check against the split in force, CUPED
 * where pre-exposure values exist, Welch's t for means and two proportions for rates,
 * sequential (always-valid) or fixed-horizon intervals, chance to beat control, the
 * guardrails, and the power calculation on the primary metric.
 */
export function experimentResults(input: {
  experiment: Experiment;
  exposures: Map<string, number>;
  metrics: Map<MetricKey, MetricMoments>;
  now: Date;
}): ExperimentResults {
  const { experiment, exposures, now } = input;
  const def = experiment.definition as ExperimentInput;
  const keys = def.variants.map((v) => v.key);
  const counts = keys.map((k) => exposures.get(k) ?? 0);
  const weights = experiment.weights.length === keys.length ? experiment.weights : plannedWeights(def);
  // A bandit's split moves by design: its exposures are not checked against one split.
  const srm = experiment.kind === 'bandit' ? { chiSquare: 0, pValue: 1, mismatch: false } : sampleRatioMismatch(counts, weights);
  const total = counts.reduce((s, c) => s + c, 0);
  const control = keys[0] as string;

  const metricResults = [def.primaryMetric, ...def.guardrailMetrics].map((metric, index) => {
    const moments = input.metrics.get(metric) ?? new Map<string, Moments>();
    const kind = METRICS[metric].kind;
    const perVariant = keys.map((k) => moments.get(k) ?? { n: 0, sum: 0, sumSquares: 0 });
    const adjusted = kind === 'mean' ? cuped(perVariant) : { summaries: perVariant.map(summarize), varianceReduction: 0 };
    const controlSummary = adjusted.summaries[0];
    const controlMoments = perVariant[0] as Moments;
    const variants = keys.map((key, i) => {
      const m = perVariant[i] as Moments;
      const summary = adjusted.summaries[i] ?? summarize(m);
      const base = { variant: key, learners: m.n, mean: summary.mean, unadjustedMean: summarize(m).mean };
      if (i === 0 || !controlSummary || m.n < 2 || controlMoments.n < 2) {
        return { ...base, difference: null, lift: null, pValue: null, chanceToBeatControl: null, significant: false };
      }
      let comparison: Comparison =
        kind === 'rate'
          ? twoProportions({ n: controlMoments.n, successes: controlMoments.sum }, { n: m.n, successes: m.sum }, def.alpha)
          : welch(controlSummary, summary, def.alpha);
      if (def.sequential) comparison = sequentially(comparison, controlMoments.n + m.n, def.alpha, tuningOf(def, perVariant));
      const { difference } = comparison;
      return {
        ...base,
        difference,
        lift: comparison.lift,
        pValue: comparison.pValue,
        chanceToBeatControl: comparison.chanceToBeatControl,
        significant: difference.lower > 0 || difference.upper < 0,
      };
    });
    return {
      metric,
      kind,
      role: index === 0 ? ('primary' as const) : ('guardrail' as const),
      test: `${kind === 'rate' ? 'two proportions (z)' : "Welch's t"}, ${def.sequential ? 'sequential (always valid)' : 'fixed horizon'}`,
      varianceReduction: adjusted.varianceReduction,
      variants,
      harmed: index === 0 ? [] : variants.filter((v) => v.significant && (v.difference?.upper ?? 0) < 0).map((v) => v.variant),
    };
  });

  const primary = metricResults[0];
  const baseline = input.metrics.get(def.primaryMetric)?.get(control);
  const needed = baseline && baseline.n >= 2 ? learnersNeeded(def, summarize(baseline)) : null;
  const perVariantNow = Math.min(...counts);
  const started = experiment.startedAt ? Date.parse(experiment.startedAt) : null;
  const days = started === null ? 0 : Math.max(1, (now.getTime() - started) / DAY_MS);
  const ratePerDay = days > 0 ? perVariantNow / days : 0;
  const daysToGo =
    needed === null || !Number.isFinite(needed)
      ? null
      : ratePerDay > 0
        ? Math.max(0, Math.ceil((needed - perVariantNow) / ratePerDay))
        : null;
  const lookAt =
    def.sequential || daysToGo === null ? null : new Date(now.getTime() + daysToGo * DAY_MS).toISOString().slice(0, 10);

  return {
    experiment,
    computedAt: now.toISOString(),
    alpha: def.alpha,
    exposures: keys.map((variant, i) => ({ variant, learners: counts[i] ?? 0, weight: weights[i] ?? 0 })),
    sampleRatio: srm,
    power: {
      learnersPerVariantNeeded: needed !== null && Number.isFinite(needed) ? needed : null,
      learnersPerVariantNow: total === 0 ? 0 : perVariantNow,
      daysToGo,
      lookAt,
    },
    metrics: metricResults,
    verdict: verdictOf(
      def,
      srm.mismatch,
      primary,
      metricResults.flatMap((m) => m.harmed.map((v) => `${v} (${m.metric})`)),
    ),
  };
}

/** Learners per variant the power calculation asks for, from the control's mean and variance. */
function learnersNeeded(def: ExperimentInput, baseline: { mean: number; variance: number }): number {
  const rate = METRICS[def.primaryMetric].kind === 'rate';
  const changed = Math.min(1, baseline.mean * (1 + def.minimumEffect));
  return sampleSizePerArm({
    baselineMean: baseline.mean,
    baselineVariance: rate ? baseline.mean * (1 - baseline.mean) : baseline.variance,
    treatmentVariance: rate ? changed * (1 - changed) : baseline.variance,
    relativeEffect: def.minimumEffect,
    alpha: def.alpha,
    power: def.power,
    comparisons: def.variants.length - 1,
  });
}

/** The sequential interval is tuned to the planned sample (both arms), else a default. */
function tuningOf(def: ExperimentInput, perVariant: readonly Moments[]): number {
  const control = perVariant[0];
  const needed = control && control.n >= 2 ? learnersNeeded(def, summarize(control)) : Number.POSITIVE_INFINITY;
  return Number.isFinite(needed) ? Math.max(100, 2 * needed) : DEFAULT_SEQUENTIAL_TUNING;
}

/** Widens a comparison's interval to the always-valid one; the p-value then says whether it excludes 0. */
function sequentially(comparison: Comparison, n: number, alpha: number, tuning: number): Comparison {
  const half = sequentialHalfWidth(comparison.standardError, n, alpha, tuning);
  const { estimate } = comparison.difference;
  const scale = comparison.difference.upper - estimate > 0 ? half / (comparison.difference.upper - estimate) : 1;
  const liftHalf = (comparison.lift.upper - comparison.lift.estimate) * scale;
  const excludesZero = estimate - half > 0 || estimate + half < 0;
  return {
    ...comparison,
    difference: { estimate, lower: estimate - half, upper: estimate + half },
    lift: {
      estimate: comparison.lift.estimate,
      lower: comparison.lift.estimate - liftHalf,
      upper: comparison.lift.estimate + liftHalf,
    },
    // The fixed-horizon p-value, kept only where the always-valid interval agrees.
    pValue: excludesZero ? Math.min(comparison.pValue, alpha) : Math.max(comparison.pValue, alpha),
  };
}

function verdictOf(
  def: ExperimentInput,
  mismatch: boolean,
  primary:
    | { variants: { variant: string; significant: boolean; learners: number; difference: { estimate: number } | null }[] }
    | undefined,
  harmed: string[],
): string {
  if (mismatch)
    return 'Sample ratio mismatch: the split is not what was planned, so these results cannot be trusted. Find the cause before reading them.';
  if (harmed.length > 0) return `A guardrail is harmed: ${harmed.join(', ')}. Consider stopping.`;
  const winners = (primary?.variants ?? []).filter((v) => v.significant && (v.difference?.estimate ?? 0) > 0);
  const losers = (primary?.variants ?? []).filter((v) => v.significant && (v.difference?.estimate ?? 0) < 0);
  const metric = def.primaryMetric.replaceAll('_', ' ');
  if (winners.length > 0) return `${winners.map((v) => v.variant).join(', ')} beat the control on ${metric}.`;
  if (losers.length > 0) return `${losers.map((v) => v.variant).join(', ')} did worse than the control on ${metric}.`;
  if ((primary?.variants ?? []).some((v) => v.learners < 2)) return 'Not enough learners yet.';
  return `No difference on ${metric} yet${def.sequential ? '; it is safe to keep looking.' : '; wait for the planned date.'}`;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const num = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(3));

/** An experiment's results as a markdown or CSV table: one row per metric and variant, with the split check above. */
export function resultsTable(results: ExperimentResults, format: 'markdown' | 'csv'): string {
  const header = [
    'metric',
    'role',
    'variant',
    'learners',
    'mean',
    'difference',
    'difference CI',
    'lift',
    'lift CI',
    'p',
    'chance to beat control',
  ];
  const rows = results.metrics.flatMap((m) =>
    m.variants.map((v) => [
      m.metric,
      m.role,
      v.variant,
      String(v.learners),
      num(v.mean),
      v.difference ? num(v.difference.estimate) : '',
      v.difference ? `[${num(v.difference.lower)}, ${num(v.difference.upper)}]` : '',
      v.lift ? pct(v.lift.estimate) : '',
      v.lift ? `[${pct(v.lift.lower)}, ${pct(v.lift.upper)}]` : '',
      v.pValue === null ? '' : v.pValue.toPrecision(3),
      v.chanceToBeatControl === null ? '' : pct(v.chanceToBeatControl),
    ]),
  );
  if (format === 'csv') return table(header, rows, 'csv');
  const { sampleRatio, power } = results;
  const lines = [
    `## ${results.experiment.name} (${results.experiment.id}, ${results.experiment.status})`,
    '',
    `Exposures: ${results.exposures.map((e) => `${e.variant} ${e.learners} (planned ${pct(e.weight)})`).join(', ')}. ` +
      `Sample ratio: chi-square ${sampleRatio.chiSquare.toFixed(2)}, p ${sampleRatio.pValue.toPrecision(3)}${sampleRatio.mismatch ? ' — MISMATCH' : ', no mismatch'}.`,
    `Power: ${power.learnersPerVariantNeeded ?? '?'} learners per variant needed, ${power.learnersPerVariantNow} now` +
      (power.daysToGo === null
        ? '.'
        : `, about ${power.daysToGo} days to go${power.lookAt ? ` (read on ${power.lookAt})` : ''}.`),
    '',
    table(header, rows, 'markdown', 3),
    results.verdict,
  ];
  return lines.join('\n') + '\n';
}
