/**
 * `npm run eval -- experiments [--experiments N] [--seed S]`: checks the experiment
 * statistics by simulation, through the code the results route runs
 * (`experimentResults`, and GrowthBook's own hashing for assignment):
 *
 * - A/A: N experiments with no effect; the share called significant must fall in the
 *   binomial 95% interval around alpha (rates by two proportions, means by Welch's t with
 *   CUPED), and the sample-ratio check must almost never fire.
 * - Peeking: N A/A experiments read every day for 14 days; fixed-horizon intervals read
 *   that way find "effects" far above alpha, the sequential ones stay under it.
 * - Power: N experiments with the effect the power calculator was asked about, at the
 *   sample it asked for; the detection rate must be near the promised power.
 * - Planted mismatch: a bug that loses 10% of one variant's exposures must be caught.
 * - Bandit: Thompson sampling reweighting each period against a uniform split; regret
 *   (conversions lost against always choosing the best arm) must be lower.
 */
import { GrowthBookClient } from '@growthbook/growthbook';
import { growthbookPayload, experimentResults } from '../workers/features/experiments/experiments.domain';
import type { Experiment, ExperimentInput, MetricKey } from '../workers/features/experiments/experiments.schemas';
import {
  normalDraw,
  sampleSizePerArm,
  summarize,
  thompsonWeights,
  type Moments,
} from '../workers/features/experiments/experiments.stats';
import { seededRandom } from '../workers/platform/seeded-random';

const ALPHA = 0.05;
const NOW = new Date('2026-06-30T12:00:00Z');

function experiment(id: string, overrides: Partial<ExperimentInput> = {}): Experiment {
  const definition: ExperimentInput = {
    id,
    name: id,
    hypothesis: '',
    flagKey: 'plans.dynamic',
    variants: [
      { key: 'control', weight: 50, value: true },
      { key: 'treatment', weight: 50, value: false },
    ],
    coverage: 1,
    primaryMetric: 'lesson_completion',
    guardrailMetrics: [],
    kind: 'ab',
    banditPeriodHours: 24,
    alpha: ALPHA,
    power: 0.8,
    minimumEffect: 0.1,
    sequential: false,
    ...overrides,
  };
  return {
    id,
    name: id,
    hypothesis: '',
    flagKey: definition.flagKey,
    status: 'running',
    kind: definition.kind,
    definition,
    weights: definition.variants.map((v) => v.weight / 100),
    bucketVersion: 1,
    startedAt: '2026-06-01T00:00:00Z',
    stoppedAt: null,
    weightsUpdatedAt: null,
    createdAt: '2026-06-01T00:00:00Z',
    updatedAt: '2026-06-01T00:00:00Z',
  };
}

/** The variant of learners 0..n-1 of an experiment, as the Worker assigns them: GrowthBook evaluating the published payload. */
const assigned = new Map<string, number[]>();
function assignments(exp: Experiment, n: number): number[] {
  const known = assigned.get(exp.id) ?? [];
  if (known.length >= n) return known;
  const client = new GrowthBookClient().initSync({ payload: growthbookPayload([], [exp]) });
  for (let i = known.length; i < n; i++) {
    const result = client.evalFeature(exp.flagKey, { attributes: { id: `${exp.id}-learner-${i}` } });
    known.push(result.experimentResult?.variationId ?? 0);
  }
  assigned.clear();
  assigned.set(exp.id, known);
  return known;
}

const empty = (): Moments => ({ n: 0, sum: 0, sumSquares: 0, pre: { sum: 0, sumSquares: 0, sumProducts: 0 } });
function add(m: Moments, y: number, x: number) {
  m.n += 1;
  m.sum += y;
  m.sumSquares += y * y;
  if (m.pre) {
    m.pre.sum += x;
    m.pre.sumSquares += x * x;
    m.pre.sumProducts += x * y;
  }
}

/** One simulated experiment's results: `learners` assigned by hash, each drawing a rate and a mean metric. */
function simulate(
  exp: Experiment,
  learners: number,
  draw: (variant: number) => { converted: number; minutes: number; before: number },
  lose?: { variant: number; share: number; random: () => number },
) {
  const variants = assignments(exp, learners);
  const rate = [empty(), empty()];
  const mean = [empty(), empty()];
  for (let i = 0; i < learners; i++) {
    const variant = variants[i] ?? 0;
    if (lose && variant === lose.variant && lose.random() < lose.share) continue;
    const d = draw(variant);
    add(rate[variant] as Moments, d.converted, 0);
    add(mean[variant] as Moments, d.minutes, d.before);
  }
  const exposures = new Map([
    ['control', rate[0]?.n ?? 0],
    ['treatment', rate[1]?.n ?? 0],
  ]);
  const metrics = new Map<MetricKey, Map<string, Moments>>([
    [
      'lesson_completion',
      new Map([
        ['control', rate[0] as Moments],
        ['treatment', rate[1] as Moments],
      ]),
    ],
    [
      'active_minutes',
      new Map([
        ['control', mean[0] as Moments],
        ['treatment', mean[1] as Moments],
      ]),
    ],
  ]);
  return experimentResults({ experiment: exp, exposures, metrics, now: NOW });
}

/** A learner: completes a lesson with probability p; active minutes correlate with their minutes before exposure. */
function learnerDraw(random: () => number, p: number[], minutesLift = [1, 1]) {
  return (variant: number) => {
    const habit = Math.exp(2.5 + 0.6 * normalDraw(random));
    const before = habit * Math.exp(0.3 * normalDraw(random));
    const minutes = habit * Math.exp(0.3 * normalDraw(random)) * (minutesLift[variant] ?? 1);
    return { converted: random() < (p[variant] ?? 0) ? 1 : 0, minutes, before };
  };
}

const significant = (results: ReturnType<typeof simulate>, metric: MetricKey) =>
  results.metrics.find((m) => m.metric === metric)?.variants[1]?.significant ?? false;

/** The binomial 95% interval of a rate `p` over `n` trials. */
const binomialInterval = (p: number, n: number): [number, number] => {
  const half = 1.959964 * Math.sqrt((p * (1 - p)) / n);
  return [p - half, p + half];
};

export function evaluateExperiments(options: { experiments: number; seed: number }) {
  const { experiments: count, seed } = options;
  const random = seededRandom(seed);
  const lines: string[] = [];
  const checks: { name: string; value: number; target: string; ok: boolean }[] = [];

  // A/A: fixed horizon, 2,000 learners each.
  let rateHits = 0;
  let meanHits = 0;
  let srmHits = 0;
  let reduction = 0;
  for (let e = 0; e < count; e++) {
    const results = simulate(
      experiment(`aa-${seed}-${e}`, { guardrailMetrics: ['active_minutes'] }),
      2000,
      learnerDraw(random, [0.3, 0.3]),
    );
    if (significant(results, 'lesson_completion')) rateHits++;
    if (significant(results, 'active_minutes')) meanHits++;
    if (results.sampleRatio.mismatch) srmHits++;
    reduction += results.metrics.find((m) => m.metric === 'active_minutes')?.varianceReduction ?? 0;
  }
  const [lo, hi] = binomialInterval(ALPHA, count);
  checks.push(
    {
      name: 'A/A false positives, rate (two proportions)',
      value: rateHits / count,
      target: `in [${lo.toFixed(4)}, ${hi.toFixed(4)}]`,
      ok: rateHits / count >= lo && rateHits / count <= hi,
    },
    {
      name: 'A/A false positives, mean (Welch + CUPED)',
      value: meanHits / count,
      target: `in [${lo.toFixed(4)}, ${hi.toFixed(4)}]`,
      ok: meanHits / count >= lo && meanHits / count <= hi,
    },
    { name: 'A/A sample-ratio alarms (p < 0.001)', value: srmHits / count, target: '<= 0.005', ok: srmHits / count <= 0.005 },
  );
  lines.push(`CUPED removed ${(100 * (reduction / count)).toFixed(1)}% of the mean metric's variance on average.`);

  // Peeking: 14 daily looks at a growing A/A experiment, fixed against sequential intervals.
  const peekRuns = Math.max(200, Math.floor(count / 2));
  let fixedPeeks = 0;
  let sequentialPeeks = 0;
  for (let e = 0; e < peekRuns; e++) {
    let fixedFound = false;
    let sequentialFound = false;
    const draw = learnerDraw(random, [0.3, 0.3]);
    // The same learners each day, so the looks are of one growing experiment.
    const daily = Array.from({ length: 14 * 200 }, () => draw(0));
    for (let day = 1; day <= 14; day++) {
      const fixed = experiment(`peek-${seed}-${e}`);
      const sequential = experiment(`peek-${seed}-${e}`, { sequential: true });
      let i = 0;
      const replay = () => daily[i++ % daily.length] as ReturnType<typeof draw>;
      if (!fixedFound && significant(simulate(fixed, day * 200, replay), 'lesson_completion')) fixedFound = true;
      i = 0;
      if (!sequentialFound && significant(simulate(sequential, day * 200, replay), 'lesson_completion')) sequentialFound = true;
    }
    if (fixedFound) fixedPeeks++;
    if (sequentialFound) sequentialPeeks++;
  }
  checks.push(
    {
      name: 'A/A read daily for 14 days, fixed intervals',
      value: fixedPeeks / peekRuns,
      target: '> alpha (why peeking is unsafe)',
      ok: fixedPeeks / peekRuns > ALPHA,
    },
    {
      name: 'A/A read daily for 14 days, sequential intervals',
      value: sequentialPeeks / peekRuns,
      target: `<= ${ALPHA}`,
      ok: sequentialPeeks / peekRuns <= ALPHA,
    },
  );

  // Power: the calculator's sample for a 10% relative lift on a 30% rate, then that effect simulated.
  const baseline = 0.3;
  const perArm = sampleSizePerArm({
    baselineMean: baseline,
    baselineVariance: baseline * (1 - baseline),
    treatmentVariance: baseline * 1.1 * (1 - baseline * 1.1),
    relativeEffect: 0.1,
    alpha: ALPHA,
    power: 0.8,
  });
  let detected = 0;
  for (let e = 0; e < count; e++) {
    const results = simulate(experiment(`power-${seed}-${e}`), 2 * perArm, learnerDraw(random, [baseline, baseline * 1.1]));
    const treatment = results.metrics[0]?.variants[1];
    if (treatment?.significant && (treatment.difference?.estimate ?? 0) > 0) detected++;
  }
  const [plo, phi] = binomialInterval(0.8, count);
  checks.push({
    name: `power at the calculator's ${perArm} learners per arm (30% -> 33%)`,
    value: detected / count,
    target: `in [${(plo - 0.02).toFixed(3)}, ${(phi + 0.02).toFixed(3)}] around the promised 0.8`,
    ok: detected / count >= plo - 0.02 && detected / count <= phi + 0.02,
  });

  // A planted mismatch: 10% of the treatment's exposures lost, 10,000 learners.
  const srmRuns = Math.max(100, Math.floor(count / 5));
  let caught = 0;
  for (let e = 0; e < srmRuns; e++) {
    const results = simulate(experiment(`srm-${seed}-${e}`), 10_000, learnerDraw(random, [0.3, 0.3]), {
      variant: 1,
      share: 0.1,
      random,
    });
    if (results.sampleRatio.mismatch) caught++;
  }
  checks.push({
    name: 'planted mismatch (one arm loses 10% of its exposures, 10,000 learners) caught',
    value: caught / srmRuns,
    target: '>= 0.8',
    ok: caught / srmRuns >= 0.8,
  });

  // Bandit: three arms, 20 periods of 300 learners; Thompson reweighting against a uniform split.
  const truth = [0.1, 0.12, 0.15];
  const best = Math.max(...truth);
  const banditRuns = 100;
  let banditRegret = 0;
  let uniformRegret = 0;
  let bestShare = 0;
  for (let run = 0; run < banditRuns; run++) {
    const counts = truth.map(() => ({ n: 0, successes: 0 }));
    let weights = truth.map(() => 1 / truth.length);
    for (let period = 0; period < 20; period++) {
      for (let i = 0; i < 300; i++) {
        let u = random();
        let arm = 0;
        while (arm < weights.length - 1 && u >= (weights[arm] ?? 0)) u -= weights[arm++] ?? 0;
        const c = counts[arm] as { n: number; successes: number };
        c.n++;
        if (random() < (truth[arm] ?? 0)) c.successes++;
        banditRegret += best - (truth[arm] ?? 0);
        uniformRegret += best - (truth[Math.floor(random() * truth.length)] ?? 0);
      }
      weights = thompsonWeights(
        counts.map(({ n, successes }) => {
          const s = summarize({ n: n + 2, sum: successes + 1, sumSquares: successes + 1 });
          return { mean: s.mean, se: Math.sqrt(s.variance / s.n) };
        }),
        random,
        2000,
      );
    }
    bestShare += weights[2] ?? 0;
  }
  checks.push({
    name: 'bandit regret (lost conversions per run) against a uniform split',
    value: banditRegret / banditRuns,
    target: `< uniform ${(uniformRegret / banditRuns).toFixed(1)}`,
    ok: banditRegret < uniformRegret,
  });
  lines.push(
    `After 20 periods the bandit gave the best arm ${(100 * (bestShare / banditRuns)).toFixed(0)}% of the traffic on average.`,
  );

  const table = [
    `Experiment statistics by simulation (seed ${seed}, ${count} experiments per check, alpha ${ALPHA})`,
    '',
    '| check | value | target | met |',
    '|---|---:|---|---|',
    ...checks.map((c) => `| ${c.name} | ${c.value.toFixed(4)} | ${c.target} | ${c.ok ? 'yes' : 'NO'} |`),
    '',
    ...lines,
  ];
  return { report: table.join('\n'), checks };
}
