/**
 * Item calibration from logged answers: marginal maximum a posteriori estimation of each item's
 * difficulty (b) and, with enough answers, discrimination (a) in the 3PL model the adaptive quiz
 * uses (guessing fixed at one over the choices), by Bock–Aitkin EM over a quadrature of the
 * learners' abilities (standard normal). The author's difficulty is the prior of b, so an item
 * answered a few times stays near it. Pure: no bindings, no clock, no randomness.
 */

/** One learner's first answer to an item (a later one recalls the explanation, not the skill). */
export interface IrtAnswer {
  learner: string;
  item: string;
  correct: boolean;
}

export interface IrtItemPrior {
  /** The author's difficulty on the ability scale (the prior mean of b). */
  b: number;
  /** Guessing: one over the choices. */
  c: number;
}

export type ItemFlag = 'everyone_right' | 'everyone_wrong' | 'negative_discrimination' | 'too_few_answers';

export interface CalibratedItem {
  item: string;
  answers: number;
  /** Share of right answers. */
  pCorrect: number;
  priorB: number;
  a: number;
  b: number;
  /** Whether a was fitted (enough answers) or kept at 1. */
  discriminationFitted: boolean;
  /** Point-biserial correlation of the item's score with the learner's score on their other items (null when undefined). */
  pointBiserial: number | null;
  flags: ItemFlag[];
}

export interface IrtFitOptions {
  /** Fewest answers before an item is calibrated at all (default 20); below it, it keeps its prior. */
  minAnswers?: number;
  /** Fewest answers before discrimination is fitted (default 100). */
  minAnswersForA?: number;
  /** Standard deviation of b's prior around the author's value (default 1). */
  priorSdB?: number;
  /** EM cycles (default 50). */
  iterations?: number;
}

const NODES = Array.from({ length: 41 }, (_, k) => -4 + k * 0.2);
const PRIOR_WEIGHTS = (() => {
  const w = NODES.map((x) => Math.exp((-x * x) / 2));
  const total = w.reduce((s, x) => s + x, 0);
  return w.map((x) => x / total);
})();
/** Prior of log a: centred on a = 1, sd 0.5. */
const LOG_A_SD = 0.5;

const p3 = (theta: number, a: number, b: number, c: number) => c + (1 - c) / (1 + Math.exp(-a * (theta - b)));

/** Calibrates every item with answers; items with a prior but no answers are not reported. */
export function calibrateItems(
  answers: readonly IrtAnswer[],
  priors: ReadonlyMap<string, IrtItemPrior>,
  options: IrtFitOptions = {},
): CalibratedItem[] {
  const { minAnswers = 20, minAnswersForA = 100, priorSdB = 1, iterations = 50 } = options;
  // First answer per learner and item.
  const seen = new Set<string>();
  const first = answers.filter((x) => {
    const key = `${x.learner}\u0000${x.item}`;
    if (seen.has(key) || !priors.has(x.item)) return false;
    seen.add(key);
    return true;
  });
  const items = [...new Set(first.map((x) => x.item))];
  const learners = [...new Set(first.map((x) => x.learner))];
  const itemIndex = new Map(items.map((id, i) => [id, i]));
  const learnerIndex = new Map(learners.map((id, i) => [id, i]));
  const byLearner: { item: number; y: number }[][] = learners.map(() => []);
  const byItem: { learner: number; y: number }[][] = items.map(() => []);
  for (const x of first) {
    const i = itemIndex.get(x.item) ?? 0;
    const l = learnerIndex.get(x.learner) ?? 0;
    byLearner[l]?.push({ item: i, y: x.correct ? 1 : 0 });
    byItem[i]?.push({ learner: l, y: x.correct ? 1 : 0 });
  }
  const prior = items.map((id) => priors.get(id) ?? { b: 0, c: 0 });
  const a = items.map(() => 1);
  const b = prior.map((p) => p.b);
  const calibrated = byItem.map((list) => list.length >= minAnswers);
  const fitA = byItem.map((list) => list.length >= minAnswersForA);
  const Q = NODES.length;
  const posterior: Float64Array[] = learners.map(() => new Float64Array(Q));

  for (let cycle = 0; cycle < iterations; cycle++) {
    // E-step: each learner's posterior over the ability nodes.
    byLearner.forEach((list, l) => {
      const w = posterior[l] ?? new Float64Array(Q);
      let total = 0;
      for (let q = 0; q < Q; q++) {
        let like = Math.log(PRIOR_WEIGHTS[q] ?? 0);
        for (const { item, y } of list) {
          const p = p3(NODES[q] ?? 0, a[item] ?? 1, b[item] ?? 0, prior[item]?.c ?? 0);
          like += Math.log(y ? p : 1 - p);
        }
        w[q] = like;
      }
      const max = Math.max(...w);
      for (let q = 0; q < Q; q++) total += w[q] = Math.exp((w[q] ?? 0) - max);
      for (let q = 0; q < Q; q++) w[q] = (w[q] ?? 0) / total;
    });
    // M-step: a few Newton steps per item on its expected log posterior.
    for (let i = 0; i < items.length; i++) {
      if (!calibrated[i]) continue;
      // Expected answers and right answers at each node.
      const n = new Float64Array(Q);
      const r = new Float64Array(Q);
      for (const { learner, y } of byItem[i] ?? []) {
        const w = posterior[learner];
        if (!w) continue;
        for (let q = 0; q < Q; q++) {
          n[q] = (n[q] ?? 0) + (w[q] ?? 0);
          r[q] = (r[q] ?? 0) + y * (w[q] ?? 0);
        }
      }
      const c = prior[i]?.c ?? 0;
      const pb = prior[i]?.b ?? 0;
      let logA = Math.log(a[i] ?? 1);
      let bi = b[i] ?? 0;
      for (let step = 0; step < 5; step++) {
        const ai = Math.exp(logA);
        // Gradient and (Fisher) curvature in (b, log a).
        let gB = -(bi - pb) / priorSdB ** 2;
        let hB = 1 / priorSdB ** 2;
        let gA = -logA / LOG_A_SD ** 2;
        let hA = 1 / LOG_A_SD ** 2;
        for (let q = 0; q < Q; q++) {
          const theta = NODES[q] ?? 0;
          const s = 1 / (1 + Math.exp(-ai * (theta - bi)));
          const p = c + (1 - c) * s;
          // d p / d z with z = a(θ − b); the 3PL score weight (p − c) / ((1 − c) p).
          const weight = (s * (1 - s) * (1 - c)) / (p * (1 - p));
          const residual = (r[q] ?? 0) - (n[q] ?? 0) * p;
          const info = (n[q] ?? 0) * weight * s * (1 - s) * (1 - c);
          gB += residual * weight * -ai;
          hB += info * ai * ai;
          if (fitA[i]) {
            const dz = ai * (theta - bi);
            gA += residual * weight * dz;
            hA += info * dz * dz;
          }
        }
        bi = Math.min(4, Math.max(-4, bi + gB / hB));
        if (fitA[i]) logA = Math.min(Math.log(4), Math.max(Math.log(0.2), logA + gA / hA));
      }
      b[i] = bi;
      a[i] = fitA[i] ? Math.exp(logA) : 1;
    }
  }

  // Point-biserial: each item's score against the learner's share right on their other items.
  return items.map((id, i) => {
    const list = byItem[i] ?? [];
    const right = list.filter((x) => x.y === 1).length;
    const pairs = list.flatMap(({ learner, y }) => {
      const others = (byLearner[learner] ?? []).filter((x) => x.item !== i);
      return others.length === 0 ? [] : [[y, others.reduce((s, x) => s + x.y, 0) / others.length] as const];
    });
    const pointBiserial = correlation(pairs);
    const flags: ItemFlag[] = [];
    if (list.length < minAnswers) flags.push('too_few_answers');
    else if (right === list.length) flags.push('everyone_right');
    else if (right === 0) flags.push('everyone_wrong');
    if (list.length >= minAnswers && pointBiserial !== null && pointBiserial < 0) flags.push('negative_discrimination');
    return {
      item: id,
      answers: list.length,
      pCorrect: list.length ? right / list.length : 0,
      priorB: prior[i]?.b ?? 0,
      a: a[i] ?? 1,
      b: b[i] ?? 0,
      discriminationFitted: fitA[i] ?? false,
      pointBiserial,
      flags,
    };
  });
}

/** Pearson correlation of pairs; null when either side does not vary. */
export function correlation(pairs: readonly (readonly [number, number])[]): number | null {
  const n = pairs.length;
  if (n < 2) return null;
  const mx = pairs.reduce((s, [x]) => s + x, 0) / n;
  const my = pairs.reduce((s, [, y]) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const [x, y] of pairs) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : null;
}
