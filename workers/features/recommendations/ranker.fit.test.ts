import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../platform/seeded-random';
import { fitRankerWeights, SIGNALS, type RankChoice } from './ranker.fit';
import { scoreOf, WEIGHTS, type RankFeatures, type RankWeights } from './recommend.domain';

/** Lists of five lessons with random signal values, the choice drawn from a conditional logit at `truth`. */
function simulate(truth: RankWeights, sharpness: number, lists: number, seed: number): RankChoice[] {
  const rand = seededRandom(seed);
  return Array.from({ length: lists }, () => {
    const options = Array.from({ length: 5 }, () => {
      const goal = rand() < 0.4 ? 1 : 0;
      const features: RankFeatures = {
        goal,
        goalPath: goal && rand() < 0.5 ? 1 : 0,
        layer: rand() < 0.7 ? 1 : 0.4,
        gap: rand() < 0.3 ? rand() : 0,
        collaborative: rand() * 0.6,
        similar: rand() < 0.5 ? rand() : 0,
        order: rand(),
        engagement: 0.2 + rand() * 0.7,
      };
      return { features, bonus: rand() < 0.1 ? 0.2 : 0 };
    });
    const exps = options.map((o) => Math.exp(sharpness * scoreOf(o.features, truth, o.bonus)));
    const total = exps.reduce((a, b) => a + b, 0);
    let draw = rand() * total;
    let chosen = 0;
    while (chosen < exps.length - 1 && (draw -= exps[chosen] ?? 0) > 0) chosen += 1;
    return { options, chosen };
  });
}

/** Learners who care about course order far more, and about the goal far less, than the hand-set weights say. */
const TRUTH: RankWeights = { ...WEIGHTS, order: 0.45, goal: 0.05 };

describe('fitRankerWeights', () => {
  it('moves the weights towards what learners choose, at most the step per refit, and predicts held-out choices better', () => {
    const choices = simulate(TRUTH, 8, 2500, 7);
    let weights: RankWeights = WEIGHTS;
    for (let refit = 0; refit < 8; refit++) {
      const fit = fitRankerWeights(choices, weights);
      expect(fit.changed).toBe(true);
      for (const s of fit.signals) expect(Math.abs(s.next - s.current)).toBeLessThanOrEqual(0.05 + 1e-9);
      for (const s of SIGNALS) expect(fit.weights[s]).toBeGreaterThanOrEqual(0);
      weights = fit.weights;
    }
    expect(weights.order).toBeGreaterThan(0.4);
    expect(weights.goal).toBeLessThan(0.15);
    const last = fitRankerWeights(choices, WEIGHTS);
    expect(last.heldOut.choices).toBe(500);
    expect(last.heldOut.logLoss.fitted).toBeLessThan(last.heldOut.logLoss.current);
    expect(last.heldOut.top1.fitted).toBeGreaterThanOrEqual(last.heldOut.top1.current);
  }, 60_000);

  it('keeps the weights when learners choose as the current weights say', () => {
    const fit = fitRankerWeights(simulate(WEIGHTS, 8, 3000, 11), WEIGHTS);
    for (const s of fit.signals) expect(Math.abs(s.estimate - s.current)).toBeLessThan(0.05);
  }, 30_000);

  it('leaves the weights alone with too few choices, and ignores lists with one option or a chosen index outside the list', () => {
    const choices = simulate(TRUTH, 8, 150, 3);
    const broken: RankChoice[] = [
      { options: choices[0]?.options.slice(0, 1) ?? [], chosen: 0 },
      { options: choices[1]?.options ?? [], chosen: 9 },
      { options: choices[2]?.options ?? [], chosen: -1 },
    ];
    const fit = fitRankerWeights([...choices, ...broken], WEIGHTS);
    expect(fit).toMatchObject({ changed: false, choices: 150, weights: WEIGHTS });
    expect(fit.reason).toMatch(/at least 200/);
  });

  it('weighs the current weights as a prior: with few choices the estimate moves less than with many', () => {
    const few = fitRankerWeights(simulate(TRUTH, 8, 250, 5), WEIGHTS, { minChoices: 200, priorChoices: 200, maxStep: 1 });
    const many = fitRankerWeights(simulate(TRUTH, 8, 5000, 5), WEIGHTS, { minChoices: 200, priorChoices: 200, maxStep: 1 });
    const moved = (fit: typeof few) => fit.signals.find((s) => s.signal === 'order')?.estimate ?? 0;
    expect(moved(few)).toBeGreaterThan(WEIGHTS.order);
    expect(moved(many)).toBeGreaterThan(moved(few));
  }, 30_000);
});
