/**
 * The simulated learners behind `npm run eval -- recs`: a population with goals, prior
 * knowledge and pace that walks the sample course by a hidden preference of its own (never
 * the ranking), and the signals the server would read for a learner at each step. Knowledge
 * is hidden too: the server only sees graded answers, through BKT with the default parameters.
 */
import type { LoadedCourse } from '../cli/course-tree';
import { DEFAULT_BKT, bktUpdate } from '../workers/features/mastery/mastery.bkt';
import { ratingFor, scheduleReview, type StoredCard } from '../workers/features/mastery/mastery.domain';
import { planPath } from '../workers/features/recommendations/path.domain';
import type { CourseLesson, LearnerSignals, RecommendationKind } from '../workers/features/recommendations/recommend.domain';

/** A stable 32-bit seed from several integers (FNV-1a over their values). */
export const mix = (...parts: number[]) => parts.reduce((h, p) => Math.imul(h ^ (p >>> 0), 0x01000193) >>> 0, 0x811c9dc5);

/** Minutes do not matter for which lessons a path holds. */
const SIM_PACE = { minutesPerDay: 60, speed: 1, source: 'default' as const };

/** True answer model: four choices, and a learner who knows the concept still slips sometimes. */
export const GUESS = 0.25;
export const SLIP = 0.1;
/** Chance that a lesson is opened but left unfinished, so it shows up as started. */
const ABANDON = 0.08;
/** Reviews and quiz retakes a learner does at most per session besides lessons. */
const MAX_OTHER_PER_SESSION = 3;
/** Chance per session that a learner who reached the goal stops studying. */
const QUIT_AFTER_GOAL = 0.5;
const REVIEW_MINUTES = 5;
const DAY_MS = 86_400_000;
const START = Date.parse('2025-01-06T18:00:00Z');

export interface QuizItem {
  id: string;
  concept: string | undefined;
}

export interface SimCourse {
  /** In course order: `position` is the index. */
  lessons: CourseLesson[];
  bySlug: ReadonlyMap<string, CourseLesson>;
  items: ReadonlyMap<string, QuizItem[]>;
  /** Every concept a lesson teaches, as the server's concept list. */
  concepts: string[];
  partSlugs: string[];
}

/** The course as the ranking sees it: global course order (part, chapter, lesson), part titles, quiz sizes. */
export function simCourse(manifest: LoadedCourse['manifest']): SimCourse {
  const parts = new Map(manifest.parts.map((p) => [p.slug, p]));
  const chapters = new Map(manifest.chapters.map((c) => [`${c.partSlug}/${c.slug}`, c.position]));
  const key = (l: (typeof manifest.lessons)[number]): [number, number, number] => [
    parts.get(l.partSlug)?.position ?? Infinity,
    chapters.get(`${l.partSlug}/${l.chapterSlug}`) ?? Infinity,
    l.position,
  ];
  const ordered = [...manifest.lessons].sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    return ka[0] - kb[0] || ka[1] - kb[1] || ka[2] - kb[2];
  });
  const lessons: CourseLesson[] = ordered.map((l, position) => ({
    slug: l.slug,
    title: l.title,
    partSlug: l.partSlug,
    partTitle: parts.get(l.partSlug)?.title ?? l.partSlug,
    layer: l.layer,
    position,
    prerequisites: l.prerequisites,
    concepts: l.concepts,
    // As the server reads it: each quiz item's concept, else the lesson's first concept.
    assessed: [...new Set(l.quiz.map((q) => q.concept ?? l.concepts[0] ?? l.slug))],
    minutes: l.minutes,
    quizItems: l.quiz.length,
  }));
  return {
    lessons,
    bySlug: new Map(lessons.map((l) => [l.slug, l])),
    items: new Map(
      ordered.map((l) => [l.slug, l.quiz.map((q, i) => ({ id: q.id ?? `${l.slug}-q${i + 1}`, concept: q.concept }))]),
    ),
    concepts: [...new Set(lessons.flatMap((l) => l.concepts))],
    partSlugs: [...manifest.parts].sort((a, b) => a.position - b.position).map((p) => p.slug),
  };
}

/** One simulated learner's traits: drawn once, shared by the observed walk and every follow-the-ranker run. */
export interface Learner {
  index: number;
  /** Onboarding goals: one or two parts. */
  goalParts: string[];
  /** A set learning goal on one lesson, or null. */
  target: string | null;
  /** The lessons the goal asks for: the target, else every lesson of the goal parts. */
  goal: string[];
  /** The goal's lessons and, transitively, their prerequisites. */
  needed: ReadonlySet<string>;
  /** 0 (new to SQL) to 1; drives which concepts are known before any lesson. */
  experience: number;
  knownAtStart: ReadonlySet<string>;
  /** P(a concept a lesson teaches becomes known by taking it). */
  learnRate: number;
  /** Lessons per session. */
  pace: number;
  sessions: number;
  gapDays: number;
  /** P(doing due reviews before the next lesson). */
  reviewPropensity: number;
  /** P(retaking a quiz with items still wrong before the next lesson). */
  quizPropensity: number;
  /** P(picking a lesson that serves the goal when one is open). */
  goalFocus: number;
  /** P(jumping to another open lesson instead of the next in course order). */
  jumpiness: number;
  /** Passes over lessons outside the goal whose every concept is already known. */
  skipsKnown: boolean;
}

/** P(a concept is known at the start), by the part that first teaches it, per unit of experience. */
export const PRIOR_BY_PART = [0.9, 0.6, 0.3] as const;

/** Ranges the population's traits are drawn from, uniformly; shares are probabilities. */
export const TRAITS = Object.freeze({
  twoGoalParts: 0.4,
  targetLesson: 0.25,
  learnRate: [0.35, 0.9],
  pace: [1, 4],
  sessions: [3, 12],
  gapDays: [1, 3],
  reviewPropensity: [0.1, 0.6],
  quizPropensity: [0.05, 0.3],
  goalFocus: [0.6, 0.95],
  jumpiness: [0.05, 0.35],
  skipsKnown: 0.6,
} as const);

/** Draws one learner from the population. */
export function createLearner(course: SimCourse, index: number, random: () => number): Learner {
  const between = ([low, high]: readonly [number, number]) => low + (high - low) * random();
  const int = ([low, high]: readonly [number, number]) => low + Math.floor(random() * (high - low + 1));
  const parts = [...course.partSlugs];
  const goalParts: string[] = [];
  for (let n = random() < TRAITS.twoGoalParts ? 2 : 1; n > 0 && parts.length > 0; n--) {
    goalParts.push(...parts.splice(int([0, parts.length - 1]), 1));
  }
  goalParts.sort((a, b) => course.partSlugs.indexOf(a) - course.partSlugs.indexOf(b));
  const inGoalParts = course.lessons.filter((l) => goalParts.includes(l.partSlug));
  const target = random() < TRAITS.targetLesson ? (inGoalParts[int([0, inGoalParts.length - 1])]?.slug ?? null) : null;
  const goal = target ? [target] : inGoalParts.map((l) => l.slug);

  // Squared, so most learners are new to the subject and a few know much of it.
  const experience = random() ** 2;
  const firstPart = new Map<string, number>();
  for (const l of course.lessons) {
    for (const c of l.concepts) if (!firstPart.has(c)) firstPart.set(c, course.partSlugs.indexOf(l.partSlug));
  }
  const knownAtStart = new Set(
    course.concepts.filter((c) => random() < experience * (PRIOR_BY_PART[firstPart.get(c) ?? 2] ?? 0.3)),
  );
  return {
    index,
    goalParts,
    target,
    goal,
    needed: closure(course, goal),
    experience,
    knownAtStart,
    learnRate: between(TRAITS.learnRate),
    pace: int(TRAITS.pace),
    sessions: int(TRAITS.sessions),
    gapDays: int(TRAITS.gapDays),
    reviewPropensity: between(TRAITS.reviewPropensity),
    quizPropensity: between(TRAITS.quizPropensity),
    goalFocus: between(TRAITS.goalFocus),
    jumpiness: between(TRAITS.jumpiness),
    skipsKnown: random() < TRAITS.skipsKnown,
  };
}

/** The lessons and all their transitive prerequisites. */
export function closure(course: SimCourse, slugs: readonly string[]): Set<string> {
  const found = new Set<string>();
  const visit = (slug: string) => {
    if (found.has(slug)) return;
    found.add(slug);
    for (const p of course.bySlug.get(slug)?.prerequisites ?? []) visit(p);
  };
  slugs.forEach(visit);
  return found;
}

export interface LearnerState {
  now: Date;
  day: number;
  completed: Set<string>;
  /** Completed lessons, oldest first, for the co-completion table. */
  completions: string[];
  started: Set<string>;
  /** What the learner really knows; the server never sees it. */
  known: Set<string>;
  /** The server's BKT estimate per concept answered at least once. */
  estimates: Map<string, { pKnown: number; attempts: number }>;
  cards: Map<string, { lessonSlug: string; item: QuizItem; card: StoredCard }>;
  /** Per lesson, the items answered correctly at least once. */
  correctItems: Map<string, Set<string>>;
}

export function startState(learner: Learner): LearnerState {
  return {
    now: new Date(START),
    day: 0,
    completed: new Set(),
    completions: [],
    started: new Set(),
    known: new Set(learner.knownAtStart),
    estimates: new Map(),
    cards: new Map(),
    correctItems: new Map(),
  };
}

/** Moves the learner to the evening of their next study day. */
export function nextSession(learner: Learner, state: LearnerState): void {
  state.day += learner.gapDays;
  state.now = new Date(START + state.day * DAY_MS);
}

export interface Action {
  kind: RecommendationKind;
  lessonSlug: string;
}

/**
 * The learner's own rule: a prerequisite is fine once completed or once they know every
 * concept it teaches (they know what they know; the server may not).
 */
export function canTake(course: SimCourse, state: LearnerState, lesson: CourseLesson): boolean {
  if (state.completed.has(lesson.slug)) return false;
  return lesson.prerequisites.every((p) => {
    if (state.completed.has(p)) return true;
    const concepts = course.bySlug.get(p)?.concepts ?? [];
    return concepts.length > 0 && concepts.every((c) => state.known.has(c));
  });
}

export const goalReached = (learner: Learner, state: LearnerState) => learner.goal.every((slug) => state.completed.has(slug));

/** Due review cards per lesson. */
export function dueReviews(state: LearnerState): Map<string, number> {
  const due = new Map<string, number>();
  for (const { lessonSlug, card } of state.cards.values()) {
    if (Date.parse(card.due) <= state.now.getTime()) due.set(lessonSlug, (due.get(lessonSlug) ?? 0) + 1);
  }
  return due;
}

/** Completed lessons with quiz items never answered correctly. */
function openQuizzes(course: SimCourse, state: LearnerState): CourseLesson[] {
  return course.lessons.filter(
    (l) => state.completed.has(l.slug) && (state.correctItems.get(l.slug)?.size ?? 0) < (course.items.get(l.slug)?.length ?? 0),
  );
}

const estimate = (state: LearnerState, concept: string | undefined) =>
  concept === undefined ? 1 : (state.estimates.get(concept)?.pKnown ?? 0);

/**
 * The hidden preference: sometimes due reviews or a quiz retake of the weakest concept;
 * otherwise a started lesson, else an open lesson that serves the goal, in course order
 * but now and then a jump within the goal parts; lessons outside the goal that the learner
 * already knows are passed over by some. Null when nothing is left to take.
 */
export function chooseNext(
  course: SimCourse,
  learner: Learner,
  state: LearnerState,
  random: () => number,
  othersLeft: boolean,
): Action | null {
  const due = [...dueReviews(state)].sort(
    (a, b) => b[1] - a[1] || (course.bySlug.get(a[0])?.position ?? 0) - (course.bySlug.get(b[0])?.position ?? 0),
  );
  if (othersLeft && due[0] && random() < learner.reviewPropensity) return { kind: 'review', lessonSlug: due[0][0] };
  const quizzes = openQuizzes(course, state);
  if (othersLeft && quizzes.length > 0 && random() < learner.quizPropensity) {
    const weakest = (l: CourseLesson) =>
      Math.min(
        ...(course.items.get(l.slug) ?? [])
          .filter((i) => !state.correctItems.get(l.slug)?.has(i.id))
          .map((i) => estimate(state, i.concept)),
      );
    const pick = quizzes.reduce((best, l) => (weakest(l) < weakest(best) ? l : best));
    return { kind: 'quiz', lessonSlug: pick.slug };
  }

  const open = course.lessons.filter((l) => canTake(course, state, l));
  if (open.length === 0) return null;
  const started = open.filter((l) => state.started.has(l.slug));
  if (started[0] && random() < 0.8) return { kind: 'lesson', lessonSlug: started[0].slug };
  const goalSet = new Set(learner.goal);
  const serving = goalReached(learner, state) ? [] : open.filter((l) => learner.needed.has(l.slug));
  const pool = serving.length > 0 && random() < learner.goalFocus ? serving : open;
  const knownAll = (l: CourseLesson) => l.concepts.length > 0 && l.concepts.every((c) => state.known.has(c));
  const kept = learner.skipsKnown ? pool.filter((l) => goalSet.has(l.slug) || !knownAll(l)) : pool;
  const choices = kept.length > 0 ? kept : pool;
  const jumps = choices.slice(1).filter((l) => learner.goalParts.includes(l.partSlug));
  const pick = jumps.length > 0 && random() < learner.jumpiness ? jumps[Math.floor(random() * jumps.length)] : choices[0];
  return pick ? { kind: 'lesson', lessonSlug: pick.slug } : null;
}

/** Carries out an action: the learner learns, answers, and the server's estimates, quiz record and cards follow. */
export function perform(course: SimCourse, learner: Learner, state: LearnerState, action: Action, random: () => number): void {
  const lesson = course.bySlug.get(action.lessonSlug);
  if (!lesson) throw new Error(`unknown lesson ${action.lessonSlug}`);
  const items = course.items.get(lesson.slug) ?? [];
  if (action.kind === 'lesson') {
    state.now = new Date(state.now.getTime() + lesson.minutes * 60_000);
    if (!state.started.has(lesson.slug) && random() < ABANDON) {
      state.started.add(lesson.slug);
      return;
    }
    state.started.delete(lesson.slug);
    state.completed.add(lesson.slug);
    state.completions.push(lesson.slug);
    for (const c of lesson.concepts) if (!state.known.has(c) && random() < learner.learnRate) state.known.add(c);
    for (const item of items) answer(learner, state, lesson.slug, item, random);
    return;
  }
  state.now = new Date(state.now.getTime() + REVIEW_MINUTES * 60_000);
  const answered =
    action.kind === 'review'
      ? [...state.cards.values()].filter((c) => c.lessonSlug === lesson.slug && Date.parse(c.card.due) <= state.now.getTime())
      : items.filter((i) => !state.correctItems.get(lesson.slug)?.has(i.id)).map((item) => ({ item }));
  for (const { item } of answered) answer(learner, state, lesson.slug, item, random, true);
}

/** One graded answer: BKT update of the item's concept, quiz record, FSRS card. */
function answer(
  learner: Learner,
  state: LearnerState,
  lessonSlug: string,
  item: QuizItem,
  random: () => number,
  practice = false,
) {
  const knows = item.concept === undefined || state.known.has(item.concept);
  const correct = knows ? random() >= SLIP : random() < GUESS;
  if (item.concept !== undefined) {
    const before = state.estimates.get(item.concept) ?? { pKnown: DEFAULT_BKT.prior, attempts: 0 };
    state.estimates.set(item.concept, { pKnown: bktUpdate(before.pKnown, correct, DEFAULT_BKT), attempts: before.attempts + 1 });
    // The explanation after a wrong practice answer teaches a little.
    if (practice && !correct && !knows && random() < learner.learnRate / 2) state.known.add(item.concept);
  }
  if (correct) state.correctItems.set(lessonSlug, (state.correctItems.get(lessonSlug) ?? new Set()).add(item.id));
  const card = scheduleReview(state.cards.get(item.id)?.card ?? null, ratingFor(correct), state.now);
  state.cards.set(item.id, { lessonSlug, item, card });
}

/**
 * The signals the server would read for this learner now: concepts without answers read
 * p_known 0, as the store's LEFT JOIN does; no feedback, no dismissals, no skipping.
 */
export function signalsFor(
  course: SimCourse,
  learner: Learner,
  state: LearnerState,
  collaborative: ReadonlyMap<string, number>,
): LearnerSignals {
  const signals: LearnerSignals = {
    completed: state.completed,
    lastCompleted: [...state.completed].at(-1) ?? null,
    started: state.started,
    concepts: new Map(
      course.concepts.map((c) => {
        const e = state.estimates.get(c);
        return [c, { title: c, pKnown: e?.pKnown ?? 0, attempts: e?.attempts ?? 0 }];
      }),
    ),
    goalParts: new Set(learner.goalParts),
    goalLessons: new Set(),
    dueReviews: dueReviews(state),
    quizCorrect: new Map([...state.correctItems].map(([slug, items]) => [slug, items.size])),
    collaborative,
    feedback: new Map(),
    dismissed: new Set(),
    allowSkips: false,
  };
  if (!learner.target) return signals;
  // As the server does: a set goal's path (the target and its unmet prerequisites) are goal lessons.
  const path = planPath(
    course.lessons,
    signals,
    { type: 'lesson', id: learner.target, targetDate: null },
    SIM_PACE,
    new Map(),
    '2026-01-01',
  );
  return { ...signals, goalLessons: new Set(path.steps.map((step) => step.lessonSlug)) };
}

/** Walks one learner through their sessions; `visit` sees each action before it is carried out. */
export function walk(
  course: SimCourse,
  learner: Learner,
  random: () => number,
  visit: (state: LearnerState, action: Action) => void,
): LearnerState {
  const state = startState(learner);
  for (let session = 0; session < learner.sessions; session++) {
    if (session > 0) nextSession(learner, state);
    if (session > 0 && goalReached(learner, state) && random() < QUIT_AFTER_GOAL) break;
    let lessons = 0;
    let others = 0;
    while (lessons < learner.pace) {
      const action = chooseNext(course, learner, state, random, others < MAX_OTHER_PER_SESSION);
      if (!action) return state;
      visit(state, action);
      perform(course, learner, state, action, random);
      if (action.kind === 'lesson') lessons += 1;
      else others += 1;
    }
  }
  return state;
}

/**
 * Co-completion over the learners walked so far, as the cron job's `lesson_pairs`: per
 * pair (a, b) with b completed after a, the learners and those who then got an item of b
 * right; the score of b is the best (learners + successes) / 2 / completions(a) over the
 * learner's completed lessons a, capped at 1.
 */
export function createCoCompletion() {
  const base = new Map<string, number>();
  const pairs = new Map<string, Map<string, { learners: number; successes: number }>>();
  return {
    add(state: LearnerState): void {
      state.completions.forEach((a, i) => {
        base.set(a, (base.get(a) ?? 0) + 1);
        const next = pairs.get(a) ?? new Map<string, { learners: number; successes: number }>();
        pairs.set(a, next);
        for (const b of state.completions.slice(i + 1)) {
          const pair = next.get(b) ?? { learners: 0, successes: 0 };
          pair.learners += 1;
          if ((state.correctItems.get(b)?.size ?? 0) > 0) pair.successes += 1;
          next.set(b, pair);
        }
      });
    },
    collaborative(completed: ReadonlySet<string>): Map<string, number> {
      const scores = new Map<string, number>();
      for (const a of completed) {
        const n = base.get(a) ?? 0;
        for (const [b, pair] of pairs.get(a) ?? []) {
          const score = Math.min(1, ((pair.learners + pair.successes) * 0.5) / n);
          scores.set(b, Math.max(scores.get(b) ?? 0, score));
        }
      }
      return scores;
    },
    /** How many learners walked so far completed the lesson. */
    completions: (slug: string) => base.get(slug) ?? 0,
  };
}
export type CoCompletion = ReturnType<typeof createCoCompletion>;
