import { seededRandom } from '../../platform/seeded-random';
import { plural } from '../../platform/words';
import { labelOfId } from '../concepts/concepts.labels';
import { MASTERY_THRESHOLDS } from '../mastery/mastery.bkt';
import { offerChance, type CompletionChances } from './engagement.domain';

/**
 * What to do next, and why: a pure ranking over the course and one learner's signals.
 * Prerequisites are a hard filter; the score mixes goal alignment, layer progression,
 * mastery gaps, due reviews, a collaborative signal, content similarity and course
 * order; the list is diversified by MMR; one slot at most goes to exploration by
 * Thompson sampling among candidates that already passed the filter.
 */

/** How long a dismissed recommendation stays away. */
export const DISMISS_DAYS = 7;
/** Days of activity ranking reads (the learner's pace). */
const ACTIVITY_DAYS = 28;

/** What of the learner's history ranking reads at `now`: dismissals since `dismissedSince`, activity since `sinceDay`. */
export function signalWindow(now: Date): { dismissedSince: string; sinceDay: string } {
  return {
    dismissedSince: new Date(now.getTime() - DISMISS_DAYS * 86_400_000).toISOString(),
    sinceDay: new Date(now.getTime() - ACTIVITY_DAYS * 86_400_000).toISOString().slice(0, 10),
  };
}

export type Layer = 'L1' | 'L2' | 'L3';

export interface CourseLesson {
  slug: string;
  title: string;
  partSlug: string;
  partTitle: string;
  layer: Layer;
  /** Order in the course (0 first). */
  position: number;
  prerequisites: string[];
  concepts: string[];
  /** Concepts its quiz items assess: what mastery can be measured on. */
  assessed: string[];
  minutes: number;
  /** Quiz items of the lesson. */
  quizItems: number;
}

export interface ConceptInfo {
  title: string;
  pKnown: number;
  attempts: number;
}

export interface LearnerSignals {
  completed: ReadonlySet<string>;
  /** The lesson completed most recently, if any. */
  lastCompleted: string | null;
  started: ReadonlySet<string>;
  /** Mastery per concept the learner has answered on; any other concept is unknown (P(known) 0). */
  concepts: ReadonlyMap<string, ConceptInfo>;
  /** Part slugs chosen at onboarding. */
  goalParts: ReadonlySet<string>;
  /** The steps of the path to a set learning goal (it and its unmet prerequisites): weighted above goal parts. */
  goalLessons: ReadonlySet<string>;
  /** Due review cards per lesson. */
  dueReviews: ReadonlyMap<string, number>;
  /** Per lesson: quiz items answered correctly at least once. */
  quizCorrect: ReadonlyMap<string, number>;
  /** Item-to-item co-completion from the learner's completed lessons, 0..1 per lesson. */
  collaborative: ReadonlyMap<string, number>;
  /** Global feedback per recommendation id, for exploration. */
  feedback: ReadonlyMap<string, { accepted: number; dismissed: number }>;
  /** Recommendation ids the learner dismissed recently: kept away. */
  dismissed: ReadonlySet<string>;
  /** Recommend lessons whose prerequisites are not met (the learner opted in). */
  allowSkips: boolean;
  /**
   * The chance the learner finishes each lesson once started, and their pace
   * (`lessonCompletionChances`); a lesson missing from it counts as `NEUTRAL_CHANCE`.
   */
  completion?: CompletionChances;
}

export type RecommendationKind = 'lesson' | 'review' | 'quiz';

export interface Reason {
  code:
    | 'continue'
    | 'builds_on'
    | 'goal'
    | 'layer'
    | 'mastery_gap'
    | 'review_due'
    | 'quiz_open'
    | 'collaborative'
    | 'similar'
    | 'start_here'
    | 'explore'
    | 'skips_prerequisites';
  text: string;
}

export interface Recommendation {
  id: string;
  kind: RecommendationKind;
  lessonSlug: string;
  title: string;
  score: number;
  reasons: Reason[];
  /** Lessons: the chance the learner completes it within a week of this offer, at its place in the list (engagement model). */
  completionChance?: number;
}

/** Weights of the signals in a lesson's score (sum 1 before bonuses); a flag or experiment may set others (`recs.weights`). */
export const WEIGHTS = Object.freeze({
  goal: 0.3,
  /** Added for a step of the path to the learner's set goal. */
  goalPath: 0.15,
  layer: 0.15,
  gap: 0.15,
  collaborative: 0.15,
  similar: 0.1,
  order: 0.15,
  /** The chance the learner completes the lesson (`LearnerSignals.completionChance`). */
  engagement: 0.1,
});

/** A lesson's completion chance when the learner's signals have none for it. */
export const NEUTRAL_CHANCE = 0.5;

/** Most of a list that reviews and quizzes may fill while lessons remain. */
const MAX_PRACTICE_SHARE = 0.4;
/** Exploration takes one slot, and only in lists with at least this many lessons. */
const EXPLORE_MIN_LESSONS = 4;
const EXPLORE_SHARE = 0.2;

/** MMR trade-off between relevance and novelty against what is already listed. */
const MMR_LAMBDA = 0.7;
/** A collaborative score above this is worth telling the learner. */
const COLLABORATIVE_REASON = 0.2;

const LAYER_RANK: Record<Layer, number> = { L1: 0, L2: 1, L3: 2 };
const LAYER_NAME: Record<Layer, string> = { L1: 'foundations', L2: 'applied', L3: 'advanced' };

const isMastered = (info: ConceptInfo | undefined) => (info?.pKnown ?? 0) >= MASTERY_THRESHOLDS.mastered;

/**
 * Whether a prerequisite counts as met: the lesson was completed, or every concept its
 * quiz assesses is mastered (a learner who already knows it need not read it). A lesson
 * without quiz items has nothing to measure mastery on, so only completing it counts.
 */

/** A concept's name as the course writes it (its id when the course has no name for it). */
const conceptTitle = (signals: LearnerSignals, concept: string) => signals.concepts.get(concept)?.title ?? labelOfId(concept);
export function prerequisiteMet(prerequisite: CourseLesson | undefined, slug: string, signals: LearnerSignals): boolean {
  if (signals.completed.has(slug)) return true;
  if (!prerequisite || prerequisite.assessed.length === 0) return false;
  return prerequisite.assessed.every((c) => isMastered(signals.concepts.get(c)));
}

/** The lessons a learner may be offered: not completed, prerequisites met (unless skipping is allowed). */
export function eligibleLessons(lessons: readonly CourseLesson[], signals: LearnerSignals): CourseLesson[] {
  const bySlug = new Map(lessons.map((l) => [l.slug, l]));
  return lessons.filter(
    (l) =>
      !signals.completed.has(l.slug) &&
      (signals.allowSkips || l.prerequisites.every((p) => prerequisiteMet(bySlug.get(p), p, signals))),
  );
}

const jaccard = (a: readonly string[], b: readonly string[]) => {
  if (a.length === 0 && b.length === 0) return 0;
  const set = new Set(a);
  const shared = b.filter((x) => set.has(x)).length;
  return shared / (set.size + b.length - shared);
};

/** Similarity of two recommendations for MMR: shared concepts, and a little for the same part. */
function similarity(a: CourseLesson, b: CourseLesson): number {
  return Math.min(1, jaccard(a.concepts, b.concepts) + (a.partSlug === b.partSlug ? 0.3 : 0));
}

/** The lowest layer that still has lessons to do: where the learner is. */
function currentLayer(lessons: readonly CourseLesson[], completed: ReadonlySet<string>): number {
  const open = lessons.filter((l) => !completed.has(l.slug)).map((l) => LAYER_RANK[l.layer]);
  return open.length === 0 ? 0 : Math.min(...open);
}

/** The value of each weighted signal for one lesson (0 to 1 each): what the weights multiply. */
export type RankFeatures = Record<keyof typeof WEIGHTS, number>;

/** A lesson as the weights see it: its signal values and its fixed bonus. */
export interface RankOption {
  features: RankFeatures;
  bonus: number;
}

/** A started lesson's fixed bonus (not a weighted signal: finishing what one began is not learned away). */
const CONTINUE_BONUS = 0.2;

/** The weighted score of `features` plus the fixed bonus. */
export function scoreOf(features: RankFeatures, weights: RankWeights, bonus: number): number {
  let score = bonus;
  for (const key of Object.keys(WEIGHTS) as (keyof RankFeatures)[]) score += weights[key] * features[key];
  return score;
}

/** Scores one eligible lesson and explains the score; also the signal values behind it. */
function scoreLesson(
  lesson: CourseLesson,
  signals: LearnerSignals,
  context: {
    layer: number;
    lastCompleted: CourseLesson | undefined;
    bySlug: ReadonlyMap<string, CourseLesson>;
    /** First and last course positions. */
    first: number;
    last: number;
    weights: RankWeights;
  },
): { score: number; reasons: Reason[]; features: RankFeatures; bonus: number } {
  const reasons: Reason[] = [];
  const features: RankFeatures = {
    goal: 0,
    goalPath: 0,
    layer: 0,
    gap: 0,
    collaborative: 0,
    similar: 0,
    order: 0,
    engagement: signals.completion?.finish.get(lesson.slug) ?? NEUTRAL_CHANCE,
  };
  let bonus = 0;

  if (signals.started.has(lesson.slug)) {
    bonus = CONTINUE_BONUS;
    reasons.push({ code: 'continue', text: 'You started this lesson' });
  }
  const unmet = lesson.prerequisites.filter((p) => !prerequisiteMet(context.bySlug.get(p), p, signals));
  if (unmet.length > 0) {
    const titles = unmet.map((p) => context.bySlug.get(p)?.title ?? p).join(', ');
    reasons.push({ code: 'skips_prerequisites', text: `Skips ${titles}, which you have not done yet` });
  } else if (lesson.prerequisites.length > 0) {
    const prerequisite = context.bySlug.get(lesson.prerequisites[0] ?? '');
    if (prerequisite) {
      const how = signals.completed.has(prerequisite.slug) ? 'completed' : 'mastered';
      reasons.push({ code: 'builds_on', text: `Builds on ${prerequisite.title}, which you have ${how}` });
    }
  } else if (signals.completed.size === 0 && lesson.position === context.first) {
    reasons.push({ code: 'start_here', text: 'The first lesson of the course: a good place to start' });
  }

  const inGoal = signals.goalLessons.has(lesson.slug) || signals.goalParts.has(lesson.partSlug);
  if (inGoal) {
    features.goal = 1;
    features.goalPath = signals.goalLessons.has(lesson.slug) ? 1 : 0;
    reasons.push({
      code: 'goal',
      text: signals.goalLessons.has(lesson.slug) ? 'On the way to your goal' : `Part of your goal: ${lesson.partTitle}`,
    });
  }

  const step = LAYER_RANK[lesson.layer] - context.layer;
  features.layer = step <= 0 ? 1 : step === 1 ? 0.4 : 0;
  if (step === 0 && context.layer > 0) {
    reasons.push({ code: 'layer', text: `Next in the ${LAYER_NAME[lesson.layer]} lessons, after the ones before` });
  }

  // Concepts met in quizzes but not mastered: this lesson teaches them.
  const gaps = lesson.concepts.filter((c) => {
    const info = signals.concepts.get(c);
    return info !== undefined && info.attempts > 0 && !isMastered(info);
  });
  if (gaps.length > 0) {
    features.gap = gaps.reduce((sum, c) => sum + (1 - (signals.concepts.get(c)?.pKnown ?? 0)), 0) / gaps.length;
    reasons.push({
      code: 'mastery_gap',
      text: `Teaches a concept you are still learning: ${conceptTitle(signals, gaps[0] ?? '')}`,
    });
  }

  const together = signals.collaborative.get(lesson.slug) ?? 0;
  features.collaborative = together;
  if (together >= COLLABORATIVE_REASON) {
    reasons.push({ code: 'collaborative', text: 'Learners who did what you did found this useful next' });
  }

  if (context.lastCompleted) {
    const similar = jaccard(lesson.concepts, context.lastCompleted.concepts);
    features.similar = similar;
    if (similar > 0 && reasons.length < 3) {
      reasons.push({ code: 'similar', text: `Related to ${context.lastCompleted.title}, which you just finished` });
    }
  }

  // Earlier lessons first when nothing else decides.
  features.order = 1 - lesson.position / Math.max(1, context.last);
  return { score: scoreOf(features, context.weights, bonus), reasons, features, bonus };
}

/** A Gamma(k, 1) draw for integer k ≥ 1 (sum of exponentials): enough for Beta with small counts. */
function gamma(k: number, rand: () => number): number {
  let sum = 0;
  for (let i = 0; i < k; i++) sum -= Math.log(1 - rand());
  return sum;
}

/** Thompson draw from Beta(1 + accepted, 1 + dismissed). Counts are capped so a draw stays cheap. */
function thompson(stats: { accepted: number; dismissed: number } | undefined, rand: () => number): number {
  const a = gamma(1 + Math.min(stats?.accepted ?? 0, 200), rand);
  const b = gamma(1 + Math.min(stats?.dismissed ?? 0, 200), rand);
  return a / (a + b);
}

export interface RankOptions {
  limit: number;
  /** Seeds the exploration draw. */
  seed: number;
  /** 0 turns exploration off (one slot at most otherwise). */
  exploreShare?: number;
  /** The signals' weights (`WEIGHTS` when unset). */
  weights?: RankWeights;
  /** Filled with each lesson candidate's signal values, by recommendation id (what learning the weights needs). */
  features?: Map<string, RankOption>;
}
export type RankWeights = Readonly<Record<keyof typeof WEIGHTS, number>>;

/** A stable seed per learner and day: the exploration slot changes daily, not on every request. */
export function seedOf(learnerId: string, day: string): number {
  let hash = 2166136261;
  for (const ch of `${learnerId}|${day}`) hash = Math.imul(hash ^ ch.charCodeAt(0), 16777619) >>> 0;
  return hash;
}

/** Ranks next lessons, due reviews and open quizzes for one learner. */
export function recommend(lessons: readonly CourseLesson[], signals: LearnerSignals, options: RankOptions): Recommendation[] {
  const bySlug = new Map(lessons.map((l) => [l.slug, l]));
  const completedLessons = lessons.filter((l) => signals.completed.has(l.slug));
  const context = {
    layer: currentLayer(lessons, signals.completed),
    lastCompleted: signals.lastCompleted === null ? undefined : bySlug.get(signals.lastCompleted),
    first: lessons.reduce((min, l) => Math.min(min, l.position), Infinity),
    last: lessons.reduce((max, l) => Math.max(max, l.position), 0),
    bySlug,
    weights: options.weights ?? WEIGHTS,
  };

  const scored: (Recommendation & { lesson: CourseLesson })[] = [];
  for (const lesson of eligibleLessons(lessons, signals)) {
    const { score, reasons, features, bonus } = scoreLesson(lesson, signals, context);
    options.features?.set(`lesson:${lesson.slug}`, { features, bonus });
    scored.push({
      id: `lesson:${lesson.slug}`,
      kind: 'lesson',
      lessonSlug: lesson.slug,
      title: lesson.title,
      score,
      reasons,
      lesson,
    });
  }
  for (const [slug, due] of signals.dueReviews) {
    const lesson = bySlug.get(slug);
    if (!lesson || due === 0) continue;
    scored.push({
      id: `review:${slug}`,
      kind: 'review',
      lessonSlug: slug,
      title: `Review: ${lesson.title}`,
      // Due reviews come first: recall is cheapest to keep right when it is due.
      score: 0.9 + (0.1 * Math.min(due, 5)) / 5,
      reasons: [{ code: 'review_due', text: due === 1 ? 'Review due today' : `${due} reviews due today` }],
      lesson,
    });
  }
  for (const lesson of completedLessons) {
    const right = signals.quizCorrect.get(lesson.slug) ?? 0;
    if (lesson.quizItems === 0 || right >= lesson.quizItems) continue;
    const gaps = lesson.concepts.filter((c) => !isMastered(signals.concepts.get(c)));
    scored.push({
      id: `quiz:${lesson.slug}`,
      kind: 'quiz',
      lessonSlug: lesson.slug,
      title: `Quiz: ${lesson.title}`,
      score: 0.25 + 0.2 * (1 - right / lesson.quizItems),
      reasons: [
        {
          code: 'quiz_open',
          text:
            right === 0
              ? `Check what you learned in ${lesson.title}`
              : `${plural(lesson.quizItems - right, 'question')} of ${lesson.title} still to get right`,
        },
        ...(gaps.length > 0 && gaps[0]
          ? [
              {
                code: 'mastery_gap' as const,
                text: `Practises a concept you are still learning: ${conceptTitle(signals, gaps[0])}`,
              },
            ]
          : []),
      ],
      lesson,
    });
  }

  const candidates = scored.filter((c) => !signals.dismissed.has(c.id));
  const list = diversify(candidates, options.limit, Math.max(1, Math.floor(options.limit * MAX_PRACTICE_SHARE)));
  let lessonRank = 0;
  return explore(list, candidates, signals, options).map(({ lesson: _lesson, ...r }) => {
    const finish = r.kind === 'lesson' ? signals.completion?.finish.get(r.lessonSlug) : undefined;
    const pace = signals.completion?.pace ?? 0;
    return {
      ...r,
      score: Math.round(r.score * 1e4) / 1e4,
      // Lessons in list order: the k-th is completed this week if the learner takes up k of them and finishes it.
      ...(finish === undefined ? {} : { completionChance: offerChance(finish, pace, lessonRank++) }),
    };
  });
}

/**
 * Maximal marginal relevance: each pick trades its score against its similarity to what
 * is already picked. Reviews and quizzes take at most `maxPractice` slots while lessons
 * remain, so a stack of due cards never hides the way forward.
 */
function diversify<T extends Recommendation & { lesson: CourseLesson }>(
  candidates: readonly T[],
  limit: number,
  maxPractice: number,
): T[] {
  const picked: T[] = [];
  const rest = [...candidates].sort((a, b) => b.score - a.score || a.lesson.position - b.lesson.position);
  while (picked.length < limit && rest.length > 0) {
    let bestIndex = -1;
    let best = -Infinity;
    const practice = picked.filter((p) => p.kind !== 'lesson').length;
    const lessonsLeft = rest.some((c) => c.kind === 'lesson');
    rest.forEach((c, i) => {
      if (c.kind !== 'lesson' && practice >= maxPractice && lessonsLeft) return;
      const redundancy = Math.max(0, ...picked.map((p) => (p.kind === c.kind ? similarity(p.lesson, c.lesson) : 0)));
      const value = MMR_LAMBDA * c.score - (1 - MMR_LAMBDA) * redundancy;
      if (value > best) {
        best = value;
        bestIndex = i;
      }
    });
    if (bestIndex < 0) break;
    const [next] = rest.splice(bestIndex, 1);
    if (next) picked.push(next);
  }
  return picked;
}

/**
 * Bounded exploration: in a list with at least EXPLORE_MIN_LESSONS lessons, the last
 * lesson slot may go to an unlisted eligible lesson: the best Thompson draw over all
 * learners' feedback on it, weighed by its own score so exploring stays plausible.
 * Candidates already passed the prerequisite filter, so exploring never breaks it.
 */
function explore<T extends Recommendation & { lesson: CourseLesson }>(
  list: T[],
  candidates: readonly T[],
  signals: LearnerSignals,
  options: RankOptions,
): T[] {
  const lessons = list.filter((r) => r.kind === 'lesson');
  if ((options.exploreShare ?? EXPLORE_SHARE) <= 0 || lessons.length < EXPLORE_MIN_LESSONS) return list;
  const rand = seededRandom(options.seed);
  const listed = new Set(list.map((r) => r.id));
  const unlisted = candidates.filter((c) => c.kind === 'lesson' && !listed.has(c.id));
  const pick = unlisted
    .map((c) => ({ c, draw: thompson(signals.feedback.get(c.id), rand) * c.score }))
    .sort((a, b) => b.draw - a.draw)[0];
  const replaced = lessons.at(-1);
  if (!pick || !replaced) return list;
  return list.map((r) =>
    r === replaced
      ? {
          ...pick.c,
          score: Math.min(pick.c.score, replaced.score),
          reasons: [...pick.c.reasons, { code: 'explore' as const, text: 'Something a little different, to widen your view' }],
        }
      : r,
  );
}
