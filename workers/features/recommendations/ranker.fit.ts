import { NEUTRAL_CHANCE, scoreOf, WEIGHTS, type RankFeatures, type RankOption, type RankWeights } from './recommend.domain';

/** The weighted signals, in a fixed order (how a choice's options are stored). */
export const SIGNALS = Object.keys(WEIGHTS) as (keyof RankFeatures)[];

/** An offered lesson as a delta carries it: its signal values in `SIGNALS` order, then its bonus. */
export const packOption = (option: RankOption): number[] => [
  // An offer recorded before the engagement signal has none.
  ...SIGNALS.map((s) => option.features[s] ?? NEUTRAL_CHANCE),
  option.bonus,
];

/**
 * An option back from its packed values. Options packed before the engagement signal
 * (one value fewer) get `NEUTRAL_CHANCE` for it: the same in every option of a list, so
 * such a choice says nothing about its weight and moves the others as before.
 */
export function unpackOption(values: readonly number[]): RankOption {
  const legacy = values.length === SIGNALS.length;
  const signals = legacy ? SIGNALS.filter((s) => s !== 'engagement') : SIGNALS;
  const features = Object.fromEntries(signals.map((s, k) => [s, values[k] ?? 0])) as RankFeatures;
  if (legacy) features.engagement = NEUTRAL_CHANCE;
  return { features, bonus: values[signals.length] ?? 0 };
}

/** One list a learner chose from: each offered lesson's signal values and fixed bonus, and the index taken. */
export interface RankChoice {
  options: RankOption[];
  chosen: number;
}

export interface FitOptions {
  /** Fewer choices than this leave the weights as they are. */
  minChoices: number;
  /** Pseudo-choices the current weights count for (the Gaussian prior's precision per squared unit of weight). */
  priorChoices: number;
  /** Most a weight moves in one refit. */
  maxStep: number;
}

export const FIT_DEFAULTS: FitOptions = { minChoices: 200, priorChoices: 200, maxStep: 0.05 };

export interface RankerFit {
  weights: RankWeights;
  /** Whether the weights moved (false with too few choices). */
  changed: boolean;
  choices: number;
  /** The softmax's inverse temperature, fitted with the current weights: how sharply scores decide choices. */
  sharpness: number;
  /** Mean log-loss of the chosen option and share of lists whose best-scored option was the chosen one, on held-out choices (every fifth). */
  heldOut: { choices: number; logLoss: { current: number; fitted: number }; top1: { current: number; fitted: number } };
  /** Per signal: the unbounded estimate and the step taken. */
  signals: { signal: keyof RankFeatures; current: number; estimate: number; next: number }[];
  reason: string;
}

/**
 * The least inverse temperature the weights are fitted at: learners who take what the
 * current weights score lowest would otherwise fit a near-zero sharpness, under which
 * no weight matters and nothing could be learned.
 */
const MIN_SHARPNESS = 1;

const clamp = (x: number, low: number, high: number) => Math.min(high, Math.max(low, x));

/** Log-likelihood of the choices under scores at `weights` and inverse temperature `sharpness`, with its gradient in the weights and in the sharpness. */
function likelihood(choices: readonly RankChoice[], weights: RankWeights, sharpness: number) {
  let ll = 0;
  const grad = SIGNALS.map(() => 0);
  let gradSharpness = 0;
  for (const choice of choices) {
    const scores = choice.options.map((o) => scoreOf(o.features, weights, o.bonus));
    const top = Math.max(...scores);
    const exps = scores.map((s) => Math.exp(sharpness * (s - top)));
    const total = exps.reduce((a, b) => a + b, 0);
    const chosen = choice.options[choice.chosen];
    if (!chosen) continue;
    ll += sharpness * ((scores[choice.chosen] ?? 0) - top) - Math.log(total);
    let expectedScore = 0;
    SIGNALS.forEach((signal, k) => {
      let expected = 0;
      choice.options.forEach((o, i) => (expected += ((exps[i] ?? 0) / total) * o.features[signal]));
      grad[k] = (grad[k] ?? 0) + sharpness * (chosen.features[signal] - expected);
    });
    scores.forEach((s, i) => (expectedScore += ((exps[i] ?? 0) / total) * s));
    gradSharpness += (scores[choice.chosen] ?? 0) - expectedScore;
  }
  return { ll, grad, gradSharpness };
}

/** The inverse temperature that best explains the choices with `weights` fixed (projected gradient ascent on the log-likelihood, which is concave in it). */
function fitSharpness(choices: readonly RankChoice[], weights: RankWeights): number {
  let sharpness = 5;
  let step = 10;
  let current = likelihood(choices, weights, sharpness);
  for (let i = 0; i < 100 && step > 1e-4; i++) {
    const next = clamp(sharpness + (step * current.gradSharpness) / Math.max(1, choices.length), MIN_SHARPNESS, 200);
    const tried = likelihood(choices, weights, next);
    if (tried.ll >= current.ll) {
      sharpness = next;
      current = tried;
      step *= 1.5;
    } else step /= 2;
  }
  return sharpness;
}

const asWeights = (values: readonly number[]): RankWeights =>
  Object.fromEntries(SIGNALS.map((signal, k) => [signal, values[k] ?? 0])) as RankWeights;

/** The penalized log-likelihood: the choices' plus a Gaussian prior centred on `prior` worth `priorChoices` pseudo-choices. */
function objective(
  choices: readonly RankChoice[],
  values: readonly number[],
  prior: RankWeights,
  sharpness: number,
  priorChoices: number,
) {
  const { ll, grad } = likelihood(choices, asWeights(values), sharpness);
  let penalty = 0;
  const g = grad.map((gk, k) => {
    const diff = (values[k] ?? 0) - prior[SIGNALS[k] as keyof RankFeatures];
    penalty += 0.5 * priorChoices * diff * diff;
    return gk - priorChoices * diff;
  });
  return { value: ll - penalty, grad: g };
}

/** Mean log-loss of the chosen option and top-1 accuracy of `weights` on `choices`. */
export function choiceMetrics(choices: readonly RankChoice[], weights: RankWeights, sharpness: number) {
  if (choices.length === 0) return { logLoss: 0, top1: 0 };
  const { ll } = likelihood(choices, weights, sharpness);
  let hits = 0;
  for (const choice of choices) {
    const scores = choice.options.map((o) => scoreOf(o.features, weights, o.bonus));
    if (scores.indexOf(Math.max(...scores)) === choice.chosen) hits += 1;
  }
  return { logLoss: -ll / choices.length, top1: hits / choices.length };
}

/**
 * Learns the ranker's signal weights from what learners chose among the lessons they
 * were offered: a conditional logit (a learner takes an offered lesson with probability
 * proportional to exp(sharpness × its score)), fitted by maximum a posteriori with a
 * Gaussian prior centred on the `current` weights, each weight kept in [0, 1]. The
 * sharpness is fitted first with the current weights (at least MIN_SHARPNESS) and then
 * held, so the weights keep the scale reviews and quizzes are scored on. Each refit moves a weight at most
 * `maxStep` towards the estimate: a few odd days cannot swing the ranking. Every fifth
 * choice is held out to report log-loss and top-1 accuracy of the current and the
 * fitted weights.
 */
export function fitRankerWeights(
  choices: readonly RankChoice[],
  current: RankWeights,
  options: FitOptions = FIT_DEFAULTS,
): RankerFit {
  const usable = choices.filter((c) => c.options.length >= 2 && c.chosen >= 0 && c.chosen < c.options.length);
  const train = usable.filter((_, i) => i % 5 !== 4);
  const test = usable.filter((_, i) => i % 5 === 4);
  const unchanged = (reason: string, sharpness = 0): RankerFit => ({
    weights: current,
    changed: false,
    choices: usable.length,
    sharpness,
    heldOut: { choices: test.length, logLoss: { current: 0, fitted: 0 }, top1: { current: 0, fitted: 0 } },
    signals: SIGNALS.map((signal) => ({ signal, current: current[signal], estimate: current[signal], next: current[signal] })),
    reason,
  });
  if (usable.length < options.minChoices) {
    return unchanged(`${usable.length} choices of lists with two or more lessons; at least ${options.minChoices} are needed`);
  }
  const sharpness = fitSharpness(train, current);
  let values = SIGNALS.map((s) => current[s]);
  let at = objective(train, values, current, sharpness, options.priorChoices);
  let step = 0.05;
  for (let i = 0; i < 400 && step > 1e-7; i++) {
    const norm = Math.sqrt(at.grad.reduce((sum, g) => sum + g * g, 0)) || 1;
    const next = values.map((v, k) => clamp(v + (step * (at.grad[k] ?? 0)) / norm, 0, 1));
    const tried = objective(train, next, current, sharpness, options.priorChoices);
    if (tried.value > at.value) {
      const gain = tried.value - at.value;
      values = next;
      at = tried;
      step *= 1.3;
      if (gain < 1e-7 * Math.max(1, Math.abs(at.value))) break;
    } else step /= 2;
  }
  const signals = SIGNALS.map((signal, k) => {
    const estimate = values[k] ?? current[signal];
    const next = clamp(current[signal] + clamp(estimate - current[signal], -options.maxStep, options.maxStep), 0, 1);
    return { signal, current: current[signal], estimate: round(estimate), next: round(next) };
  });
  const weights = Object.fromEntries(signals.map((s) => [s.signal, s.next])) as RankWeights;
  // Each set of weights is judged at the sharpness that fits it best on the training choices.
  const before = choiceMetrics(test, current, sharpness);
  const after = choiceMetrics(test, weights, fitSharpness(train, weights));
  return {
    weights,
    changed: signals.some((s) => s.next !== s.current),
    choices: usable.length,
    sharpness: round(sharpness),
    heldOut: {
      choices: test.length,
      logLoss: { current: round(before.logLoss), fitted: round(after.logLoss) },
      top1: { current: round(before.top1), fitted: round(after.top1) },
    },
    signals,
    reason: `fitted on ${train.length} choices, each weight moved at most ${options.maxStep}`,
  };
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;
