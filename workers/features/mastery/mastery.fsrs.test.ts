import { forgetting_curve, FSRSAlgorithm, generatorParameters } from 'ts-fsrs';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../platform/seeded-random';
import {
  binnedRmse,
  DEFAULT_FSRS_WEIGHTS,
  evaluateFsrsFit,
  fitFsrsWeights,
  nextMemoryState,
  recallPredictions,
  recallProbability,
  recallScores,
  type FsrsGrade,
  type FsrsReview,
} from './mastery.fsrs';

const DAY = 86_400_000;

/** Weights unlike the defaults: memories that start weaker, grow slower after a recall and decay more steeply. */
const TRUE_WEIGHTS = DEFAULT_FSRS_WEIGHTS.map((w, i) => (i < 4 ? w * 0.25 : i === 8 ? w - 0.6 : i === 20 ? 0.5 : w));

/** Cards reviewed on a rough expanding schedule, recall drawn from FSRS with weights `w`. */
function fsrsCards(w: readonly number[], cards: number, seed: number): FsrsReview[][] {
  const random = seededRandom(seed);
  const out: FsrsReview[][] = [];
  for (let c = 0; c < cards; c++) {
    let at = Date.UTC(2026, 0, 1) + Math.floor(random() * 40) * DAY;
    const first: FsrsReview = { at, grade: random() < 0.7 ? 3 : 1 };
    const reviews = [first];
    let state = nextMemoryState(w, null, 0, first.grade, 0);
    // Scheduled as the platform schedules before a fit: by the default weights' stability.
    let scheduled = nextMemoryState(DEFAULT_FSRS_WEIGHTS, null, 0, first.grade, 0);
    for (let r = 1; r < 7; r++) {
      const days = Math.max(1, Math.round(scheduled.stability * (0.5 + random())));
      at += days * DAY;
      const p = recallProbability(w, days, state.stability);
      const grade: FsrsGrade = random() < p ? (random() < 0.2 ? 4 : 3) : 1;
      reviews.push({ at, grade });
      state = nextMemoryState(w, state, days, grade, p);
      const q = recallProbability(DEFAULT_FSRS_WEIGHTS, days, scheduled.stability);
      scheduled = nextMemoryState(DEFAULT_FSRS_WEIGHTS, scheduled, days, grade, q);
    }
    out.push(reviews);
  }
  return out;
}

describe('FSRS fitting', () => {
  it('runs the memory model exactly as ts-fsrs, the library that schedules the cards, does', () => {
    const random = seededRandom(7);
    const w = TRUE_WEIGHTS;
    const algorithm = new FSRSAlgorithm(generatorParameters({ w: [...w], enable_fuzz: false }));
    for (let k = 0; k < 400; k++) {
      const state = k % 10 === 0 ? null : { difficulty: 1 + 9 * random(), stability: 0.05 + 200 * random() };
      const t = k % 7 === 0 ? 0 : Math.floor(random() * 120);
      const grade = (1 + Math.floor(random() * 4)) as FsrsGrade;
      const r = state ? recallProbability(w, t, state.stability) : 0;
      const ours = nextMemoryState(w, state, t, grade, r);
      const theirs = algorithm.next_state(state, t, grade, state ? r : undefined);
      expect(ours.difficulty).toBeCloseTo(theirs.difficulty, 5);
      expect(ours.stability / theirs.stability).toBeCloseTo(1, 5);
      if (state) expect(r).toBeCloseTo(forgetting_curve([...w], t, state.stability), 6);
    }
  });

  it('predicts recall before reviews a day or more after the last one only', () => {
    const at = Date.UTC(2026, 0, 1, 9);
    const card: FsrsReview[] = [
      { at, grade: 3 },
      { at: at + 3_600_000, grade: 3 },
      { at: at + 3 * DAY, grade: 1 },
      { at: at + 4 * DAY, grade: 3 },
    ];
    const predictions = recallPredictions(DEFAULT_FSRS_WEIGHTS, [card]);
    expect(predictions.map((p) => [p.at, p.recalled])).toEqual([
      [at + 3 * DAY, false],
      [at + 4 * DAY, true],
    ]);
    for (const p of predictions) expect(p.p).toBeGreaterThan(0);
  });

  it('recovers weights closer to the process that made the reviews, and predicts later reviews better than the defaults', () => {
    const cards = fsrsCards(TRUE_WEIGHTS, 400, 11);
    const evaluation = evaluateFsrsFit(cards, { prior: DEFAULT_FSRS_WEIGHTS, steps: 100 });
    expect(evaluation).not.toBeNull();
    const { prior, fitted, weights } = evaluation ?? { prior: null, fitted: null, weights: null };
    expect(fitted?.logLoss).toBeLessThan((prior?.logLoss ?? 0) - 0.008);
    expect(fitted?.rmseBins).toBeLessThan(prior?.rmseBins ?? 0);
    // The truth's own predictions of the same later reviews: the fit comes near them.
    const truth = recallScores(
      recallPredictions(TRUE_WEIGHTS, cards).filter((p) => p.at >= Date.parse(evaluation?.splitAt ?? '')),
    );
    expect(fitted?.logLoss).toBeLessThan(truth.logLoss + 0.005);
    expect(weights).toHaveLength(21);
    // Initial stability after "good" moved from the default (2.31 days) towards the truth's (0.58).
    expect(weights?.[2]).toBeLessThan(1);
  });

  it('keeps the prior when there is nothing to fit and gives the same weights for the same seed', () => {
    const single: FsrsReview[][] = [[{ at: Date.UTC(2026, 0, 1), grade: 3 }]];
    expect(fitFsrsWeights(single, { prior: DEFAULT_FSRS_WEIGHTS })).toEqual([...DEFAULT_FSRS_WEIGHTS]);
    expect(evaluateFsrsFit(single, { prior: DEFAULT_FSRS_WEIGHTS })).toBeNull();
    const cards = fsrsCards(TRUE_WEIGHTS, 60, 3);
    const once = fitFsrsWeights(cards, { prior: DEFAULT_FSRS_WEIGHTS, steps: 20, seed: 5 });
    expect(fitFsrsWeights(cards, { prior: DEFAULT_FSRS_WEIGHTS, steps: 20, seed: 5 })).toEqual(once);
  });

  it('bins calibration: zero for predictions that match the observed rates, large for confident wrong ones', () => {
    const calibrated = Array.from({ length: 100 }, (_, i) => ({ at: i, p: 0.8, recalled: i % 5 !== 0 }));
    expect(binnedRmse(calibrated)).toBeCloseTo(0, 10);
    const wrong = Array.from({ length: 100 }, (_, i) => ({ at: i, p: 0.95, recalled: i % 2 === 0 }));
    expect(binnedRmse(wrong)).toBeCloseTo(0.45, 10);
    expect(recallScores([]).reviews).toBe(0);
  });
});
