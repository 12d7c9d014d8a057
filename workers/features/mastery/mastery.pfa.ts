/**
 * Performance factors analysis with the learner-level counts of "best-LR" (Pavlik et al., 2009;
 * Gervet et al., 2020): a logistic model of the next answer over the learner's prior successes and
 * failures on the concept and on all concepts (log-scaled), each concept's easiness and each item's
 * difficulty. Published comparisons put this family level with deep knowledge tracing on public
 * datasets, and applying it is O(1) per answer: the learner keeps four counts per concept.
 * Pure: no bindings, no clock, no randomness.
 */

/** What the model knows of a learner before an answer: their counts so far. */
export interface PfaCounts {
  /** Right and wrong answers on this concept so far. */
  successes: number;
  failures: number;
  /** Right and wrong answers on all concepts so far. */
  totalSuccesses: number;
  totalFailures: number;
}

export interface PfaConcept {
  /** Added to the intercept (easier concepts > 0). */
  easiness: number;
  /** Added to the shared weights of this concept's counts. */
  success: number;
  failure: number;
}

export interface PfaModel {
  intercept: number;
  /** Weights of log(1 + successes) and log(1 + failures) on the concept. */
  success: number;
  failure: number;
  /** Weights of log(1 + successes) and log(1 + failures) on all concepts. */
  totalSuccess: number;
  totalFailure: number;
  concepts: Record<string, PfaConcept>;
  /** Item difficulties (logits, subtracted): unknown items count as 0, or as their prior when one was given. */
  items: Record<string, number>;
}

/** One answer, in the learner's own order (the counts are built from the answers before it). */
export interface PfaAttempt {
  learner: string;
  concept: string;
  item?: string;
  correct: boolean;
}

export const ZERO_COUNTS: PfaCounts = Object.freeze({ successes: 0, failures: 0, totalSuccesses: 0, totalFailures: 0 });

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** P(correct) of the next answer on `concept` (and `item`, when known). */
export function pfaPredict(model: PfaModel, concept: string, item: string | undefined, counts: PfaCounts): number {
  const c = model.concepts[concept];
  const z =
    model.intercept +
    (c?.easiness ?? 0) +
    (model.success + (c?.success ?? 0)) * Math.log1p(counts.successes) +
    (model.failure + (c?.failure ?? 0)) * Math.log1p(counts.failures) +
    model.totalSuccess * Math.log1p(counts.totalSuccesses) +
    model.totalFailure * Math.log1p(counts.totalFailures) -
    (item === undefined ? 0 : (model.items[item] ?? 0));
  return sigmoid(z);
}

/** The counts after an answer (O(1)). `sameConcept` is false when the answer was on another concept. */
export function pfaUpdate(counts: PfaCounts, correct: boolean, sameConcept = true): PfaCounts {
  return {
    successes: counts.successes + (sameConcept && correct ? 1 : 0),
    failures: counts.failures + (sameConcept && !correct ? 1 : 0),
    totalSuccesses: counts.totalSuccesses + (correct ? 1 : 0),
    totalFailures: counts.totalFailures + (correct ? 0 : 1),
  };
}

/**
 * P(correct) of each attempt predicted before it is seen, the learners' counts built as the
 * attempts go by. Attempts must be in each learner's order (learners may interleave).
 */
export function pfaPredictAll(model: PfaModel, attempts: readonly PfaAttempt[]): number[] {
  return withCounts(attempts).map(({ attempt, counts }) => pfaPredict(model, attempt.concept, attempt.item, counts));
}

/** Each attempt with the counts its learner had before it. */
function withCounts(attempts: readonly PfaAttempt[]): { attempt: PfaAttempt; counts: PfaCounts }[] {
  const perConcept = new Map<string, { s: number; f: number }>();
  const perLearner = new Map<string, { s: number; f: number }>();
  return attempts.map((attempt) => {
    const key = `${attempt.learner}\u0000${attempt.concept}`;
    const c = perConcept.get(key) ?? { s: 0, f: 0 };
    const t = perLearner.get(attempt.learner) ?? { s: 0, f: 0 };
    const counts = { successes: c.s, failures: c.f, totalSuccesses: t.s, totalFailures: t.f };
    if (attempt.correct) {
      c.s += 1;
      t.s += 1;
    } else {
      c.f += 1;
      t.f += 1;
    }
    perConcept.set(key, c);
    perLearner.set(attempt.learner, t);
    return { attempt, counts };
  });
}

export interface PfaFitOptions {
  /** Prior item difficulties (the author's, as logits): the fit shrinks towards them. */
  itemPriors?: ReadonlyMap<string, number>;
  /** Prior precision of the per-concept and per-item terms, in answers' worth (default 2). */
  ridge?: number;
  /** Largest number of passes (default 400). */
  maxIterations?: number;
}

export interface PfaFit {
  model: PfaModel;
  /** Mean negative log-likelihood of the training answers under the fitted model. */
  logLoss: number;
  iterations: number;
}

/**
 * Maximum a posteriori fit by full-batch Adam: the shared weights are free, the per-concept and
 * per-item terms have Gaussian priors (around 0, or an item's given prior) worth `ridge` answers,
 * so a concept or item seen a few times stays near the shared model.
 */
export function fitPfa(attempts: readonly PfaAttempt[], options: PfaFitOptions = {}): PfaFit {
  const { itemPriors = new Map<string, number>(), ridge = 2, maxIterations = 400 } = options;
  const rows = withCounts(attempts);
  const n = rows.length;
  const conceptIndex = new Map<string, number>();
  const itemIndex = new Map<string, number>();
  const conceptOf = new Int32Array(n);
  const itemOf = new Int32Array(n).fill(-1);
  const ls = new Float64Array(n);
  const lf = new Float64Array(n);
  const lS = new Float64Array(n);
  const lF = new Float64Array(n);
  const y = new Float64Array(n);
  rows.forEach(({ attempt, counts }, i) => {
    let c = conceptIndex.get(attempt.concept);
    if (c === undefined) conceptIndex.set(attempt.concept, (c = conceptIndex.size));
    conceptOf[i] = c;
    if (attempt.item !== undefined) {
      let it = itemIndex.get(attempt.item);
      if (it === undefined) itemIndex.set(attempt.item, (it = itemIndex.size));
      itemOf[i] = it;
    }
    ls[i] = Math.log1p(counts.successes);
    lf[i] = Math.log1p(counts.failures);
    lS[i] = Math.log1p(counts.totalSuccesses);
    lF[i] = Math.log1p(counts.totalFailures);
    y[i] = attempt.correct ? 1 : 0;
  });
  const C = conceptIndex.size;
  const I = itemIndex.size;
  const priorOfItem = new Float64Array(I);
  for (const [item, k] of itemIndex) priorOfItem[k] = itemPriors.get(item) ?? 0;
  // Parameters: 5 shared, then 3 per concept, then 1 per item.
  const P = 5 + 3 * C + I;
  const theta = new Float64Array(P);
  for (let k = 0; k < I; k++) theta[5 + 3 * C + k] = priorOfItem[k] ?? 0;
  const m = new Float64Array(P);
  const v = new Float64Array(P);
  const grad = new Float64Array(P);
  const [beta1, beta2, rate, eps] = [0.9, 0.999, 0.05, 1e-8];
  const lambda = n > 0 ? ridge / n : 0;
  let previous = Infinity;
  let iterations = 0;

  const objective = (computeGrad: boolean): { nll: number; total: number } => {
    if (computeGrad) grad.fill(0);
    let nll = 0;
    for (let i = 0; i < n; i++) {
      const c = 5 + 3 * (conceptOf[i] ?? 0);
      const it = itemOf[i] ?? -1;
      const z =
        (theta[0] ?? 0) +
        (theta[c] ?? 0) +
        ((theta[1] ?? 0) + (theta[c + 1] ?? 0)) * (ls[i] ?? 0) +
        ((theta[2] ?? 0) + (theta[c + 2] ?? 0)) * (lf[i] ?? 0) +
        (theta[3] ?? 0) * (lS[i] ?? 0) +
        (theta[4] ?? 0) * (lF[i] ?? 0) -
        (it >= 0 ? (theta[5 + 3 * C + it] ?? 0) : 0);
      const p = sigmoid(z);
      const yi = y[i] ?? 0;
      nll -= yi === 1 ? Math.log(Math.max(p, 1e-12)) : Math.log(Math.max(1 - p, 1e-12));
      if (!computeGrad) continue;
      const r = (p - yi) / n;
      grad[0] = (grad[0] ?? 0) + r;
      grad[1] = (grad[1] ?? 0) + r * (ls[i] ?? 0);
      grad[2] = (grad[2] ?? 0) + r * (lf[i] ?? 0);
      grad[3] = (grad[3] ?? 0) + r * (lS[i] ?? 0);
      grad[4] = (grad[4] ?? 0) + r * (lF[i] ?? 0);
      grad[c] = (grad[c] ?? 0) + r;
      grad[c + 1] = (grad[c + 1] ?? 0) + r * (ls[i] ?? 0);
      grad[c + 2] = (grad[c + 2] ?? 0) + r * (lf[i] ?? 0);
      if (it >= 0) grad[5 + 3 * C + it] = (grad[5 + 3 * C + it] ?? 0) - r;
    }
    let penalty = 0;
    for (let k = 5; k < P; k++) {
      const centre = k >= 5 + 3 * C ? (priorOfItem[k - 5 - 3 * C] ?? 0) : 0;
      const d = (theta[k] ?? 0) - centre;
      penalty += (lambda / 2) * d * d;
      if (computeGrad) grad[k] = (grad[k] ?? 0) + lambda * d;
    }
    const mean = n > 0 ? nll / n : 0;
    return { nll: mean, total: mean + penalty };
  };

  while (iterations < maxIterations && n > 0) {
    iterations += 1;
    const loss = objective(true).total;
    for (let k = 0; k < P; k++) {
      const g = grad[k] ?? 0;
      m[k] = beta1 * (m[k] ?? 0) + (1 - beta1) * g;
      v[k] = beta2 * (v[k] ?? 0) + (1 - beta2) * g * g;
      const mHat = (m[k] ?? 0) / (1 - beta1 ** iterations);
      const vHat = (v[k] ?? 0) / (1 - beta2 ** iterations);
      theta[k] = (theta[k] ?? 0) - (rate * mHat) / (Math.sqrt(vHat) + eps);
    }
    if (Math.abs(previous - loss) < 1e-7) break;
    previous = loss;
  }
  const final = objective(false).nll;
  const concepts: Record<string, PfaConcept> = {};
  for (const [concept, c] of conceptIndex) {
    const at = 5 + 3 * c;
    concepts[concept] = { easiness: theta[at] ?? 0, success: theta[at + 1] ?? 0, failure: theta[at + 2] ?? 0 };
  }
  const items: Record<string, number> = {};
  for (const [item, k] of itemIndex) items[item] = theta[5 + 3 * C + k] ?? 0;
  return {
    model: {
      intercept: theta[0] ?? 0,
      success: theta[1] ?? 0,
      failure: theta[2] ?? 0,
      totalSuccess: theta[3] ?? 0,
      totalFailure: theta[4] ?? 0,
      concepts,
      items,
    },
    logLoss: final,
    iterations,
  };
}
