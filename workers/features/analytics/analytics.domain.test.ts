import { describe, expect, it } from 'vitest';
import {
  analyseItem,
  driftOf,
  pointBiserial,
  predictionFigures,
  retention,
  weekOf,
  type ItemCounts,
  type PredictionBin,
} from './analytics.domain';

/** Sufficient statistics of (right, ability) pairs, as the rollup sums them. */
function sums(pairs: [number, number][]) {
  return {
    answers: pairs.length,
    correct: pairs.reduce((s, [c]) => s + c, 0),
    sumAbility: pairs.reduce((s, [, a]) => s + a, 0),
    sumAbilitySquares: pairs.reduce((s, [, a]) => s + a * a, 0),
    sumCorrectAbility: pairs.reduce((s, [c, a]) => s + c * a, 0),
  };
}

describe('point-biserial discrimination', () => {
  it('equals the Pearson correlation of the 0/1 answer with ability (scipy.stats.pointbiserialr)', () => {
    // scipy.stats.pointbiserialr([1,1,1,0,0,1,0,1,0,0], [1.2,0.8,0.5,-0.3,-1.1,0.9,0.1,-0.2,-0.8,0.4]) -> 0.6885038215867689
    const c = [1, 1, 1, 0, 0, 1, 0, 1, 0, 0];
    const a = [1.2, 0.8, 0.5, -0.3, -1.1, 0.9, 0.1, -0.2, -0.8, 0.4];
    const s = sums(c.map((x, i) => [x, a[i] ?? 0]));
    const r = pointBiserial(s.answers, s.correct, s.sumAbility, s.sumAbilitySquares, s.sumCorrectAbility);
    // Pearson r computed by hand below, independently of the sufficient-statistics form.
    const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
    const mc = mean(c);
    const ma = mean(a);
    const cov = c.reduce((s2, x, i) => s2 + (x - mc) * ((a[i] ?? 0) - ma), 0);
    const sc = Math.sqrt(c.reduce((s2, x) => s2 + (x - mc) ** 2, 0));
    const sa = Math.sqrt(a.reduce((s2, x) => s2 + (x - ma) ** 2, 0));
    expect(r).toBeCloseTo(cov / (sc * sa), 10);
    expect(r).toBeCloseTo(0.6885038215867689, 10);
  });

  it('is null when every answer is right or abilities do not vary', () => {
    expect(pointBiserial(5, 5, 1, 1, 1)).toBeNull();
    expect(pointBiserial(4, 2, 0, 0, 0)).toBeNull();
  });
});

const item = (over: Partial<ItemCounts>): ItemCounts => ({
  ...sums([]),
  itemId: 'i',
  lessonSlug: 'l',
  question: 'q',
  choices: ['right', 'near', 'far', 'silly'],
  key: 0,
  answers: 100,
  correct: 60,
  picks: new Map([
    [0, 60],
    [1, 25],
    [2, 10],
    [3, 5],
  ]),
  ...over,
});

describe('item analysis', () => {
  it('flags a distractor picked more than the key, and negative discrimination (a wrong key)', () => {
    const pairs: [number, number][] = [
      ...Array.from({ length: 30 }, (_, i): [number, number] => [1, -1 + i / 100]),
      ...Array.from({ length: 70 }, (_, i): [number, number] => [0, 0.5 + i / 100]),
    ];
    const result = analyseItem(
      item({
        ...sums(pairs),
        picks: new Map([
          [0, 30],
          [1, 60],
          [2, 6],
          [3, 4],
        ]),
      }),
    );
    expect(result.difficulty).toBe(0.3);
    expect(result.discrimination).toBeLessThan(0);
    expect(result.flags).toEqual(['negative_discrimination', 'distractor_beats_key']);
    expect(result.choices.map((c) => c.share)).toEqual([0.3, 0.6, 0.06, 0.04]);
  });

  it('flags too easy items and distractors nobody picks, only once enough learners answered', () => {
    const easy = {
      correct: 97,
      picks: new Map([
        [0, 97],
        [1, 3],
      ]),
    };
    expect(analyseItem(item({ ...easy, answers: 100 })).flags).toEqual(['too_easy', 'unused_distractor']);
    expect(analyseItem(item({ ...easy, answers: 10, correct: 10, picks: new Map([[0, 10]]) })).flags).toEqual([]);
  });
});

describe('retention by weekly cohort', () => {
  it('gives each cohort the share active in each week since, up to this week', () => {
    expect(weekOf('2026-12-03')).toBe('2026-11-30');
    const rows = [
      { cohort: '2026-11-16', week: '2026-11-16', learners: 10 },
      { cohort: '2026-11-16', week: '2026-11-30', learners: 4 },
      { cohort: '2026-11-23', week: '2026-11-23', learners: 5 },
      { cohort: '2026-11-23', week: '2026-11-30', learners: 5 },
    ];
    const sizes = new Map([
      ['2026-11-16', 10],
      ['2026-11-23', 5],
    ]);
    expect(retention(rows, sizes, '2026-11-30')).toEqual([
      { cohort: '2026-11-16', learners: 10, weeks: [1, 0, 0.4] },
      { cohort: '2026-11-23', learners: 5, weeks: [1, 1] },
    ]);
  });
});

describe('prediction figures from bins', () => {
  it('AUC from bins equals the pairwise count (ties half), and log-loss is the mean', () => {
    // Positives at 0.85 (x3) and 0.55 (x1); negatives at 0.55 (x1) and 0.15 (x2). Pairs: 4 x 3 = 12.
    // Wins: each 0.85 beats all 3 negatives (9); the 0.55 positive beats the two 0.15 (2) and ties one (0.5). AUC = 11.5 / 12.
    const bins: PredictionBin[] = [
      { bin: 17, n: 3, positives: 3, sumPredicted: 2.55, sumLogLoss: 3 * -Math.log(0.85) },
      { bin: 11, n: 2, positives: 1, sumPredicted: 1.1, sumLogLoss: -Math.log(0.55) - Math.log(0.45) },
      { bin: 3, n: 2, positives: 0, sumPredicted: 0.3, sumLogLoss: 2 * -Math.log(0.85) },
    ];
    const f = predictionFigures(bins);
    expect(f.auc).toBeCloseTo(11.5 / 12, 12);
    expect(f.predictions).toBe(7);
    expect(f.observed).toBeCloseTo(4 / 7, 12);
    expect(f.logLoss).toBeCloseTo((5 * -Math.log(0.85) - Math.log(0.55) - Math.log(0.45)) / 7, 12);
    expect(predictionFigures([{ bin: 5, n: 3, positives: 3, sumPredicted: 0.8, sumLogLoss: 1 }]).auc).toBeNull();
  });

  it('raises drift when AUC falls, log-loss rises or calibration slips, once both windows have enough predictions', () => {
    const good = { predictions: 200, observed: 0.6, meanPredicted: 0.62, auc: 0.8, logLoss: 0.5 };
    expect(driftOf(good, good)).toBeNull();
    expect(driftOf({ ...good, auc: 0.7 }, good)).toContain('AUC fell from 0.800 to 0.700');
    expect(driftOf({ ...good, logLoss: 0.7 }, good)).toContain('log-loss rose');
    expect(driftOf({ ...good, meanPredicted: 0.8 }, good)).toContain('predicted 80% against 60% observed');
    expect(driftOf({ ...good, auc: 0.5, predictions: 10 }, good)).toBeNull();
  });
});
