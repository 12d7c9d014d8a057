import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../platform/seeded-random';
import { A, B, X0, X1, Y0, Y1 } from './experiments.stats.fixtures';
import {
  cuped,
  sampleRatioMismatch,
  sampleSizePerArm,
  sequentialHalfWidth,
  summarize,
  thompsonWeights,
  twoProportions,
  welch,
  type Moments,
} from './experiments.stats';

// Expected values: computed by SciPy 1.17 from the same samples (scripts/experiments-reference.py prints them).

const moments = (ys: number[], xs?: number[]): Moments => ({
  n: ys.length,
  sum: ys.reduce((s, y) => s + y, 0),
  sumSquares: ys.reduce((s, y) => s + y * y, 0),
  ...(xs
    ? {
        pre: {
          sum: xs.reduce((s, x) => s + x, 0),
          sumSquares: xs.reduce((s, x) => s + x * x, 0),
          sumProducts: xs.reduce((s, x, i) => s + x * (ys[i] ?? 0), 0),
        },
      }
    : {}),
});

describe("Welch's t test", () => {
  it('matches scipy.stats.ttest_ind(equal_var=False): p-value, degrees of freedom and interval', () => {
    const result = welch(summarize(moments(A)), summarize(moments(B)));
    expect(result.pValue).toBeCloseTo(0.00010292856472442682, 8);
    expect(result.degreesOfFreedom).toBeCloseTo(92.07793255023054, 6);
    expect(result.difference.lower).toBeCloseTo(1.3271562859226367, 6);
    expect(result.difference.upper).toBeCloseTo(3.869070986804634, 6);
    expect(result.difference.estimate / result.standardError).toBeCloseTo(4.059947213432371, 6);
    // The lift is the difference over the control's mean; its interval holds the estimate.
    expect(result.lift.estimate).toBeCloseTo(result.difference.estimate / summarize(moments(A)).mean, 10);
    expect(result.lift.lower).toBeLessThan(result.lift.estimate);
    expect(result.chanceToBeatControl).toBeGreaterThan(0.999);
  });

  it('a variant with one learner or no spread gives p = 1 and no interval rather than NaN or a throw', () => {
    const result = welch({ n: 1, mean: 3, variance: 0 }, { n: 1, mean: 4, variance: 0 });
    expect(result.pValue).toBe(1);
    expect(result.chanceToBeatControl).toBe(0.5);
  });
});

describe('two proportions', () => {
  it("p-value equals scipy's chi-square test of the 2x2 table without correction", () => {
    const result = twoProportions({ n: 1000, successes: 200 }, { n: 1000, successes: 236 });
    expect(result.pValue).toBeCloseTo(0.05121826425541271, 8);
    expect(result.difference.estimate).toBeCloseTo(0.036, 10);
    // Unpooled Wald interval: 0.036 +- 1.959964 * sqrt(.2*.8/1000 + .236*.764/1000).
    expect(result.difference.lower).toBeCloseTo(0.036 - 1.959963984540054 * Math.sqrt(0.00016 + 0.000180304), 8);
    expect(result.lift.estimate).toBeCloseTo(0.18, 10);
  });

  it('chance to beat control is within 0.01 of the exact Beta posterior integral (scipy quad)', () => {
    expect(twoProportions({ n: 1000, successes: 200 }, { n: 1000, successes: 236 }).chanceToBeatControl).toBeCloseTo(
      0.9743172760718823,
      2,
    );
    expect(twoProportions({ n: 120, successes: 30 }, { n: 118, successes: 33 }).chanceToBeatControl).toBeCloseTo(
      0.6969411135811301,
      2,
    );
  });
});

describe('sample-ratio mismatch', () => {
  it('matches scipy.stats.chisquare for two and three arms, flagged only under p = 0.001', () => {
    const two = sampleRatioMismatch([5120, 4880], [50, 50]);
    expect(two.chiSquare).toBeCloseTo(5.76, 10);
    expect(two.pValue).toBeCloseTo(0.01639507184919225, 8);
    expect(two.mismatch).toBe(false);
    const three = sampleRatioMismatch([3400, 3300, 3100], [1, 1, 1]);
    expect(three.chiSquare).toBeCloseTo(14.285714285714286, 8);
    expect(three.pValue).toBeCloseTo(0.0007904903231199663, 8);
    expect(three.mismatch).toBe(true);
  });

  it('an unequal planned split is the expectation: 2,000 / 8,000 under 20/80 is no mismatch', () => {
    expect(sampleRatioMismatch([2000, 8000], [20, 80]).pValue).toBeCloseTo(1, 10);
    expect(sampleRatioMismatch([0, 0], [50, 50]).mismatch).toBe(false);
  });
});

describe('CUPED', () => {
  it('adjusted means and variances equal those of the per-learner adjusted values (numpy), and the test on them (scipy)', () => {
    const { summaries, theta, varianceReduction } = cuped([moments(Y0, X0), moments(Y1, X1)]);
    expect(theta).toBeCloseTo(0.768399310565287, 8);
    expect(summaries[0]?.mean).toBeCloseTo(4.628125421253651, 8);
    expect(summaries[1]?.mean).toBeCloseTo(5.143321067496872, 8);
    expect(summaries[0]?.variance).toBeCloseTo(0.9376155085435078, 8);
    expect(summaries[1]?.variance).toBeCloseTo(0.7814731996404708, 8);
    const test = welch(summaries[0] as never, summaries[1] as never);
    expect(test.pValue).toBeCloseTo(0.0020741793997046372, 6);
    expect(test.difference.lower).toBeCloseTo(0.19114238708776543, 6);
    expect(varianceReduction).toBeGreaterThan(0.5);
  });

  it('without pre-exposure values the summaries are the plain ones', () => {
    const { summaries, varianceReduction } = cuped([moments(A), moments(B)]);
    expect(summaries[0]).toEqual(summarize(moments(A)));
    expect(varianceReduction).toBe(0);
  });
});

describe('sequential interval and power', () => {
  it('is always wider than the fixed-horizon interval and narrows as learners arrive', () => {
    const se = (n: number) => Math.sqrt(2 / n);
    for (const n of [100, 1000, 10_000, 100_000]) {
      expect(sequentialHalfWidth(se(n), n, 0.05, 5000)).toBeGreaterThan(1.96 * se(n));
    }
    expect(sequentialHalfWidth(se(10_000), 10_000, 0.05, 5000)).toBeLessThan(sequentialHalfWidth(se(1000), 1000, 0.05, 5000));
  });

  it('sample size per arm: 10% to 11% at alpha 0.05 and power 0.8 needs about 14,100 learners per arm', () => {
    const n = sampleSizePerArm({ baselineMean: 0.1, baselineVariance: 0.09, relativeEffect: 0.1, alpha: 0.05, power: 0.8 });
    // (1.959964 + 0.841621)^2 * 2 * 0.09 / 0.01^2
    expect(n).toBe(Math.ceil(((1.959963984540054 + 0.8416212335729143) ** 2 * 0.18) / 0.0001));
    expect(sampleSizePerArm({ baselineMean: 0, baselineVariance: 1, relativeEffect: 0.1, alpha: 0.05, power: 0.8 })).toBe(
      Number.POSITIVE_INFINITY,
    );
  });
});

describe('Thompson sampling', () => {
  it('sends most traffic to a clearly better arm, keeps a floor for the others, and sums to 1', () => {
    const weights = thompsonWeights(
      [
        { mean: 0.2, se: 0.01 },
        { mean: 0.3, se: 0.01 },
        { mean: 0.21, se: 0.01 },
      ],
      seededRandom(1),
    );
    expect(weights.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 10);
    expect(weights[1]).toBeGreaterThan(0.9);
    expect(Math.min(...weights)).toBeGreaterThan(0.009);
  });

  it('splits evenly between arms it cannot tell apart', () => {
    const weights = thompsonWeights(
      [
        { mean: 0.5, se: 0.1 },
        { mean: 0.5, se: 0.1 },
      ],
      seededRandom(2),
    );
    expect(weights[0]).toBeCloseTo(0.5, 1);
  });
});
