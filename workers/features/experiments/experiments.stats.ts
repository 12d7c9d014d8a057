import chisquareCdf from '@stdlib/stats-base-dists-chisquare-cdf';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/**
 * The statistics of an experiment's results, from sufficient statistics only (counts,
 * sums, sums of squares), so a result never needs the learners' rows: the rollups hold
 * what these functions take. Pure: no I/O, no clock; randomness is passed in.
 */

/** A metric's sufficient statistics over one variant's learners (value y, pre-exposure value x). */
export interface Moments {
  n: number;
  sum: number;
  sumSquares: number;
  /** The same learners' value before exposure, for CUPED. */
  pre?: { sum: number; sumSquares: number; sumProducts: number };
}

export interface Summary {
  n: number;
  mean: number;
  /** Sample variance (n - 1). */
  variance: number;
}

export interface Interval {
  estimate: number;
  lower: number;
  upper: number;
}

export interface Comparison {
  /** Treatment mean minus control mean, with its (1 - alpha) interval. */
  difference: Interval;
  /** Treatment over control minus 1, with its (1 - alpha) interval (delta method). */
  lift: Interval;
  standardError: number;
  pValue: number;
  /** Bayesian chance that the treatment's true mean is above the control's (flat prior, normal posterior). */
  chanceToBeatControl: number;
  /** Degrees of freedom of the test (Infinity for the z test). */
  degreesOfFreedom: number;
}

export function summarize(m: Moments): Summary {
  const mean = m.n > 0 ? m.sum / m.n : 0;
  const variance = m.n > 1 ? Math.max(0, (m.sumSquares - m.n * mean * mean) / (m.n - 1)) : 0;
  return { n: m.n, mean, variance };
}

/** Relative lift and its interval by the delta method (Var(m1/m0) from both means' variances). */
function relativeLift(control: Summary, treatment: Summary, critical: number): Interval {
  if (control.mean === 0) return { estimate: 0, lower: 0, upper: 0 };
  const estimate = treatment.mean / control.mean - 1;
  const variance =
    treatment.variance / (treatment.n * control.mean ** 2) +
    (control.variance * treatment.mean ** 2) / (control.n * control.mean ** 4);
  const half = critical * Math.sqrt(variance);
  return { estimate, lower: estimate - half, upper: estimate + half };
}

/** Welch's t test for means: unequal variances, Welch-Satterthwaite degrees of freedom. */
export function welch(control: Summary, treatment: Summary, alpha = 0.05): Comparison {
  const a = control.variance / control.n;
  const b = treatment.variance / treatment.n;
  const se = Math.sqrt(a + b);
  const df = (a + b) ** 2 / (a ** 2 / (control.n - 1) + b ** 2 / (treatment.n - 1));
  const diff = treatment.mean - control.mean;
  const usable = se > 0 && Number.isFinite(df);
  const critical = usable ? tQuantile(1 - alpha / 2, df) : Number.NaN;
  const t = usable ? diff / se : 0;
  return {
    difference: { estimate: diff, lower: diff - critical * se, upper: diff + critical * se },
    lift: relativeLift(control, treatment, usable ? critical : 0),
    standardError: se,
    pValue: usable ? 2 * (1 - tCdf(Math.abs(t), df)) : 1,
    chanceToBeatControl: usable ? normalCdf(diff / se, 0, 1) : 0.5,
    degreesOfFreedom: df,
  };
}

/**
 * Two proportions: the z test with the pooled proportion for the p-value, and the
 * unpooled standard error for the interval (the Wald interval of the difference).
 */
export function twoProportions(
  control: { n: number; successes: number },
  treatment: { n: number; successes: number },
  alpha = 0.05,
): Comparison {
  const p0 = control.n > 0 ? control.successes / control.n : 0;
  const p1 = treatment.n > 0 ? treatment.successes / treatment.n : 0;
  const pooled = (control.successes + treatment.successes) / Math.max(1, control.n + treatment.n);
  const pooledSe = Math.sqrt(pooled * (1 - pooled) * (1 / control.n + 1 / treatment.n));
  const se = Math.sqrt((p0 * (1 - p0)) / control.n + (p1 * (1 - p1)) / treatment.n);
  const z = normalQuantile(1 - alpha / 2, 0, 1);
  const diff = p1 - p0;
  const asSummary = (p: number, n: number): Summary => ({ n, mean: p, variance: p * (1 - p) });
  return {
    difference: { estimate: diff, lower: diff - z * se, upper: diff + z * se },
    lift: relativeLift(asSummary(p0, control.n), asSummary(p1, treatment.n), z),
    standardError: se,
    pValue: pooledSe > 0 ? 2 * (1 - normalCdf(Math.abs(diff / pooledSe), 0, 1)) : 1,
    chanceToBeatControl: se > 0 ? betaChanceToBeat(control, treatment) : 0.5,
    degreesOfFreedom: Number.POSITIVE_INFINITY,
  };
}

/**
 * P(p1 > p0) for Beta(1 + s, 1 + f) posteriors (uniform priors), by the normal
 * approximation of the two posteriors (their means and variances): within about 0.01 of
 * the exact integral once each arm has a few dozen learners.
 */
function betaChanceToBeat(control: { n: number; successes: number }, treatment: { n: number; successes: number }): number {
  const posterior = ({ n, successes }: { n: number; successes: number }) => {
    const a = 1 + successes;
    const b = 1 + n - successes;
    return { mean: a / (a + b), variance: (a * b) / ((a + b) ** 2 * (a + b + 1)) };
  };
  const c = posterior(control);
  const t = posterior(treatment);
  return normalCdf((t.mean - c.mean) / Math.sqrt(c.variance + t.variance), 0, 1);
}

/**
 * Sample-ratio mismatch: Pearson's chi-square of the exposure counts against the
 * planned weights (k - 1 degrees of freedom). A p-value under 0.001 means the split
 * is broken and the results cannot be trusted.
 */
export function sampleRatioMismatch(
  counts: readonly number[],
  weights: readonly number[],
): { chiSquare: number; pValue: number; mismatch: boolean } {
  const total = counts.reduce((s, c) => s + c, 0);
  const weightSum = weights.reduce((s, w) => s + w, 0);
  if (total === 0 || counts.length < 2) return { chiSquare: 0, pValue: 1, mismatch: false };
  let chiSquare = 0;
  counts.forEach((observed, i) => {
    const expected = (total * (weights[i] ?? 0)) / weightSum;
    if (expected > 0) chiSquare += (observed - expected) ** 2 / expected;
  });
  const pValue = 1 - chisquareCdf(chiSquare, counts.length - 1);
  return { chiSquare, pValue, mismatch: pValue < SRM_P_VALUE };
}
export const SRM_P_VALUE = 0.001;

/**
 * CUPED (Deng et al., 2013): each learner's value less theta times their pre-exposure
 * value's distance from the pooled pre-exposure mean, theta = Cov(y, x) / Var(x) pooled
 * over all variants (the pre-period cannot differ by variant but by chance, so the
 * adjustment removes variance and no effect). Returns adjusted summaries and the share
 * of variance removed; without pre-exposure values the summaries are unadjusted.
 */
export function cuped(variants: readonly Moments[]): { summaries: Summary[]; theta: number; varianceReduction: number } {
  const plain = variants.map(summarize);
  if (variants.some((v) => !v.pre || v.n < 2)) return { summaries: plain, theta: 0, varianceReduction: 0 };
  const n = variants.reduce((s, v) => s + v.n, 0);
  const sumY = variants.reduce((s, v) => s + v.sum, 0);
  const sumX = variants.reduce((s, v) => s + (v.pre?.sum ?? 0), 0);
  const sumXX = variants.reduce((s, v) => s + (v.pre?.sumSquares ?? 0), 0);
  const sumXY = variants.reduce((s, v) => s + (v.pre?.sumProducts ?? 0), 0);
  const varX = (sumXX - (sumX * sumX) / n) / (n - 1);
  if (!(varX > 0)) return { summaries: plain, theta: 0, varianceReduction: 0 };
  const theta = (sumXY - (sumX * sumY) / n) / (n - 1) / varX;
  const meanX = sumX / n;
  let before = 0;
  let after = 0;
  const summaries = variants.map((v, i) => {
    const pre = v.pre as NonNullable<Moments['pre']>;
    const y = plain[i] as Summary;
    const xMean = pre.sum / v.n;
    const xVar = Math.max(0, (pre.sumSquares - v.n * xMean * xMean) / (v.n - 1));
    const covariance = (pre.sumProducts - v.n * xMean * y.mean) / (v.n - 1);
    const variance = Math.max(0, y.variance + theta * theta * xVar - 2 * theta * covariance);
    before += y.variance / v.n;
    after += variance / v.n;
    return { n: v.n, mean: y.mean - theta * (xMean - meanX), variance };
  });
  return { summaries, theta, varianceReduction: before > 0 ? 1 - after / before : 0 };
}

/**
 * Half-width of an always-valid (1 - alpha) confidence sequence for a difference whose
 * standard error is `se` at `n` learners in all: the normal-mixture boundary of Howard,
 * Ramdas, McAuliffe and Sekhon (2021), with the mixture tuned to be tightest at
 * `tuning` learners. Looking at it every day does not raise the false-positive rate.
 */
export function sequentialHalfWidth(se: number, n: number, alpha: number, tuning: number): number {
  const rhoSquared = (-2 * Math.log(alpha) + Math.log(-2 * Math.log(alpha) + 1)) / tuning;
  const sigma = se * Math.sqrt(n);
  const nr = n * rhoSquared + 1;
  return sigma * Math.sqrt(((2 * nr) / (n * n * rhoSquared)) * Math.log(Math.sqrt(nr) / alpha));
}

/**
 * Learners needed per arm to detect a relative change of `relativeEffect` in a metric
 * with this baseline mean and variance, two-sided at `alpha` with `power`
 * (n = (z_{1-alpha/2} + z_power)^2 * (variance0 + variance1) / delta^2; Bonferroni over the arms
 * beyond the first comparison).
 */
export function sampleSizePerArm(input: {
  baselineMean: number;
  baselineVariance: number;
  /** The treatment's variance (for a rate, that of the changed rate); the baseline's when unset. */
  treatmentVariance?: number;
  relativeEffect: number;
  alpha: number;
  power: number;
  comparisons?: number;
}): number {
  const delta = Math.abs(input.baselineMean * input.relativeEffect);
  if (!(delta > 0)) return Number.POSITIVE_INFINITY;
  const alpha = input.alpha / Math.max(1, input.comparisons ?? 1);
  const z = normalQuantile(1 - alpha / 2, 0, 1) + normalQuantile(input.power, 0, 1);
  const variance = input.baselineVariance + (input.treatmentVariance ?? input.baselineVariance);
  return Math.ceil((z * z * variance) / (delta * delta));
}

/** The power a two-sided test at `alpha` has to see a true difference `delta` with standard error `se`. */
export function powerOf(delta: number, se: number, alpha: number): number {
  if (!(se > 0)) return 0;
  const z = normalQuantile(1 - alpha / 2, 0, 1);
  return 1 - normalCdf(z - Math.abs(delta) / se, 0, 1) + normalCdf(-z - Math.abs(delta) / se, 0, 1);
}

/** A standard normal draw (Box-Muller) from a uniform source. */
export function normalDraw(random: () => number): number {
  const u = Math.max(random(), Number.MIN_VALUE);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/**
 * Thompson sampling weights: each arm's share of `draws` posterior draws in which it is
 * the best (normal posterior: its mean and standard error), floored at `floor` so no arm
 * is starved and its estimate can still move, then normalized to sum to 1.
 */
export function thompsonWeights(
  arms: readonly { mean: number; se: number }[],
  random: () => number,
  draws = 10_000,
  floor = 0.01,
): number[] {
  const wins = arms.map(() => 0);
  for (let d = 0; d < draws; d++) {
    let best = 0;
    let bestValue = Number.NEGATIVE_INFINITY;
    arms.forEach((arm, i) => {
      const value = arm.mean + arm.se * normalDraw(random);
      if (value > bestValue) {
        bestValue = value;
        best = i;
      }
    });
    wins[best] = (wins[best] ?? 0) + 1;
  }
  // Arms under the floor get it; the others share what is left in proportion (repeated while that pushes one under).
  const shares = wins.map((w) => w / draws);
  const floored = new Set<number>();
  for (let pass = 0; pass < arms.length; pass++) {
    const rest = shares.reduce((s, w, i) => s + (floored.has(i) ? 0 : w), 0);
    const left = 1 - floor * floored.size;
    const under = shares.findIndex((w, i) => !floored.has(i) && (rest > 0 ? (w / rest) * left : 0) < floor);
    if (under < 0) return shares.map((w, i) => (floored.has(i) ? floor : rest > 0 ? (w / rest) * left : 0));
    floored.add(under);
  }
  return shares.map(() => 1 / arms.length);
}
