import { describe, expect, it } from 'vitest';
import {
  BKT_BOUNDS,
  DEFAULT_BKT,
  bktLogLikelihood,
  bktPredictCorrect,
  bktPredictSequence,
  bktUpdate,
  fitBkt,
  masteryLevel,
  type BktParams,
} from './mastery.bkt';
import { seededRandom } from '../../platform/seeded-random';

const params = (overrides: Partial<BktParams> = {}): BktParams => ({ ...DEFAULT_BKT, ...overrides });

/** Answers of simulated learners whose hidden state follows the BKT model exactly. */
function simulate(p: BktParams, students: number, attempts: number, seed: number): boolean[][] {
  const random = seededRandom(seed);
  return Array.from({ length: students }, () => {
    let known = random() < p.prior;
    return Array.from({ length: attempts }, () => {
      const correct = known ? random() >= p.slip : random() < p.guess;
      known = known ? random() >= p.forget : random() < p.learn;
      return correct;
    });
  });
}

describe('bktUpdate', () => {
  it.each([
    // Posterior 0.3·0.9 / (0.27 + 0.7·0.2) = 0.27/0.41 = 0.658537; then + 0.341463·0.15 = 0.709756.
    { name: 'raises P(known) after a correct answer', pKnown: 0.3, correct: true, p: params(), expected: 0.709756 },
    // Posterior 0.3·0.1 / (0.03 + 0.7·0.8) = 0.03/0.59 = 0.050847; then + 0.949153·0.15 = 0.193220.
    { name: 'lowers P(known) after a wrong answer', pKnown: 0.3, correct: false, p: params(), expected: 0.19322 },
    // Posterior 0.8·0.8 / (0.64 + 0.2·0.25) = 0.64/0.69 = 0.927536; nothing to learn once known.
    {
      name: 'keeps the posterior when there is nothing to learn',
      pKnown: 0.8,
      correct: true,
      p: params({ learn: 0, guess: 0.25, slip: 0.2 }),
      expected: 0.927536,
    },
    // Posterior 0.72/(0.72 + 0.2·0.2) = 0.947368; then ·0.95 + 0.052632·0.1 = 0.9 + 0.005263 = 0.905263.
    {
      name: 'lets a known skill be forgotten between attempts',
      pKnown: 0.8,
      correct: true,
      p: params({ learn: 0.1, forget: 0.05 }),
      expected: 0.905263,
    },
    // Posterior 0.08/(0.08 + 0.2·0.8) = 1/3; then (1/3)·0.95 + (2/3)·0.1 = 0.383333.
    {
      name: 'combines a wrong answer with forgetting',
      pKnown: 0.8,
      correct: false,
      p: params({ learn: 0.1, forget: 0.05 }),
      expected: 0.383333,
    },
  ])('$name', ({ pKnown, correct, p, expected }) => {
    expect(bktUpdate(pKnown, correct, p)).toBeCloseTo(expected, 6);
  });

  it('keeps P(known) when the answer carries no information', () => {
    expect(bktUpdate(0, true, params({ guess: 0, learn: 0 }))).toBe(0);
  });
});

describe('bktPredictCorrect', () => {
  it.each([
    // 0.3·0.9 + 0.7·0.2 = 0.41
    { pKnown: 0.3, expected: 0.41 },
    // Known for sure: 1 - slip.
    { pKnown: 1, expected: 0.9 },
    // Unknown for sure: guess.
    { pKnown: 0, expected: 0.2 },
  ])('predicts $expected at P(known) $pKnown', ({ pKnown, expected }) => {
    expect(bktPredictCorrect(pKnown, DEFAULT_BKT)).toBeCloseTo(expected, 10);
  });
});

describe('bktPredictSequence', () => {
  it('predicts each attempt before seeing it', () => {
    const predicted = bktPredictSequence([true, false], DEFAULT_BKT);
    // From the prior 0.3: 0.41; after a correct answer P(known) = 0.709756, so 0.709756·0.9 + 0.290244·0.2 = 0.696829.
    expect(predicted).toHaveLength(2);
    expect(predicted[0]).toBeCloseTo(0.41, 10);
    expect(predicted[1]).toBeCloseTo(0.696829, 6);
  });

  it('predicts nothing for an empty sequence', () => {
    expect(bktPredictSequence([], DEFAULT_BKT)).toEqual([]);
  });
});

describe('masteryLevel', () => {
  it.each([
    { pKnown: 0, level: 'not started' },
    { pKnown: DEFAULT_BKT.prior, level: 'not started' },
    { pKnown: 0.349, level: 'not started' },
    { pKnown: 0.35, level: 'learning' },
    { pKnown: 0.699, level: 'learning' },
    { pKnown: 0.7, level: 'practising' },
    { pKnown: 0.949, level: 'practising' },
    { pKnown: 0.95, level: 'mastered' },
    { pKnown: 1, level: 'mastered' },
  ])('reads P(known) $pKnown as $level', ({ pKnown, level }) => {
    expect(masteryLevel(pKnown)).toBe(level);
  });
});

describe('fitBkt', () => {
  const truth = params({ prior: 0.4, learn: 0.1, guess: 0.25, slip: 0.08 });
  const sequences = simulate(truth, 400, 20, 20240611);

  it('recovers the parameters that generated the answers', () => {
    const fit = fitBkt(sequences);
    for (const key of ['prior', 'learn', 'guess', 'slip'] as const) {
      expect(Math.abs(fit.params[key] - truth[key]), key).toBeLessThanOrEqual(0.05);
    }
    expect(fit.params.forget).toBe(0);
  });

  it('raises the log-likelihood over its starting point and reports the fitted one', () => {
    const fit = fitBkt(sequences);
    expect(fit.iterations).toBeGreaterThan(0);
    expect(fit.logLikelihood).toBeGreaterThan(bktLogLikelihood(sequences, DEFAULT_BKT));
    expect(fit.logLikelihood).toBeCloseTo(bktLogLikelihood(sequences, fit.params), 6);
  });

  it('never lowers the log-likelihood from one iteration to the next', () => {
    const lls = [1, 2, 3, 5, 8, 13].map((iterations) => fitBkt(sequences, { iterations, tolerance: 0 }).logLikelihood);
    lls.slice(1).forEach((ll, i) => expect(ll).toBeGreaterThanOrEqual(lls[i] ?? Infinity));
  });

  it('gives the same answer on every run', () => {
    expect(fitBkt(sequences)).toEqual(fitBkt(sequences));
  });

  it('fits a forget rate when asked to', () => {
    const forgetting = params({ prior: 0.3, learn: 0.2, guess: 0.2, slip: 0.1, forget: 0.1 });
    const fit = fitBkt(simulate(forgetting, 1000, 20, 7), { fitForget: true });
    expect(Math.abs(fit.params.forget - forgetting.forget)).toBeLessThanOrEqual(0.05);
  });

  it('returns the initial parameters when there are no attempts', () => {
    const initial = params({ prior: 0.5 });
    expect(fitBkt([])).toEqual({ params: DEFAULT_BKT, logLikelihood: 0, iterations: 0 });
    expect(fitBkt([[], []], { initial })).toEqual({ params: initial, logLikelihood: 0, iterations: 0 });
  });

  it('stays within bounds when every answer is correct', () => {
    const fit = fitBkt(Array.from({ length: 50 }, () => Array<boolean>(10).fill(true)));
    for (const key of ['prior', 'learn', 'guess', 'slip'] as const) {
      expect(fit.params[key]).toBeGreaterThanOrEqual(BKT_BOUNDS.min);
      expect(fit.params[key]).toBeLessThanOrEqual(BKT_BOUNDS.max);
    }
    expect(fit.params.guess).toBeLessThanOrEqual(BKT_BOUNDS.maxGuess);
    expect(fit.params.slip).toBeLessThanOrEqual(BKT_BOUNDS.maxSlip);
    expect(Number.isFinite(fit.logLikelihood)).toBe(true);
  });

  it('fits finite parameters from sequences of 2,000 attempts (the scaled forward-backward pass does not underflow)', () => {
    const long = simulate(truth, 30, 2000, 99);
    expect(long.every((sequence) => sequence.length === 2000)).toBe(true);
    const fit = fitBkt(long);
    for (const value of Object.values(fit.params)) expect(Number.isFinite(value)).toBe(true);
    expect(Number.isFinite(fit.logLikelihood)).toBe(true);
    expect(fit.logLikelihood).toBeCloseTo(bktLogLikelihood(long, fit.params), 4);
    // Long practice means most of it is spent knowing the skill: slip and guess still come out near the truth.
    expect(Math.abs(fit.params.slip - truth.slip)).toBeLessThanOrEqual(0.05);
  });

  it('fits finite, bounded parameters when every one of 2,000 answers per learner is right', () => {
    const fit = fitBkt(Array.from({ length: 20 }, () => Array<boolean>(2000).fill(true)));
    for (const value of Object.values(fit.params)) expect(Number.isFinite(value)).toBe(true);
    expect(fit.params.slip).toBeGreaterThanOrEqual(BKT_BOUNDS.min);
    expect(fit.params.guess).toBeLessThanOrEqual(BKT_BOUNDS.maxGuess);
    expect(Number.isFinite(fit.logLikelihood)).toBe(true);
  });

  it('honours tighter bounds', () => {
    const fit = fitBkt(sequences, { bounds: { maxGuess: 0.1 } });
    expect(fit.params.guess).toBeLessThanOrEqual(0.1);
  });

  it('rejects invalid options', () => {
    expect(() => fitBkt(sequences, { iterations: -1 })).toThrow(RangeError);
    expect(() => fitBkt(sequences, { bounds: { min: 0.6, max: 0.5 } })).toThrow(RangeError);
  });
});
