import { bktPredictCorrect, bktUpdate, MASTERY_THRESHOLDS, type BktParams } from '../mastery/mastery.bkt';
import { prerequisiteMet, type CourseLesson, type LearnerSignals } from './recommend.domain';

export const GOAL_TYPES = ['concept', 'lesson', 'part'] as const;
export type GoalType = (typeof GOAL_TYPES)[number];

export interface Goal {
  type: GoalType;
  id: string;
  targetDate: string | null;
}

/** A goal as stored, with the course it is in (null: set before goals had a course). */
export type CourseGoal = Goal & { course: string | null };

export interface Pace {
  /** Active minutes the learner studies on a day they study. */
  minutesPerDay: number;
  /** Measured minutes over authored minutes on completed lessons (1 = as the author estimated). */
  speed: number;
  source: 'activity' | 'onboarding' | 'default';
}

export interface PathStep {
  lessonSlug: string;
  title: string;
  minutes: number;
  reason: string;
}

export interface LearningPath {
  steps: PathStep[];
  totalMinutes: number;
  /** Days of study the steps need at the learner's pace. */
  daysNeeded: number;
  /** Whether the steps fit before the target date at that pace; null without a target date. */
  reachableByTarget: boolean | null;
}

/** The lessons a goal asks for: the lesson, the part's lessons, or the first lesson teaching the concept. */
export function goalLessons(lessons: readonly CourseLesson[], goal: Pick<Goal, 'type' | 'id'>): CourseLesson[] {
  if (goal.type === 'lesson') return lessons.filter((l) => l.slug === goal.id);
  if (goal.type === 'part') return lessons.filter((l) => l.partSlug === goal.id);
  const teaching = lessons.filter((l) => l.concepts.includes(goal.id)).sort((a, b) => a.position - b.position);
  return teaching.slice(0, 1);
}

/** A lesson the learner need not take: completed, or every concept it teaches mastered. */
const done = (lesson: CourseLesson, signals: LearnerSignals) => prerequisiteMet(lesson, lesson.slug, signals);

/**
 * The ordered steps to a goal: the goal's lessons and, transitively, their unmet
 * prerequisites, minus what is done; in an order that respects every prerequisite
 * (course order among lessons free to go next). Minutes are the author's estimate
 * scaled by the learner's measured speed, less time already spent in a started lesson.
 */
export function planPath(
  lessons: readonly CourseLesson[],
  signals: LearnerSignals,
  goal: Goal,
  pace: Pace,
  activeSeconds: ReadonlyMap<string, number>,
  today: string,
): LearningPath {
  const bySlug = new Map(lessons.map((l) => [l.slug, l]));
  const targets = goalLessons(lessons, goal);
  const why = new Map<string, string>();
  const needed = new Map<string, CourseLesson>();
  const targetReason = (l: CourseLesson) =>
    goal.type === 'lesson'
      ? 'Your goal'
      : goal.type === 'part'
        ? `Part of your goal: ${l.partTitle}`
        : `Teaches ${signals.concepts.get(goal.id)?.title ?? goal.id}, your goal`;
  const visit = (lesson: CourseLesson, reason: string) => {
    if (needed.has(lesson.slug) || done(lesson, signals)) return;
    needed.set(lesson.slug, lesson);
    why.set(lesson.slug, reason);
    for (const p of lesson.prerequisites) {
      const prerequisite = bySlug.get(p);
      if (prerequisite) visit(prerequisite, `Needed before ${lesson.title}`);
    }
  };
  for (const target of targets) visit(target, targetReason(target));
  // A target reached first as another target's prerequisite still says it is the goal.
  for (const target of targets) if (needed.has(target.slug)) why.set(target.slug, targetReason(target));

  // Kahn's algorithm over the needed lessons, taking the earliest in course order each
  // time (a min-heap by position): O(n log n) in the path's length.
  const order: CourseLesson[] = [];
  const waiting = new Map<string, number>();
  const dependents = new Map<string, CourseLesson[]>();
  const ready = new MinHeap<CourseLesson>((a, b) => a.position - b.position);
  for (const lesson of needed.values()) {
    const inPath = lesson.prerequisites.filter((p) => needed.has(p));
    waiting.set(lesson.slug, inPath.length);
    for (const p of inPath) dependents.set(p, [...(dependents.get(p) ?? []), lesson]);
    if (inPath.length === 0) ready.push(lesson);
  }
  // Prerequisite cycles are refused at push, so every needed lesson becomes ready.
  for (let next = ready.pop(); next; next = ready.pop()) {
    order.push(next);
    for (const dependent of dependents.get(next.slug) ?? []) {
      const left = (waiting.get(dependent.slug) ?? 1) - 1;
      waiting.set(dependent.slug, left);
      if (left === 0) ready.push(dependent);
    }
  }

  const steps = order.map((l) => {
    const spent = (activeSeconds.get(l.slug) ?? 0) / 60;
    return {
      lessonSlug: l.slug,
      title: l.title,
      minutes: Math.max(1, Math.ceil(l.minutes * pace.speed - spent)),
      reason: why.get(l.slug) ?? 'Your goal',
    };
  });
  const totalMinutes = steps.reduce((n, s) => n + s.minutes, 0);
  const daysNeeded = totalMinutes === 0 ? 0 : Math.ceil(totalMinutes / pace.minutesPerDay);
  const reachableByTarget = goal.targetDate === null ? null : daysNeeded <= daysBetween(today, goal.targetDate) + 1;
  return { steps, totalMinutes, daysNeeded, reachableByTarget };
}

/** Whole days from one ISO date to another (negative when the second is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(to.slice(0, 10)) - Date.parse(from.slice(0, 10))) / 86_400_000);
}

/** Fewest active days before measured activity sets the pace. */
const MIN_ACTIVE_DAYS = 3;
/** Fewest completed lessons before measured speed replaces the author's estimates. */
const MIN_TIMED_LESSONS = 2;
const DEFAULT_MINUTES_PER_DAY = 30;

/**
 * The learner's usual pace: mean active minutes per active day when there are enough
 * such days, else the session length they gave at onboarding, else 30 minutes; speed
 * from completed lessons' measured time against the author's minutes (clamped 0.5–3).
 */
export function usualPace(
  days: readonly { activeSeconds: number }[],
  sessionMinutes: number | null,
  timed: readonly { activeSeconds: number; minutes: number }[],
): Pace {
  const active = days.filter((d) => d.activeSeconds > 0);
  const measured = timed.filter((t) => t.activeSeconds > 0);
  const speed =
    measured.length >= MIN_TIMED_LESSONS
      ? Math.min(
          3,
          Math.max(0.5, measured.reduce((n, t) => n + t.activeSeconds / 60, 0) / measured.reduce((n, t) => n + t.minutes, 0)),
        )
      : 1;
  if (active.length >= MIN_ACTIVE_DAYS) {
    const minutes = active.reduce((n, d) => n + d.activeSeconds, 0) / 60 / active.length;
    return { minutesPerDay: Math.max(5, Math.round(minutes)), speed, source: 'activity' };
  }
  if (sessionMinutes !== null) return { minutesPerDay: sessionMinutes, speed, source: 'onboarding' };
  return { minutesPerDay: DEFAULT_MINUTES_PER_DAY, speed, source: 'default' };
}

/** A binary min-heap. */
class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly before: (a: T, b: T) => number) {}

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.before(items[i] as T, items[parent] as T) >= 0) break;
      [items[i], items[parent]] = [items[parent] as T, items[i] as T];
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < items.length && this.before(items[left] as T, items[least] as T) < 0) least = left;
      if (right < items.length && this.before(items[right] as T, items[least] as T) < 0) least = right;
      if (least === i) return top;
      [items[i], items[least]] = [items[least] as T, items[i] as T];
      i = least;
    }
  }
}

/** Minutes one quiz or review answer takes, for turning answers into study time. */
export const ANSWER_MINUTES = 1;
/** Answers beyond which mastery is not expected from practice alone (the model's slip keeps it below the bar). */
const MAX_ANSWERS = 40;

/** When a goal concept is expected to reach mastery. */
export interface MasteryDate {
  concept: string;
  title: string;
  pKnown: number;
  /** mastered: already; expected: by `date`; out_of_reach: not within MAX_ANSWERS answers. */
  status: 'mastered' | 'expected' | 'out_of_reach';
  /** The local date (YYYY-MM-DD) it is expected to reach mastery; null unless expected. */
  date: string | null;
  /** The path step that teaches it (null: a lesson already done). */
  lessonSlug: string | null;
  /** Correct-or-not answers expected before P(known) reaches mastery. */
  answersNeeded: number;
  /** Study minutes until then: the path up to its lesson, then the answers. */
  minutes: number;
}

/**
 * Answers a learner at `pKnown` is expected to need before P(known) reaches mastery,
 * following the expected BKT update (each answer right with the model's chance of a
 * right answer); null past MAX_ANSWERS.
 */
export function answersToMastery(pKnown: number, params: BktParams): number | null {
  let p = pKnown;
  for (let n = 0; n <= MAX_ANSWERS; n++) {
    if (p >= MASTERY_THRESHOLDS.mastered) return n;
    const right = bktPredictCorrect(p, params);
    p = right * bktUpdate(p, true, params) + (1 - right) * bktUpdate(p, false, params);
  }
  return null;
}

/**
 * The expected mastery date of each goal concept (the goal itself for a concept goal,
 * else those its lessons assess) at the learner's pace: the path's minutes up to the
 * first step that teaches it, then ANSWER_MINUTES per answer it needs
 * (`answersToMastery`), in study days of `pace.minutesPerDay` from `today`.
 */
export function masteryDates(
  lessons: readonly CourseLesson[],
  goal: Pick<Goal, 'type' | 'id'>,
  path: Pick<LearningPath, 'steps'>,
  concepts: readonly { concept: string; title: string; params: BktParams }[],
  signals: Pick<LearnerSignals, 'concepts'>,
  pace: Pace,
  today: string,
): MasteryDate[] {
  const byId = new Map(concepts.map((c) => [c.concept, c]));
  const bySlug = new Map(lessons.map((l) => [l.slug, l]));
  const wanted = goal.type === 'concept' ? [goal.id] : [...new Set(goalLessons(lessons, goal).flatMap((l) => l.assessed))];
  return wanted.flatMap((id): MasteryDate[] => {
    const c = byId.get(id);
    if (!c) return [];
    const pKnown = signals.concepts.get(id)?.pKnown ?? c.params.prior;
    const base = { concept: id, title: c.title, pKnown };
    if (pKnown >= MASTERY_THRESHOLDS.mastered) {
      return [{ ...base, status: 'mastered' as const, date: null, lessonSlug: null, answersNeeded: 0, minutes: 0 }];
    }
    const step = path.steps.findIndex((s) => {
      const lesson = bySlug.get(s.lessonSlug);
      return lesson !== undefined && (lesson.assessed.includes(id) || lesson.concepts.includes(id));
    });
    const lessonSlug = path.steps[step]?.lessonSlug ?? null;
    const answers = answersToMastery(pKnown, c.params);
    if (answers === null) {
      return [{ ...base, status: 'out_of_reach' as const, date: null, lessonSlug, answersNeeded: MAX_ANSWERS, minutes: 0 }];
    }
    const minutes = path.steps.slice(0, step + 1).reduce((sum, s) => sum + s.minutes, 0) + answers * ANSWER_MINUTES;
    const days = Math.max(1, Math.ceil(minutes / pace.minutesPerDay));
    const date = new Date(Date.parse(today.slice(0, 10)) + (days - 1) * 86_400_000).toISOString().slice(0, 10);
    return [{ ...base, status: 'expected' as const, date, lessonSlug, answersNeeded: answers, minutes }];
  });
}
