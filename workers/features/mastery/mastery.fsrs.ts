import { CLAMP_PARAMETERS, default_w, W17_W18_Ceiling } from 'ts-fsrs';
import { seededRandom } from '../../platform/seeded-random';
import { predictionScores } from './mastery.scores';

/**
 * Fitting FSRS's 21 weights to a review log, the way the open-spaced-repetition optimizer
 * does: each card's reviews are run through FSRS's memory model (the formulas of ts-fsrs,
 * which schedules the cards, re-stated here without its rounding so the loss is smooth),
 * recall is predicted before every review a day or more after the previous one, and the
 * weights minimize the log-loss of those predictions, pulled towards a prior (the defaults
 * for a course, the course's weights for a learner) so little data moves them little.
 */

/** A grade as FSRS takes it: 1 again, 2 hard, 3 good, 4 easy. */
export type FsrsGrade = 1 | 2 | 3 | 4;
/** One review of a card: when (ms since the epoch) and the grade. */
export interface FsrsReview {
  at: number;
  grade: FsrsGrade;
}

export const DEFAULT_FSRS_WEIGHTS: readonly number[] = [...default_w];
/** The range ts-fsrs accepts for each weight (short-term scheduling on, as the scheduler runs). */
const BOUNDS = CLAMP_PARAMETERS(W17_W18_Ceiling, true);
const S_MIN = 0.001;
const S_MAX = 36_500;
const DAY_MS = 86_400_000;

const clamp = (x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi);
const at = (w: readonly number[], i: number) => w[i] ?? 0;

/** Whole UTC calendar days between two times, as ts-fsrs counts a card's elapsed days. */
export function elapsedDays(from: number, to: number): number {
  return Math.floor(to / DAY_MS) - Math.floor(from / DAY_MS);
}

/** P(recall) `t` days after a review that left stability `s` (FSRS-6's power forgetting curve, decay w20). */
export function recallProbability(w: readonly number[], t: number, s: number): number {
  const decay = -at(w, 20);
  const factor = Math.exp(Math.log(0.9) / decay) - 1;
  return Math.pow(1 + (factor * t) / s, decay);
}

interface MemoryState {
  difficulty: number;
  stability: number;
}

const initDifficulty = (w: readonly number[], g: number) => at(w, 4) - Math.exp((g - 1) * at(w, 5)) + 1;

/** The memory state after a review graded `g`, `t` days after the last one with recall `r` (ts-fsrs's `next_state`). */
export function nextMemoryState(
  w: readonly number[],
  state: MemoryState | null,
  t: number,
  g: FsrsGrade,
  r: number,
): MemoryState {
  if (!state) return { difficulty: clamp(initDifficulty(w, g), 1, 10), stability: Math.max(at(w, g - 1), 0.1) };
  const { difficulty: d, stability: s } = state;
  let stability: number;
  if (t === 0) {
    const sinc = Math.pow(s, -at(w, 19)) * Math.exp(at(w, 17) * (g - 3 + at(w, 18)));
    stability = clamp(s * (g >= 2 ? Math.max(sinc, 1) : sinc), S_MIN, S_MAX);
  } else if (g === 1) {
    const afterFail = clamp(
      at(w, 11) * Math.pow(d, -at(w, 12)) * (Math.pow(s + 1, at(w, 13)) - 1) * Math.exp((1 - r) * at(w, 14)),
      S_MIN,
      S_MAX,
    );
    stability = clamp(s / Math.exp(at(w, 17) * at(w, 18)), S_MIN, afterFail);
  } else {
    const bonus = (g === 2 ? at(w, 15) : 1) * (g === 4 ? at(w, 16) : 1);
    const growth = Math.exp(at(w, 8)) * (11 - d) * Math.pow(s, -at(w, 9)) * (Math.exp((1 - r) * at(w, 10)) - 1) * bonus;
    stability = clamp(s * (1 + growth), S_MIN, S_MAX);
  }
  const next = d + (-at(w, 6) * (g - 3) * (10 - d)) / 9;
  const difficulty = clamp(at(w, 7) * initDifficulty(w, 4) + (1 - at(w, 7)) * next, 1, 10);
  return { difficulty, stability };
}

/** A recall prediction: before a review at `at`, P(recall) `p`, and whether the learner recalled (graded above "again"). */
export interface RecallPrediction {
  at: number;
  p: number;
  recalled: boolean;
}

/**
 * Runs each card's reviews (oldest first, those before `until`) through FSRS with weights
 * `w`, calling `visit` with the recall predicted before every review a day or more after the
 * previous one (same-day reviews move the state but are not predicted, as in the SRS benchmark).
 */
function forEachPrediction(
  w: readonly number[],
  cards: readonly (readonly FsrsReview[])[],
  visit: (r: number, review: FsrsReview) => void,
  until = Infinity,
): void {
  for (const reviews of cards) {
    let state: MemoryState | null = null;
    let last = 0;
    for (const review of reviews) {
      if (review.at >= until) break;
      const t = state ? Math.max(0, elapsedDays(last, review.at)) : 0;
      const r = state ? recallProbability(w, t, state.stability) : 0;
      if (state && t > 0) visit(r, review);
      state = nextMemoryState(w, state, t, review.grade, r);
      last = review.at;
    }
  }
}

/** The recall predicted before each review a day or more after the card's previous one (see `forEachPrediction`). */
export function recallPredictions(w: readonly number[], cards: readonly (readonly FsrsReview[])[]): RecallPrediction[] {
  const out: RecallPrediction[] = [];
  forEachPrediction(w, cards, (p, review) => out.push({ at: review.at, p, recalled: review.grade > 1 }));
  return out;
}

/** Predictions between `PREDICTION_FLOOR` and one minus it: a confident wrong prediction costs a large but finite loss. */
const PREDICTION_FLOOR = 1e-4;

/**
 * The SRS benchmark's "RMSE (bins)", here with predictions binned by predicted recall into
 * `bins` equal-width bins: the square root of the review-weighted mean of (mean predicted −
 * observed recall rate)² per bin. It measures calibration, which log-loss mixes with discrimination.
 */
export function binnedRmse(predictions: readonly RecallPrediction[], bins = 20): number {
  const sums = new Map<number, { n: number; p: number; y: number }>();
  for (const { p, recalled } of predictions) {
    const bin = Math.min(bins - 1, Math.floor(p * bins));
    const s = sums.get(bin) ?? { n: 0, p: 0, y: 0 };
    sums.set(bin, { n: s.n + 1, p: s.p + p, y: s.y + (recalled ? 1 : 0) });
  }
  let squared = 0;
  for (const { n, p, y } of sums.values()) squared += n * (p / n - y / n) ** 2;
  return predictions.length === 0 ? 0 : Math.sqrt(squared / predictions.length);
}

export interface RecallScores {
  reviews: number;
  logLoss: number;
  rmseBins: number;
  auc: number | null;
  /** Mean predicted recall and the observed recall rate. */
  predicted: number;
  observed: number;
}

/** How well `predictions` fit what happened: log-loss, binned RMSE, AUC (null with one outcome only), means. */
export function recallScores(predictions: readonly RecallPrediction[]): RecallScores {
  const n = predictions.length;
  const p = predictions.map((x) => clamp(x.p, PREDICTION_FLOOR, 1 - PREDICTION_FLOOR));
  const scores = predictionScores(
    p,
    predictions.map((x) => x.recalled),
  );
  return {
    reviews: n,
    logLoss: n === 0 ? 0 : scores.logLoss,
    rmseBins: binnedRmse(predictions),
    auc: Number.isFinite(scores.auc) ? scores.auc : null,
    predicted: n === 0 ? 0 : p.reduce((a, b) => a + b, 0) / n,
    observed: n === 0 ? 0 : predictions.filter((x) => x.recalled).length / n,
  };
}

/** The scale a weight moves in: steps and the prior's penalty are in these units. */
const scaleOf = (prior: readonly number[]) => prior.map((p) => Math.max(Math.abs(p), 0.05));

/** Mean log-loss of the predictions of reviews before `until`, and how many there were. */
function trainingLoss(w: readonly number[], cards: readonly (readonly FsrsReview[])[], until: number): [number, number] {
  let loss = 0;
  let n = 0;
  forEachPrediction(
    w,
    cards,
    (r, review) => {
      const p = clamp(r, PREDICTION_FLOOR, 1 - PREDICTION_FLOOR);
      loss -= review.grade > 1 ? Math.log(p) : Math.log(1 - p);
      n += 1;
    },
    until,
  );
  return [n === 0 ? 0 : loss / n, n];
}

export interface FsrsFitOptions {
  /** Where the weights start and what they are pulled towards. */
  prior: readonly number[];
  /** Only reviews before this time count (the rest are held out); all when absent. */
  until?: number;
  /** Adam steps (each on a batch of cards). */
  steps?: number;
  /** Predicted reviews per batch, about. */
  batchReviews?: number;
  /** How many reviews' worth of log-loss the prior is worth. */
  priorStrength?: number;
  seed?: number;
}

/**
 * Weights minimizing the mean log-loss of recall predictions of the reviews before
 * `until`, plus the prior's pull (`priorStrength` / reviews × Σ((w − prior) / scale)²), by
 * Adam on central-difference gradients over batches of cards, each weight kept in the
 * range ts-fsrs accepts. Deterministic for a seed.
 */
export function fitFsrsWeights(cards: readonly (readonly FsrsReview[])[], options: FsrsFitOptions): number[] {
  const { prior, until = Infinity, steps = 150, batchReviews = 1500, priorStrength = 20, seed = 1 } = options;
  const scale = scaleOf(prior);
  const w = prior.map((p, i) => clamp(p, BOUNDS[i]?.[0] ?? p, BOUNDS[i]?.[1] ?? p));
  const counted = cards.map((c) => trainingLoss(DEFAULT_FSRS_WEIGHTS, [c], until)[1]);
  const total = counted.reduce((a, b) => a + b, 0);
  if (total === 0) return w;
  const random = seededRandom(seed);
  const usable = cards.map((_, i) => i).filter((i) => (counted[i] ?? 0) > 0);
  const m = w.map(() => 0);
  const v = w.map(() => 0);
  const objective = (weights: readonly number[], batch: readonly (readonly FsrsReview[])[]) => {
    const [loss] = trainingLoss(weights, batch, until);
    let penalty = 0;
    weights.forEach((x, i) => (penalty += ((x - (prior[i] ?? 0)) / (scale[i] ?? 1)) ** 2));
    return loss + (priorStrength / total) * penalty;
  };
  for (let step = 0; step < steps; step++) {
    const batch: (readonly FsrsReview[])[] = [];
    for (let n = 0; n < batchReviews && batch.length < usable.length;) {
      const i = usable[Math.floor(random() * usable.length)] ?? 0;
      batch.push(cards[i] ?? []);
      n += counted[i] ?? 0;
    }
    const rate = 0.004 + 0.036 * 0.5 * (1 + Math.cos((Math.PI * step) / steps));
    for (let i = 0; i < w.length; i++) {
      const h = 1e-4 * (scale[i] ?? 1);
      const original = w[i] ?? 0;
      w[i] = original + h;
      const up = objective(w, batch);
      w[i] = original - h;
      const down = objective(w, batch);
      w[i] = original;
      const gradient = (up - down) / (2 * h);
      m[i] = 0.9 * (m[i] ?? 0) + 0.1 * gradient;
      v[i] = 0.999 * (v[i] ?? 0) + 0.001 * gradient * gradient;
      const mHat = (m[i] ?? 0) / (1 - 0.9 ** (step + 1));
      const vHat = (v[i] ?? 0) / (1 - 0.999 ** (step + 1));
      const step_ = rate * (scale[i] ?? 1) * (mHat / (Math.sqrt(vHat) + 1e-8));
      w[i] = clamp(original - step_, BOUNDS[i]?.[0] ?? -Infinity, BOUNDS[i]?.[1] ?? Infinity);
    }
  }
  return w;
}

export interface FsrsEvaluation {
  /** Reviews before the split (fitted on) and after it (scored). */
  trainReviews: number;
  testReviews: number;
  /** The split: the time 80% of the predicted reviews came before. */
  splitAt: string;
  prior: RecallScores;
  fitted: RecallScores;
  /** The weights fitted on the earlier reviews (what `fitted` scores). */
  trained: number[];
  /** The weights fitted on every review, when the fit on the earlier ones predicted the later ones better than the prior; else null. */
  weights: number[] | null;
}

/** Reviews a fit on the earlier part needs before it is scored on the later part (else the prior stays). */
const MIN_TEST_REVIEWS = 20;

/**
 * Evaluates a fit as the SRS benchmark does, forward in time: the weights are fitted on the
 * reviews before the time 80% of the predicted reviews came before and score their
 * predictions of the later reviews (the state running through the whole history), against
 * the prior's. When the fit wins, the weights are refitted on everything and returned.
 */
export function evaluateFsrsFit(
  cards: readonly (readonly FsrsReview[])[],
  options: Omit<FsrsFitOptions, 'until'>,
): FsrsEvaluation | null {
  const all = recallPredictions(options.prior, cards);
  const times = all.map((p) => p.at).sort((a, b) => a - b);
  const split = times[Math.floor(times.length * 0.8)];
  if (split === undefined) return null;
  const trainReviews = times.filter((t) => t < split).length;
  const later = (w: readonly number[]) => recallPredictions(w, cards).filter((p) => p.at >= split);
  if (times.length - trainReviews < MIN_TEST_REVIEWS || trainReviews === 0) return null;
  const trained = fitFsrsWeights(cards, { ...options, until: split });
  const prior = recallScores(later(options.prior));
  const fitted = recallScores(later(trained));
  return {
    trainReviews,
    testReviews: prior.reviews,
    splitAt: new Date(split).toISOString(),
    prior,
    fitted,
    trained,
    weights: fitted.logLoss < prior.logLoss ? fitFsrsWeights(cards, options) : null,
  };
}
