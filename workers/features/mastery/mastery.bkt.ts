/**
 * Bayesian Knowledge Tracing (Corbett & Anderson, 1995): a two-state hidden Markov model per skill,
 * where the learner either knows the skill or not, answers through guess and slip, and may learn
 * (or forget) between attempts. Pure: no bindings, no clock, no randomness.
 */

/** Per-skill BKT parameters, all probabilities. */
export interface BktParams {
  /** P(known) before the first attempt. */
  prior: number;
  /** P(unknown → known) between attempts. */
  learn: number;
  /** P(correct | unknown). */
  guess: number;
  /** P(wrong | known). */
  slip: number;
  /** P(known → unknown) between attempts; 0 in classic BKT. */
  forget: number;
}

// Typical of published per-skill fits (Corbett & Anderson 1995; Baker et al. 2008 on ASSISTments/Cognitive Tutor): weak prior, steady learning, guess/slip well below 0.5.
export const DEFAULT_BKT: BktParams = Object.freeze({ prior: 0.3, learn: 0.15, guess: 0.2, slip: 0.1, forget: 0 });

/** Box constraints of the EM fit. */
export interface BktBounds {
  /** Lower bound of every fitted parameter. */
  min: number;
  /** Upper bound of every fitted parameter. */
  max: number;
  /** Upper bound of guess: above it "unknown" can explain correct answers as well as "known" does. */
  maxGuess: number;
  /** Upper bound of slip, for the same identifiability reason. */
  maxSlip: number;
}

export const BKT_BOUNDS: BktBounds = Object.freeze({ min: 1e-4, max: 1 - 1e-4, maxGuess: 0.3, maxSlip: 0.3 });

/** Mastery bands over P(known); each value is the lowest P(known) of its band. */
export const MASTERY_THRESHOLDS = Object.freeze({
  // Above the default prior: a learner with no attempts (or only wrong ones) still reads "not started".
  learning: 0.35,
  practising: 0.7,
  // The 0.95 mastery criterion of Corbett & Anderson's cognitive tutors.
  mastered: 0.95,
});

export type MasteryLevel = 'not started' | 'learning' | 'practising' | 'mastered';

/** P(correct) on the next attempt given P(known) before it. */
export function bktPredictCorrect(pKnown: number, p: BktParams): number {
  return pKnown * (1 - p.slip) + (1 - pKnown) * p.guess;
}

/** P(known) before the next attempt: Bayes' rule on the observed answer, then the learn/forget transition. */
export function bktUpdate(pKnown: number, correct: boolean, p: BktParams): number {
  const known = pKnown * (correct ? 1 - p.slip : p.slip);
  const unknown = (1 - pKnown) * (correct ? p.guess : 1 - p.guess);
  // Only reachable with degenerate parameters (guess or slip of exactly 0 or 1): the answer carries no information.
  const posterior = known + unknown > 0 ? known / (known + unknown) : pKnown;
  return posterior * (1 - p.forget) + (1 - posterior) * p.learn;
}

/** Band of a P(known), see MASTERY_THRESHOLDS. */
export function masteryLevel(pKnown: number): MasteryLevel {
  if (pKnown >= MASTERY_THRESHOLDS.mastered) return 'mastered';
  if (pKnown >= MASTERY_THRESHOLDS.practising) return 'practising';
  if (pKnown >= MASTERY_THRESHOLDS.learning) return 'learning';
  return 'not started';
}

/** P(correct) of each attempt predicted before seeing it, starting from the prior. */
export function bktPredictSequence(seq: readonly boolean[], p: BktParams): number[] {
  const predictions: number[] = [];
  let pKnown = p.prior;
  for (const correct of seq) {
    predictions.push(bktPredictCorrect(pKnown, p));
    pKnown = bktUpdate(pKnown, correct, p);
  }
  return predictions;
}

/** Natural-log likelihood of the sequences under the parameters. */
export function bktLogLikelihood(sequences: readonly (readonly boolean[])[], p: BktParams): number {
  let total = 0;
  for (const seq of sequences) {
    const predictions = bktPredictSequence(seq, p);
    seq.forEach((correct, t) => {
      const pc = predictions[t] ?? 0;
      total += Math.log(correct ? pc : 1 - pc);
    });
  }
  return total;
}

export interface FitBktOptions {
  /** Most EM iterations (default 500). */
  iterations?: number;
  /** Stop once an iteration raises the log-likelihood by less than this per attempt (default 1e-9). */
  tolerance?: number;
  /** Starting point (default DEFAULT_BKT), clamped into the bounds. */
  initial?: BktParams;
  bounds?: Partial<BktBounds>;
  /** Fit forget too; otherwise it stays exactly 0, as in classic BKT (default false). */
  fitForget?: boolean;
}

export interface BktFit {
  params: BktParams;
  /** Natural-log likelihood of the sequences under `params`. */
  logLikelihood: number;
  iterations: number;
}

/**
 * Maximum-likelihood BKT parameters by EM (Baum–Welch on the known/unknown HMM). Each parameter is
 * a separate binomial term of the EM objective, so clamping it into its bounds is the constrained
 * M-step and the log-likelihood never decreases. Deterministic: no random restarts.
 */
export function fitBkt(sequences: readonly (readonly boolean[])[], options: FitBktOptions = {}): BktFit {
  const maxIterations = options.iterations ?? 500;
  const tolerance = options.tolerance ?? 1e-9;
  const bounds = { ...BKT_BOUNDS, ...options.bounds };
  const initial = options.initial ?? DEFAULT_BKT;
  if (!Number.isInteger(maxIterations) || maxIterations < 0) throw new RangeError('iterations must be a non-negative integer');
  if (!(tolerance >= 0)) throw new RangeError('tolerance must be non-negative');
  if (!(bounds.min > 0 && bounds.min < bounds.max && bounds.max < 1)) throw new RangeError('bounds need 0 < min < max < 1');

  const observed = sequences.filter((seq) => seq.length > 0);
  const attempts = observed.reduce((n, seq) => n + seq.length, 0);
  if (attempts === 0) return { params: { ...initial }, logLikelihood: 0, iterations: 0 };

  const fitForget = options.fitForget ?? false;
  const clamp = (value: number, max = bounds.max) => Math.min(Math.max(value, bounds.min), max);
  let params: BktParams = {
    prior: clamp(initial.prior),
    learn: clamp(initial.learn),
    guess: clamp(initial.guess, bounds.maxGuess),
    slip: clamp(initial.slip, bounds.maxSlip),
    // Zero is a fixed point of EM for forget, so a fitted forget starts at 0.05 when none is given.
    forget: fitForget ? clamp(initial.forget > 0 ? initial.forget : 0.05) : 0,
  };
  let stats = expectation(observed, params);
  let iterations = 0;
  while (iterations < maxIterations) {
    const ratio = (num: number, den: number, fallback: number) => (den > 0 ? num / den : fallback);
    const next: BktParams = {
      prior: clamp(stats.priorNum / observed.length),
      learn: clamp(ratio(stats.learnNum, stats.learnDen, params.learn)),
      guess: clamp(ratio(stats.guessNum, stats.guessDen, params.guess), bounds.maxGuess),
      slip: clamp(ratio(stats.slipNum, stats.slipDen, params.slip), bounds.maxSlip),
      forget: fitForget ? clamp(ratio(stats.forgetNum, stats.forgetDen, params.forget)) : 0,
    };
    const nextStats = expectation(observed, next);
    iterations += 1;
    const gain = nextStats.logLikelihood - stats.logLikelihood;
    params = next;
    stats = nextStats;
    if (gain < tolerance * attempts) break;
  }
  return { params, logLikelihood: stats.logLikelihood, iterations };
}

interface Expected {
  logLikelihood: number;
  priorNum: number;
  learnNum: number;
  learnDen: number;
  forgetNum: number;
  forgetDen: number;
  guessNum: number;
  guessDen: number;
  slipNum: number;
  slipDen: number;
}

/** E-step: expected state occupancies and transitions by scaled forward–backward. */
function expectation(sequences: readonly (readonly boolean[])[], p: BktParams): Expected {
  const e: Expected = {
    logLikelihood: 0,
    priorNum: 0,
    learnNum: 0,
    learnDen: 0,
    forgetNum: 0,
    forgetDen: 0,
    guessNum: 0,
    guessDen: 0,
    slipNum: 0,
    slipDen: 0,
  };
  const emitKnown = (correct: boolean) => (correct ? 1 - p.slip : p.slip);
  const emitUnknown = (correct: boolean) => (correct ? p.guess : 1 - p.guess);
  const longest = sequences.reduce((most, seq) => Math.max(most, seq.length), 0);
  // alpha: P(known | answers up to t); scale: P(answer t | answers before t).
  const alpha = new Float64Array(longest);
  const scale = new Float64Array(longest);
  for (const seq of sequences) {
    const at = (t: number) => seq[t] === true;
    const n = seq.length;
    let predicted = p.prior;
    for (let t = 0; t < n; t++) {
      const known = predicted * emitKnown(at(t));
      const unknown = (1 - predicted) * emitUnknown(at(t));
      const filtered = known / (known + unknown);
      scale[t] = known + unknown;
      alpha[t] = filtered;
      e.logLikelihood += Math.log(known + unknown);
      predicted = filtered * (1 - p.forget) + (1 - filtered) * p.learn;
    }
    // Scaled backward pass, latest attempt first; beta of the last attempt is 1 for both states.
    let betaKnown = 1;
    let betaUnknown = 1;
    for (let t = n - 1; t >= 0; t--) {
      const aKnown = alpha[t] ?? 0;
      const gammaKnown = aKnown * betaKnown;
      const gammaUnknown = (1 - aKnown) * betaUnknown;
      if (at(t)) e.guessNum += gammaUnknown;
      else e.slipNum += gammaKnown;
      e.guessDen += gammaUnknown;
      e.slipDen += gammaKnown;
      if (t === 0) e.priorNum += gammaKnown;
      if (t === 0) break;
      // Transitions from t-1 into t, reusing the emissions of attempt t.
      const c = scale[t] ?? 1;
      const nextKnown = (emitKnown(at(t)) * betaKnown) / c;
      const nextUnknown = (emitUnknown(at(t)) * betaUnknown) / c;
      const prevKnown = alpha[t - 1] ?? 0;
      e.learnNum += (1 - prevKnown) * p.learn * nextKnown;
      e.forgetNum += prevKnown * p.forget * nextUnknown;
      betaKnown = (1 - p.forget) * nextKnown + p.forget * nextUnknown;
      betaUnknown = p.learn * nextKnown + (1 - p.learn) * nextUnknown;
      e.learnDen += (1 - prevKnown) * betaUnknown;
      e.forgetDen += prevKnown * betaKnown;
    }
  }
  return e;
}
