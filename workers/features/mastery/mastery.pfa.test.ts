import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../platform/seeded-random';
import { ZERO_COUNTS, fitPfa, pfaPredict, pfaPredictAll, pfaUpdate, type PfaAttempt, type PfaModel } from './mastery.pfa';

const TRUE: PfaModel = {
  intercept: -0.4,
  success: 0.5,
  failure: -0.2,
  totalSuccess: 0.15,
  totalFailure: -0.1,
  concepts: { a: { easiness: 0.6, success: 0, failure: 0 }, b: { easiness: -0.6, success: 0, failure: 0 } },
  items: {},
};

/** Answers drawn from `model`, learners working on concepts a and b in turn. */
function simulate(model: PfaModel, learners: number, seed: number): PfaAttempt[] {
  const random = seededRandom(seed);
  const attempts: PfaAttempt[] = [];
  for (let l = 0; l < learners; l++) {
    const counts = { a: { ...ZERO_COUNTS }, b: { ...ZERO_COUNTS } };
    for (let t = 0; t < 12; t++) {
      const concept = random() < 0.5 ? 'a' : 'b';
      const correct = random() < pfaPredict(model, concept, undefined, counts[concept]);
      attempts.push({ learner: `l${l}`, concept, correct });
      counts.a = pfaUpdate(counts.a, correct, concept === 'a');
      counts.b = pfaUpdate(counts.b, correct, concept === 'b');
    }
  }
  return attempts;
}

const logLoss = (p: number[], attempts: PfaAttempt[]) =>
  -p.reduce((s, x, i) => s + Math.log(attempts[i]?.correct ? x : 1 - x), 0) / p.length;

describe('PFA', () => {
  it('predicts a sequence as the O(1) update does, answer by answer', () => {
    const attempts = simulate(TRUE, 3, 1);
    const byLearner = new Map<string, Record<string, typeof ZERO_COUNTS>>();
    const stepwise = attempts.map((a) => {
      const counts = byLearner.get(a.learner) ?? { a: ZERO_COUNTS, b: ZERO_COUNTS };
      const p = pfaPredict(TRUE, a.concept, undefined, counts[a.concept] ?? ZERO_COUNTS);
      byLearner.set(a.learner, {
        a: pfaUpdate(counts.a ?? ZERO_COUNTS, a.correct, a.concept === 'a'),
        b: pfaUpdate(counts.b ?? ZERO_COUNTS, a.correct, a.concept === 'b'),
      });
      return p;
    });
    expect(pfaPredictAll(TRUE, attempts)).toEqual(stepwise);
  });

  it('recovers the weights of the model the answers came from, and predicts new learners as well as it', () => {
    const { model } = fitPfa(simulate(TRUE, 1500, 2));
    expect(model.success).toBeCloseTo(TRUE.success, 0);
    expect(model.failure).toBeCloseTo(TRUE.failure, 0);
    expect(model.intercept + (model.concepts.a?.easiness ?? 0)).toBeCloseTo(TRUE.intercept + 0.6, 0);
    expect(model.concepts.a?.easiness ?? 0).toBeGreaterThan(model.concepts.b?.easiness ?? 0);
    const heldOut = simulate(TRUE, 400, 3);
    const fitted = logLoss(pfaPredictAll(model, heldOut), heldOut);
    const truth = logLoss(pfaPredictAll(TRUE, heldOut), heldOut);
    expect(fitted).toBeLessThan(truth + 0.01);
  });

  it('keeps an item seen twice near its prior and moves one seen often to what its answers say', () => {
    const random = seededRandom(5);
    const attempts: PfaAttempt[] = [];
    for (let l = 0; l < 400; l++) {
      // "hard" is answered right 20% of the time, whatever its prior says.
      attempts.push({ learner: `l${l}`, concept: 'a', item: 'hard', correct: random() < 0.2 });
      attempts.push({ learner: `l${l}`, concept: 'a', item: 'easy', correct: random() < 0.8 });
    }
    attempts.push(
      { learner: 'x', concept: 'a', item: 'rare', correct: true },
      { learner: 'y', concept: 'a', item: 'rare', correct: true },
    );
    const priors = new Map([
      ['hard', -1],
      ['rare', 1.5],
    ]);
    const { model } = fitPfa(attempts, { itemPriors: priors });
    expect(model.items.hard ?? 0).toBeGreaterThan(model.items.easy ?? 0);
    expect(model.items.hard ?? 0).toBeGreaterThan(0);
    // Two right answers pull "rare" towards easy, but the prior keeps it on the hard side; without it, it is easy.
    expect(model.items.rare ?? 0).toBeGreaterThan(0.5);
    expect(fitPfa(attempts).model.items.rare ?? 0).toBeLessThan(0);
  });

  it('fits nothing from no answers', () => {
    const fit = fitPfa([]);
    expect(fit.model.concepts).toEqual({});
    expect(pfaPredict(fit.model, 'a', undefined, ZERO_COUNTS)).toBe(0.5);
  });
});
