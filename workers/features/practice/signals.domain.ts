import type { Category } from './plan.domain';

/** What the learner did with one task of a past plan. */
export interface PastTask {
  variationId: string;
  category: Category;
  /** The variation group and difficulty (plans stored before they were kept have neither). */
  group?: string | undefined;
  difficulty?: number | undefined;
  status: string;
  outcome?: { rating?: number; skipReason?: string };
}

/** What the planner learns from past plans. */
export interface PracticeSignals {
  /** Variations completed before, with their mean rating (null when never rated). */
  done: Map<string, number | null>;
  /** Variations offered before on a day the learner practised (whatever came of them). */
  seen: Set<string>;
  /** How much the learner takes to each category, variation group and variation, in [0, 1]. */
  affinity: Partial<Record<Category, number>>;
  groupLiking: Map<string, number>;
  liking: Map<string, number>;
  /** The difficulty (1-5) the learner is comfortable with. */
  comfort: number;
  /** The chance the learner completes a task of this variation if offered (see `practiceSignals`). */
  completionChance: (v: { id: string; group: string; category: Category }) => number;
}

/** Course-wide share of tasks completed (over completed and skipped), overall and per category: what similar learners did. */
export interface CompletionRates {
  overall: number | null;
  categories: Partial<Record<Category, number>>;
}

/** The share of offered tasks completed assumed before any learner's outcome is known. */
const DEFAULT_COMPLETION = 0.6;
/** Pseudo-observations behind the completion chance: the learner's overall rate at the course's, a category's at its prior, a group's at its category, a variation's at its group. */
const COMPLETION_PRIOR = { learner: 5, category: 4, group: 2, variation: 1 } as const;

/** Pseudo-observations behind each level: a category's affinity at 0.5, a group's at its category, a variation's at its group. */
const PRIOR = { category: 5, group: 2, variation: 1 } as const;
/** The comfortable difficulty before any evidence, and its weight in pseudo-observations. */
const COMFORT_PRIOR = { value: 2.5, weight: 3 } as const;

/**
 * What a task's outcome says of how much the learner takes to it, in [0, 1], or null
 * when it says nothing: a completion counts its rating over 5 (0.7 unrated); a skip for
 * lack of time says nothing; too hard or too easy is mostly the difficulty's fault
 * (0.4); not interested, or a swap, counts low; a task left open on a day the learner
 * practised counts 0.3.
 */
function valueOf(task: PastTask): number | null {
  if (task.status === 'completed') return task.outcome?.rating === undefined ? 0.7 : task.outcome.rating / 5;
  if (task.status === 'open') return 0.3;
  if (task.status === 'swapped') return 0.2;
  const reason = task.outcome?.skipReason;
  if (reason === 'no_time') return null;
  if (reason === 'too_hard' || reason === 'too_easy') return 0.4;
  return 0.1;
}

const mean = (list: readonly number[]) => list.reduce((a, b) => a + b, 0) / list.length;

/**
 * The tasks of past plans that say something of the learner: those of days they did
 * something with their plan (a day left untouched says nothing of its tasks).
 */
export function answeredTasks<T extends PastTask>(plans: readonly { items: readonly T[] }[]): T[] {
  return plans.filter((p) => p.items.some((i) => i.status !== 'open')).flatMap((p) => p.items);
}

/**
 * What past tasks say of the learner, smoothed level by level so a few outcomes cannot
 * swing it: category affinity towards 0.5 (5 pseudo-observations), a group's liking
 * towards its category's (2), a variation's towards its group's (1). The comfortable
 * difficulty starts at 2.5 (weight 3) and moves with the difficulty of tasks completed,
 * one less than a task skipped as too hard and one more than one skipped as too easy.
 */
export function practiceSignals(tasks: readonly PastTask[], course?: CompletionRates): PracticeSignals {
  const byCategory = new Map<Category, number[]>();
  const byGroup = new Map<string, { category: Category; values: number[] }>();
  const byVariation = new Map<string, { group: string | undefined; category: Category; values: number[] }>();
  const ratings = new Map<string, number[]>();
  const seen = new Set<string>();
  const comfort: number[] = [];
  for (const task of tasks) {
    seen.add(task.variationId);
    if (task.status === 'completed') {
      const list = ratings.get(task.variationId) ?? [];
      if (task.outcome?.rating !== undefined) list.push(task.outcome.rating);
      ratings.set(task.variationId, list);
    }
    if (task.difficulty !== undefined) {
      const reason = task.outcome?.skipReason;
      if (task.status === 'completed' && (task.outcome?.rating ?? 3) >= 3) comfort.push(task.difficulty);
      else if (task.status === 'skipped' && reason === 'too_hard') comfort.push(task.difficulty - 1);
      else if (task.status === 'skipped' && reason === 'too_easy') comfort.push(task.difficulty + 1);
    }
    const value = valueOf(task);
    if (value === null) continue;
    byCategory.set(task.category, [...(byCategory.get(task.category) ?? []), value]);
    if (task.group !== undefined) {
      const group = byGroup.get(task.group) ?? { category: task.category, values: [] };
      group.values.push(value);
      byGroup.set(task.group, group);
    }
    const variation = byVariation.get(task.variationId) ?? { group: task.group, category: task.category, values: [] };
    variation.values.push(value);
    byVariation.set(task.variationId, variation);
  }
  const smooth = (prior: number, weight: number, values: readonly number[]) =>
    (prior * weight + values.reduce((a, b) => a + b, 0)) / (weight + values.length);
  const affinity: Partial<Record<Category, number>> = Object.fromEntries(
    [...byCategory].map(([category, values]) => [category, smooth(0.5, PRIOR.category, values)]),
  );
  const groupLiking = new Map(
    [...byGroup].map(([group, g]) => [group, smooth(affinity[g.category] ?? 0.5, PRIOR.group, g.values)]),
  );
  const liking = new Map(
    [...byVariation].map(([id, v]) => {
      const prior = (v.group === undefined ? undefined : groupLiking.get(v.group)) ?? affinity[v.category] ?? 0.5;
      return [id, smooth(prior, PRIOR.variation, v.values)];
    }),
  );
  return {
    done: new Map([...ratings].map(([id, list]) => [id, list.length ? mean(list) : null])),
    seen,
    affinity,
    groupLiking,
    liking,
    comfort: smooth(COMFORT_PRIOR.value, COMFORT_PRIOR.weight, comfort),
    completionChance: completionChances(tasks, course),
  };
}

/**
 * The chance the learner completes an offered task, from their history and similar learners':
 * empirical Bayes down a hierarchy of completion rates (completed 1; skipped, or left open on a
 * day they practised, 0; swapped says nothing). The learner's overall rate leans on the course's
 * (5 pseudo-tasks); a category starts from the course's rate for it scaled by how the learner
 * compares with the course overall (4), a group from its category (2), a variation from its group (1).
 */
function completionChances(tasks: readonly PastTask[], course?: CompletionRates) {
  const outcomes = tasks.flatMap((t) => (t.status === 'swapped' ? [] : [{ task: t, done: t.status === 'completed' ? 1 : 0 }]));
  const rate = (prior: number, weight: number, list: readonly { done: number }[]) =>
    (prior * weight + list.reduce((n, o) => n + o.done, 0)) / (weight + list.length);
  const clamp = (x: number) => Math.min(0.98, Math.max(0.02, x));
  // Kept off 0 and 1: a course where every outcome so far was a skip still leaves a chance.
  const courseOverall = clamp(course?.overall ?? DEFAULT_COMPLETION);
  const learner = rate(courseOverall, COMPLETION_PRIOR.learner, outcomes);
  const categoryPrior = (c: Category) => clamp(((course?.categories[c] ?? courseOverall) * learner) / courseOverall);
  const byCategory = new Map<Category, number>();
  const category = (c: Category) => {
    const found = byCategory.get(c);
    if (found !== undefined) return found;
    const made = rate(
      categoryPrior(c),
      COMPLETION_PRIOR.category,
      outcomes.filter((o) => o.task.category === c),
    );
    byCategory.set(c, made);
    return made;
  };
  return (v: { id: string; group: string; category: Category }) => {
    const group = rate(
      category(v.category),
      COMPLETION_PRIOR.group,
      outcomes.filter((o) => o.task.group === v.group),
    );
    return rate(
      group,
      COMPLETION_PRIOR.variation,
      outcomes.filter((o) => o.task.variationId === v.id),
    );
  };
}
