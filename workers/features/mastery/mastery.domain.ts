import { Cat } from '@bdelab/jscat';
import { createEmptyCard, forgetting_curve, fsrs, FSRS6_DEFAULT_DECAY, Rating, State, type Card, type Grade } from 'ts-fsrs';
import { bktPredictCorrect, bktUpdate, masteryLevel, type BktParams, type MasteryLevel } from './mastery.bkt';
import { pfaPredict, type PfaModel } from './mastery.pfa';

/**
 * The learner model's pure rules: item response theory through jsCAT (ability and
 * adaptive item choice), review scheduling through ts-fsrs, concept mastery through
 * BKT, and the predictions that combine them. No bindings: the store reads and writes.
 */

export const REVIEW_RATINGS = ['again', 'hard', 'good', 'easy'] as const;
export type ReviewRating = (typeof REVIEW_RATINGS)[number];
const GRADES: Record<ReviewRating, Grade> = { again: Rating.Again, hard: Rating.Hard, good: Rating.Good, easy: Rating.Easy };
/** FSRS's grade of a rating (1 again to 4 easy). */
export const gradeOf = (rating: ReviewRating): Grade => GRADES[rating];

export const CARD_STATES = ['new', 'learning', 'review', 'relearning'] as const;
export type CardState = (typeof CARD_STATES)[number];
const STATE_NAMES: Record<State, CardState> = {
  [State.New]: 'new',
  [State.Learning]: 'learning',
  [State.Review]: 'review',
  [State.Relearning]: 'relearning',
};

/** Ability bounds, and the standard-normal prior of a learner with no answers yet. */
const THETA = { min: -4, max: 4 };
/**
 * Floor of the ability's standard error: learners learn, so an old estimate must stay
 * movable (and jsCAT's 0.1 prior grid resolves a posterior this wide).
 */
const MIN_SE = 0.3;

/** The 3PL parameters of a quiz item (jsCAT's zeta). */
export interface ItemZeta {
  a: number;
  b: number;
  c: number;
  d: number;
}

/**
 * An item's 3PL parameters: calibrated from answers (`npm run fit -- irt`) when it has been,
 * else from what authors give: difficulty from the item's or lesson's 1–5 difficulty
 * (b = difficulty − 3, so −2…2 around an average learner at 0) and unit discrimination.
 * Guessing is one over the choices either way.
 */
export function itemZeta(difficulty: number, choices: number, calibration?: { a: number; b: number } | null): ItemZeta {
  const c = choices > 0 ? 1 / choices : 0;
  return calibration ? { a: calibration.a, b: calibration.b, c, d: 1 } : { a: 1, b: authorB(difficulty), c, d: 1 };
}

/** The author's 1–5 difficulty on the ability scale: the prior of a calibration's b. */
export const authorB = (difficulty: number) => difficulty - 3;

export interface Ability {
  theta: number;
  /** Standard error of theta; the prior's 1 before any answer. */
  se: number;
}

export const PRIOR_ABILITY: Ability = Object.freeze({ theta: 0, se: 1 });

function newCat(prior: Ability): Cat {
  return new Cat({
    method: 'EAP',
    itemSelect: 'MFI',
    theta: prior.theta,
    minTheta: THETA.min,
    maxTheta: THETA.max,
    priorDist: 'norm',
    priorPar: [Math.min(THETA.max, Math.max(THETA.min, prior.theta)), Math.max(MIN_SE, prior.se)],
    randomSeed: 'learnedge',
  });
}

/**
 * The ability after one more graded answer, by sequential EAP (jsCAT): the estimate so
 * far, as a normal prior, updated with the new response. The standard error combines
 * the prior's precision with the item's Fisher information at the new estimate. Each
 * answer costs one pass over jsCAT's grid instead of re-reading the learner's history.
 */
export function updateAbility(prior: Ability, zeta: ItemZeta, correct: boolean): Ability {
  const cat = newCat(prior);
  cat.updateAbilityEstimate(zeta, correct ? 1 : 0);
  // jsCAT's SE of this single item is 1/sqrt(information).
  const information = cat.seMeasurement > 0 && Number.isFinite(cat.seMeasurement) ? 1 / cat.seMeasurement ** 2 : 0;
  const se = 1 / Math.sqrt(1 / Math.max(MIN_SE, prior.se) ** 2 + information);
  return { theta: cat.theta, se: Math.max(MIN_SE, se) };
}

/** The candidate with the most Fisher information at the learner's ability (jsCAT's MFI). */
export function pickItem<T extends { zeta: ItemZeta }>(theta: number, candidates: readonly T[]): T | undefined {
  if (candidates.length === 0) return undefined;
  const stimuli = candidates.map((candidate, index) => ({ ...candidate.zeta, index }));
  const { nextStimulus } = newCat({ theta, se: 1 }).findNextItem(stimuli, 'MFI');
  return nextStimulus === undefined ? undefined : candidates[nextStimulus.index as number];
}

/** A review card as stored: ts-fsrs's card with ISO dates. */
export interface StoredCard {
  due: string;
  stability: number;
  difficulty: number;
  elapsedDays: number;
  scheduledDays: number;
  learningSteps: number;
  reps: number;
  lapses: number;
  state: State;
  lastReview: string | null;
  /** The forgetting curve's decay (FSRS w20) of the weights that scheduled it; null: the defaults'. */
  decay: number | null;
}

// Without fuzz the schedule is a function of the answers alone: reproducible and testable.
const scheduler = fsrs({ enable_fuzz: false });
/** Schedulers of fitted weights this isolate used lately (a course's and a few learners'). */
const fitted = new Map<string, ReturnType<typeof fsrs>>();

/** The scheduler of FSRS weights `w` (null: the defaults). */
function schedulerOf(w: readonly number[] | null | undefined) {
  if (!w) return scheduler;
  const key = w.join(',');
  const found = fitted.get(key);
  if (found) return found;
  if (fitted.size >= 64) fitted.delete(fitted.keys().next().value ?? '');
  const made = fsrs({ enable_fuzz: false, w: [...w] });
  fitted.set(key, made);
  return made;
}

function toCard(stored: StoredCard): Card {
  return {
    due: new Date(stored.due),
    stability: stored.stability,
    difficulty: stored.difficulty,
    elapsed_days: stored.elapsedDays,
    scheduled_days: stored.scheduledDays,
    learning_steps: stored.learningSteps,
    reps: stored.reps,
    lapses: stored.lapses,
    state: stored.state,
    ...(stored.lastReview ? { last_review: new Date(stored.lastReview) } : {}),
  };
}

function fromCard(card: Card, decay: number | null): StoredCard {
  return {
    due: card.due.toISOString(),
    stability: card.stability,
    difficulty: card.difficulty,
    elapsedDays: card.elapsed_days,
    scheduledDays: card.scheduled_days,
    learningSteps: card.learning_steps,
    reps: card.reps,
    lapses: card.lapses,
    state: card.state,
    lastReview: card.last_review ? card.last_review.toISOString() : null,
    decay,
  };
}

/**
 * The card after a review at `at` (a missing card is a new one), scheduled with FSRS
 * weights `w` (fitted for the learner or their course; null: the defaults).
 */
export function scheduleReview(
  card: StoredCard | null,
  rating: ReviewRating,
  at: Date,
  w?: readonly number[] | null,
): StoredCard {
  const current = card ? toCard(card) : createEmptyCard(at);
  return fromCard(schedulerOf(w).next(current, at, GRADES[rating]).card, w?.[20] ?? null);
}

/** P(recall) of a card at a time (FSRS forgetting curve, with the decay it was scheduled under); 0 for a card never reviewed. */
export function retrievability(card: StoredCard, at: Date): number {
  if (card.state === State.New || !card.lastReview) return 0;
  // Whole days since the last review, as ts-fsrs counts them.
  const days = Math.max(0, Math.floor((at.getTime() - Date.parse(card.lastReview)) / 86_400_000));
  return forgetting_curve(card.decay ?? FSRS6_DEFAULT_DECAY, days, +card.stability.toFixed(8));
}

export const cardState = (card: StoredCard): CardState => STATE_NAMES[card.state];

/** The rating an answer implies when the learner gives none. */
export const ratingFor = (correct: boolean): ReviewRating => (correct ? 'good' : 'again');

export interface ConceptState {
  pKnown: number;
  attempts: number;
  correct: number;
}

/** PFA, when a course's last fit chose it: its model and the learner's right and wrong answers in the course before this one. */
export interface PfaContext {
  model: PfaModel;
  conceptId: string;
  totals: { correct: number; attempts: number };
}

/**
 * Mastery after one graded answer. With BKT, P(known) is BKT's posterior. With PFA, it is the
 * P(known) that gives PFA's chance of a right next answer through the concept's guess and slip,
 * P(correct) = P(known)(1 − slip) + (1 − P(known)) guess, so levels, predictions and
 * recommendations read it unchanged.
 */
export function updateMastery(current: ConceptState | null, correct: boolean, params: BktParams, pfa?: PfaContext): ConceptState {
  const before = current ?? { pKnown: params.prior, attempts: 0, correct: 0 };
  const after = { attempts: before.attempts + 1, correct: before.correct + (correct ? 1 : 0) };
  if (!pfa) return { pKnown: bktUpdate(before.pKnown, correct, params), ...after };
  const next = pfaPredict(pfa.model, pfa.conceptId, undefined, {
    successes: after.correct,
    failures: after.attempts - after.correct,
    totalSuccesses: pfa.totals.correct + (correct ? 1 : 0),
    totalFailures: pfa.totals.attempts - pfa.totals.correct + (correct ? 0 : 1),
  });
  const span = 1 - params.slip - params.guess;
  const pKnown = span > 0 ? (next - params.guess) / span : next;
  return { pKnown: Math.min(1, Math.max(0, pKnown)), ...after };
}

/** The level shown for a concept: its P(known) band, but never "not started" once it has been answered. */
export function conceptLevel(state: ConceptState): MasteryLevel {
  const level = masteryLevel(state.pKnown);
  return level === 'not started' && state.attempts > 0 ? 'learning' : level;
}

export interface Prediction {
  /** P(answering the concept's items correctly) now, in 7 days and in 30 days, without review. */
  now: number;
  in7Days: number;
  in30Days: number;
  /** Mean FSRS retrievability of the concept's reviewed cards, or null when none has been reviewed. */
  retrievabilityNow: number | null;
  retrievabilityIn7Days: number | null;
  retrievabilityIn30Days: number | null;
}

const DAY_MS = 86_400_000;

/**
 * BKT says whether the concept was learned; FSRS says whether it is still recalled.
 * The chance of a correct answer at time t treats "known and recalled" as the known
 * state: P(correct) = P(known)·R(t)·(1 − slip) + (1 − P(known)·R(t))·guess, with R the
 * mean retrievability of the concept's cards (R = 1 before any review: nothing to forget yet).
 */
export function predict(pKnown: number, params: BktParams, cards: readonly StoredCard[], now: Date): Prediction {
  const reviewed = cards.filter((c) => c.state !== State.New && c.lastReview);
  const mean = (days: number) => {
    const at = new Date(now.getTime() + days * DAY_MS);
    return reviewed.length === 0 ? null : reviewed.reduce((sum, c) => sum + retrievability(c, at), 0) / reviewed.length;
  };
  const [rNow, rWeek, rMonth] = [mean(0), mean(7), mean(30)];
  return {
    now: bktPredictCorrect(pKnown * (rNow ?? 1), params),
    in7Days: bktPredictCorrect(pKnown * (rWeek ?? 1), params),
    in30Days: bktPredictCorrect(pKnown * (rMonth ?? 1), params),
    retrievabilityNow: rNow,
    retrievabilityIn7Days: rWeek,
    retrievabilityIn30Days: rMonth,
  };
}

/** A quiz item as grading needs it (from the course). */
export interface GradedItem {
  id: string;
  courseId: string;
  lessonSlug: string;
  conceptId: string;
  conceptTitle: string;
  answer: number;
  choices: number;
  explanation: string;
  zeta: ItemZeta;
  /** Other courses' concepts an author linked with this one: the answer moves their mastery too. */
  linked?: ConceptKey[];
}

/** One course's concept. */
export interface ConceptKey {
  courseId: string;
  conceptId: string;
}

/** Everything one graded answer or review changes: the item and BKT parameters from the course, the rest the learner's. */
export interface ModelSnapshot {
  ability: Ability;
  item: GradedItem;
  mastery: ConceptState | null;
  params: BktParams;
  /** The course's PFA model when its last fit chose it, with the learner's totals in the course. */
  pfa?: PfaContext | undefined;
  card: StoredCard | null;
  /** The FSRS weights the learner's reviews schedule with (theirs, else their course's); null or absent: the defaults. */
  fsrs?: readonly number[] | null | undefined;
}

/** The new learner-model state an answer or review leads to. */
export interface ModelChange {
  ability: Ability;
  /** The review rating the card was scheduled with. */
  rating: ReviewRating;
  card: StoredCard;
  /** Present when an answer was graded. */
  graded?: { answer: number; correct: boolean; mastery: ConceptState };
}

/** An answer or a review as the model sees it. */
export interface ModelInput {
  occurredAt: string;
  answer?: number | undefined;
  rating?: ReviewRating | undefined;
}

/** The rating a card is scheduled with: a wrong answer is a lapse whatever the learner rated; else theirs, else implied. */
export function reviewRating(input: Pick<ModelInput, 'rating'>, correct: boolean | undefined): ReviewRating {
  if (correct === false) return ratingFor(false);
  return input.rating ?? ratingFor(correct === true);
}

/**
 * The learner-model change of a graded answer or a review: the answer is graded against
 * the item's key, the FSRS card scheduled (with the learner's rating, else one implied
 * by the answer), and for a graded answer BKT mastery and the IRT ability updated.
 */
export function modelChange(snapshot: ModelSnapshot, input: ModelInput): ModelChange {
  const { answer } = input;
  const correct = answer === undefined ? undefined : answer === snapshot.item.answer;
  const rating = reviewRating(input, correct);
  // A late-delivered event never moves the card's clock backwards.
  const occurred = new Date(input.occurredAt).toISOString();
  const last = snapshot.card?.lastReview;
  const at = new Date(last && last > occurred ? last : occurred);
  const card = scheduleReview(snapshot.card, rating, at, snapshot.fsrs);
  if (answer === undefined || correct === undefined) return { ability: snapshot.ability, card, rating };
  return {
    rating,
    ability: updateAbility(snapshot.ability, snapshot.item.zeta, correct),
    card,
    graded: { answer, correct, mastery: updateMastery(snapshot.mastery, correct, snapshot.params, snapshot.pfa) },
  };
}
