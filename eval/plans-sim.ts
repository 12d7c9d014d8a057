/**
 * The simulated learners behind `npm run eval -- plans`: what each one told onboarding,
 * and hidden preferences the planner never sees (category liking, a taste per variation
 * group and variation, appetite for variety, when in the day they practise and how alert
 * they are then, the minutes they really have, how often they skip a day). All are drawn
 * here, independently of the library's archetype, mode and time weights, so the planner
 * can only learn them from feedback. The knowledge model is simple and fully visible to
 * the planner: lessons completed by learn tasks, P(known) per concept raised by every
 * other kind of task, and review cards falling due after a lesson.
 */
import { MASTERY_THRESHOLDS } from '../workers/features/mastery/mastery.bkt';
import { STYLES } from '../workers/features/learners/learners.schemas';
import type { Category, PlanContext, PlanItem, TimeOfDay } from '../workers/features/practice/plan.domain';
import { CATEGORIES, TIMES_OF_DAY, type Variation } from '../workers/features/practice/practice.schemas';
import { PRIOR_BY_PART, type SimCourse } from './recs-sim';

/** Ranges the population's hidden traits are drawn from; shares are probabilities. */
export const PLAN_TRAITS = Object.freeze({
  statedMinutes: [10, 15, 20, 25, 30, 45, 60],
  /** Minutes really there on an ordinary day, over the stated session length. */
  honesty: [0.6, 1.4],
  /** Weekend minutes over weekday minutes. */
  weekendMinutes: [0.5, 1.8],
  /** Spread of category liking and of the taste per group and per variation (standard deviations). */
  liking: 0.8,
  groupTaste: 0.5,
  variationTaste: 0.35,
  /** Appetite for variety: + enjoys variations new to them, − prefers ones they have done. */
  variety: [-1, 1],
  /** P(skipping a whole day), and the extra on weekends (negative: weekend learners). */
  skipDay: [0.05, 0.4],
  weekendSkip: [-0.15, 0.35],
  /** Share who state a preferred time of day, and of those who name the time they practise most. */
  statesTime: 0.35,
  statesTimeRight: 0.75,
  /** P(the main time of day is morning, afternoon, evening, night). */
  mainTime: [0.3, 0.2, 0.35, 0.15],
  /** Alertness per time of day: low alertness makes long and hard tasks less welcome. */
  alertness: [0.2, 1],
  learnRate: [0.3, 0.8],
} as const);

/** Completion: P = σ(BIAS + SLOPE × utility); ratings 3 + RATING × utility, with noise. */
const BIAS = 1.2;
const SLOPE = 1.6;
const RATING = 1.1;
/** Liking lost when the task's group was completed yesterday, or the day before. */
const FATIGUE = [0.7, 0.3] as const;
/** Minutes a learner runs over the time they have before giving up on the next task. */
const GRACE_MINUTES = 3;
/** P(rating a completed task), P(leaving a task open instead of saying why it was skipped). */
const RATES = 0.85;
const LEAVES_OPEN = 0.15;
/** P(opening the plan on a day the learner skips) — the plan is then made but left untouched. */
const OPENS_ON_SKIP = 0.4;
/** Daily relative loss of P(known) of concepts met before. */
const FORGETTING = 0.01;
const SECTIONS = ['Key ideas', 'Worked example', 'Common mistakes'] as const;

export type SkipReason = 'no_time' | 'too_hard' | 'too_easy' | 'not_interested';

/** One simulated learner: what the planner is told, and what it is not. */
export interface PlanLearner {
  index: number;
  id: string;
  stated: { sessionMinutes: number; style: string; goals: string[]; preferredTime?: TimeOfDay };
  liking: Record<Category, number>;
  /** Taste per variation id (its group's taste plus its own). */
  taste: Map<string, number>;
  variety: number;
  /** P(practising at each time of day), and alertness then. */
  times: Record<TimeOfDay, number>;
  alertness: Record<TimeOfDay, number>;
  minutes: number;
  weekendMinutes: number;
  skipDay: number;
  weekendSkip: number;
  /** Skill on the library's difficulty scale (1–5) at the start; grows with lessons completed. */
  level: number;
  learnRate: number;
  experience: number;
}

export function createPlanLearner(
  index: number,
  library: readonly Variation[],
  course: SimCourse,
  random: () => number,
): PlanLearner {
  const between = ([low, high]: readonly [number, number]) => low + (high - low) * random();
  const normal = (sd: number) => sd * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const liking = Object.fromEntries(CATEGORIES.map((c) => [c, normal(PLAN_TRAITS.liking)])) as Record<Category, number>;
  const groups = new Map<string, number>();
  const taste = new Map<string, number>();
  for (const v of library) {
    if (!groups.has(v.group)) groups.set(v.group, normal(PLAN_TRAITS.groupTaste));
    taste.set(v.id, (groups.get(v.group) ?? 0) + normal(PLAN_TRAITS.variationTaste));
  }
  const main = weighted(TIMES_OF_DAY, PLAN_TRAITS.mainTime, random());
  const second = pick(TIMES_OF_DAY.filter((t) => t !== main));
  const mainShare = between([0.55, 0.9]);
  const times = Object.fromEntries(
    TIMES_OF_DAY.map((t) => [t, t === main ? mainShare : t === second ? (1 - mainShare) * 0.8 : (1 - mainShare) * 0.1]),
  ) as Record<TimeOfDay, number>;
  const stated = pick(PLAN_TRAITS.statedMinutes);
  const experience = random() ** 2;
  const parts = course.partSlugs.filter(() => random() < 0.5);
  const preferredTime =
    random() < PLAN_TRAITS.statesTime ? (random() < PLAN_TRAITS.statesTimeRight ? main : pick(TIMES_OF_DAY)) : undefined;
  return {
    index,
    id: `lrn_sim${String(index).padStart(13, '0')}`,
    stated: {
      sessionMinutes: stated,
      style: pick(STYLES),
      goals: parts.length > 0 ? parts : [pick(course.partSlugs)],
      ...(preferredTime ? { preferredTime } : {}),
    },
    liking,
    taste,
    variety: between(PLAN_TRAITS.variety),
    times,
    alertness: Object.fromEntries(TIMES_OF_DAY.map((t) => [t, between(PLAN_TRAITS.alertness)])) as Record<TimeOfDay, number>,
    minutes: stated * between(PLAN_TRAITS.honesty),
    weekendMinutes: between(PLAN_TRAITS.weekendMinutes),
    skipDay: between(PLAN_TRAITS.skipDay),
    weekendSkip: between(PLAN_TRAITS.weekendSkip),
    level: 1.5 + 2.5 * experience,
    learnRate: between(PLAN_TRAITS.learnRate),
    experience,
  };
}

function weighted<T>(values: readonly T[], weights: readonly number[], u: number): T {
  let left = u * weights.reduce((a, b) => a + b, 0);
  for (const [i, value] of values.entries()) {
    left -= weights[i] ?? 0;
    if (left < 0) return value;
  }
  return values[values.length - 1] as T;
}

/** What the learner knows and has done; the planner sees it as the learner model would report it. */
export interface Knowledge {
  pKnown: Map<string, number>;
  start: ReadonlyMap<string, number>;
  /** Concepts met in a lesson or a task: the learner model has answers for them. */
  touched: Set<string>;
  completed: Set<string>;
  /** Share of a lesson read section by section. */
  progress: Map<string, number>;
  recent: string | null;
  cards: { concept: string; due: number; interval: number }[];
}

export function startKnowledge(course: SimCourse, learner: PlanLearner, random: () => number): Knowledge {
  const pKnown = new Map<string, number>();
  const firstPart = new Map<string, number>();
  for (const l of course.lessons) {
    for (const c of l.concepts) if (!firstPart.has(c)) firstPart.set(c, course.partSlugs.indexOf(l.partSlug));
  }
  for (const c of course.concepts) {
    const prior = learner.experience * (PRIOR_BY_PART[firstPart.get(c) ?? 2] ?? 0.3);
    pKnown.set(c, random() < prior ? 0.5 + 0.4 * random() : 0.05 * random());
  }
  return {
    pKnown,
    start: new Map(pKnown),
    touched: new Set(),
    completed: new Set(),
    progress: new Map(),
    recent: null,
    cards: [],
  };
}

/** The learner model as the plan reads it on `day`. */
export function learnerModel(
  course: SimCourse,
  k: Knowledge,
  day: number,
): Pick<PlanContext, 'dueReviews' | 'nextLesson' | 'recentLesson' | 'weakConcepts' | 'completedLessons'> {
  const next = course.lessons.find((l) => !k.completed.has(l.slug) && l.prerequisites.every((p) => k.completed.has(p)));
  const recent = k.recent === null ? undefined : course.bySlug.get(k.recent);
  return {
    dueReviews: k.cards.filter((c) => c.due <= day).length,
    nextLesson: next ? { slug: next.slug, title: next.title, sections: SECTIONS } : null,
    recentLesson: recent ? { slug: recent.slug, title: recent.title } : null,
    weakConcepts: weakest(k, 5).map((id) => ({ id, title: id, pKnown: k.pKnown.get(id) ?? 0 })),
    completedLessons: k.completed,
  };
}

function weakest(k: Knowledge, n: number): string[] {
  return [...k.touched]
    .filter((c) => (k.pKnown.get(c) ?? 0) < MASTERY_THRESHOLDS.mastered)
    .sort((a, b) => (k.pKnown.get(a) ?? 0) - (k.pKnown.get(b) ?? 0) || (a < b ? -1 : 1))
    .slice(0, n);
}

/** One day's circumstances, drawn the same whichever planner the learner follows. */
export interface Day {
  skipped: boolean;
  /** Opens the plan though skipping the day. */
  opens: boolean;
  time: TimeOfDay;
  hour: number;
  minute: number;
  minutes: number;
  weekend: boolean;
}

const HOURS: Record<TimeOfDay, readonly [number, number]> = {
  morning: [6, 11],
  afternoon: [12, 16],
  evening: [17, 21],
  night: [22, 23],
};

/** The day's draws; `mood` in [-1, 1] (how the last plans went) moves P(skipping the day). */
export function drawDay(learner: PlanLearner, weekend: boolean, mood: number, random: () => number): Day {
  const pSkip = learner.skipDay + (weekend ? learner.weekendSkip : 0) + 0.2 * Math.max(0, -mood) - 0.1 * Math.max(0, mood);
  const skipped = random() < Math.min(0.9, Math.max(0.02, pSkip));
  const opens = random() < OPENS_ON_SKIP;
  const time = weighted(
    TIMES_OF_DAY,
    TIMES_OF_DAY.map((t) => learner.times[t]),
    random(),
  );
  const [low, high] = HOURS[time];
  const hour = low + Math.floor(random() * (high - low + 1));
  const noise = Math.exp(0.3 * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()));
  return {
    skipped,
    opens,
    time,
    hour,
    minute: Math.floor(random() * 45),
    minutes: learner.minutes * (weekend ? learner.weekendMinutes : 1) * noise,
    weekend,
  };
}

/** What the learner did with one task, and how they felt about it (`rating` even when not told). */
export interface TaskOutcome {
  status: 'completed' | 'skipped' | 'open';
  skipReason?: SkipReason;
  rating: number;
  rated: boolean;
}

/**
 * The learner works through the plan in order on a day they practise: a task that does
 * not fit the minutes left is skipped for lack of time; any other is completed with
 * P = σ(BIAS + SLOPE × utility), where utility is the hidden liking of its category and
 * taste for it, the variety appetite (new or done before), fatigue (its group completed
 * in the last two days), alertness at this time against its length and difficulty, and
 * its difficulty against the learner's level, plus the day's noise.
 */
export function work(
  learner: PlanLearner,
  k: Knowledge,
  items: readonly PlanItem[],
  day: Day,
  history: { done: ReadonlySet<string>; groupsDone: readonly ReadonlySet<string>[] },
  library: ReadonlyMap<string, Variation>,
  random: () => number,
): TaskOutcome[] {
  const normal = (sd: number) => sd * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const level = learner.level + (1.5 * k.completed.size) / 24;
  let used = 0;
  return items.map((item) => {
    const v = library.get(item.variationId);
    const difficulty = v?.difficulty ?? 3;
    const fresh = !history.done.has(item.variationId);
    const gap = difficulty - level;
    const parts = {
      taste: learner.liking[item.category] + (learner.taste.get(item.variationId) ?? 0),
      variety: fresh ? 0.6 * learner.variety : -0.3 * learner.variety,
      fatigue: -FATIGUE.reduce((sum, f, ago) => sum + (history.groupsDone[ago]?.has(item.group) ? f : 0), 0),
      alertness: -0.6 * (1 - learner.alertness[day.time]) * (item.minutes / 20 + (difficulty - 1) / 4),
      hard: -0.8 * Math.max(0, gap - 0.5),
      easy: -0.4 * Math.max(0, -gap - 2),
    };
    const utility = Object.values(parts).reduce((a, b) => a + b, 0) + normal(0.6);
    const rating = Math.min(5, Math.max(1, Math.round(3 + RATING * utility + normal(0.5))));
    if (used + item.minutes > day.minutes + GRACE_MINUTES) {
      return random() < LEAVES_OPEN * 3
        ? { status: 'open', rating, rated: false }
        : { status: 'skipped', skipReason: 'no_time', rating, rated: false };
    }
    if (random() < 1 / (1 + Math.exp(-(BIAS + SLOPE * utility)))) {
      used += item.minutes;
      return { status: 'completed', rating, rated: random() < RATES };
    }
    if (random() < LEAVES_OPEN) return { status: 'open', rating, rated: false };
    const skipReason: SkipReason =
      parts.hard < -0.3 && parts.hard <= parts.taste
        ? 'too_hard'
        : parts.easy < -0.3 && parts.easy <= parts.taste
          ? 'too_easy'
          : 'not_interested';
    return { status: 'skipped', skipReason, rating, rated: false };
  });
}

/** What a completed task teaches: lessons, reviews, quiz answers and the rest raise P(known). */
export function learn(course: SimCourse, learner: PlanLearner, k: Knowledge, item: PlanItem, day: number): void {
  const lr = learner.learnRate;
  const raise = (concept: string, gain: number) => {
    const p = k.pKnown.get(concept) ?? 0;
    k.pKnown.set(concept, p + (1 - p) * Math.min(1, gain));
    k.touched.add(concept);
  };
  const completeLesson = (slug: string) => {
    const lesson = course.bySlug.get(slug);
    if (!lesson || k.completed.has(slug)) return;
    k.completed.add(slug);
    k.progress.delete(slug);
    k.recent = slug;
    for (const c of lesson.concepts) raise(c, 0.3 + 0.4 * lr);
    for (let i = 0; i < lesson.quizItems; i++) {
      const concept = lesson.concepts[i % lesson.concepts.length];
      if (concept) k.cards.push({ concept, due: day + 1, interval: 1 });
    }
  };
  const lessonSlug = item.binding.lessonSlug;
  // The concepts a task works on: those it is bound to, else its lesson's, else the weakest.
  const bound = [item.binding.conceptId, item.binding.concept2Id].filter((c) => c !== undefined);
  const targets = bound.length > 0 ? bound : lessonSlug ? (course.bySlug.get(lessonSlug)?.concepts ?? []) : weakest(k, 3);
  const done = item.completes;
  if (done.kind === 'lesson') {
    if (lessonSlug) completeLesson(lessonSlug);
  } else if (done.kind === 'reviews') {
    const due = k.cards.filter((c) => c.due <= day).sort((a, b) => a.due - b.due);
    for (const card of due.slice(0, item.binding.count ?? done.count)) {
      const p = k.pKnown.get(card.concept) ?? 0;
      raise(card.concept, 0.12 * lr);
      card.interval = p > 0.5 ? card.interval * 2.5 : 1;
      card.due = day + Math.round(card.interval);
    }
  } else if (done.kind === 'quiz_answers') {
    const gain = (item.category === 'warm-up' ? 0.04 : 0.08) * lr;
    for (let i = 0; i < done.count && targets.length > 0; i++) raise(targets[i % targets.length] ?? '', gain);
  } else if (item.category === 'learn' && lessonSlug) {
    k.recent = lessonSlug;
    for (const c of course.bySlug.get(lessonSlug)?.concepts ?? []) raise(c, 0.1 * lr);
    const read = (k.progress.get(lessonSlug) ?? 0) + 1 / SECTIONS.length;
    if (read >= 1 - 1e-9) completeLesson(lessonSlug);
    else k.progress.set(lessonSlug, read);
  } else {
    for (const c of targets) raise(c, Math.min(0.25, 0.012 * item.minutes) * lr * (bound.length > 0 ? 2 : 1));
  }
}

/** A day passes: what was met before fades a little. */
export function forget(k: Knowledge): void {
  for (const c of k.touched) k.pKnown.set(c, (k.pKnown.get(c) ?? 0) * (1 - FORGETTING));
}
