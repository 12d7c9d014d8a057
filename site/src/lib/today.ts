/** The Today page's logic: labels, where a task is done, progress and the device's time zone. */
import { isTimeZone } from '../../../workers/platform/time-zone';
import {
  lessonHref,
  type Plan,
  type PlanCategory,
  type PlanItem,
  type PlanItemStatus,
  type SkipReason,
  type TimeOfDay,
} from './api';
import { plural } from './format';
import { QUIZ_ANCHOR, REVIEWS_HREF } from './recommendations';

export const TODAY_PATH = '/today/';
/** Where quizzes are suggested when a practice task names no lesson. */
export const RECOMMENDED_HREF = '/dashboard/#recommended';

export const CATEGORY_LABELS: Record<PlanCategory, string> = {
  review: 'Review',
  learn: 'Learn',
  practice: 'Practice',
  apply: 'Apply',
  reflect: 'Reflect',
  'warm-up': 'Warm-up',
};

/** The reasons a learner can give for a skip, in the order offered. */
export const SKIP_REASON_LABELS: Record<SkipReason, string> = {
  no_time: 'No time today',
  too_hard: 'Too hard for now',
  too_easy: 'Too easy',
  not_interested: 'Not for me',
  other: 'Another reason',
};
export const SKIP_REASONS = Object.keys(SKIP_REASON_LABELS) as SkipReason[];

export const PHASE_LABELS: Record<Plan['phase'], string> = {
  discovery: 'Discovery',
  establishment: 'Establishing',
  mastery: 'Mastery',
};
export const MODE_LABELS: Record<Plan['mode'], string> = { light: 'Light day', standard: 'Standard day', intense: 'Intense day' };
export const ARCHETYPE_LABELS: Record<Plan['archetype'], string> = {
  sprinter: 'Sprinter',
  builder: 'Builder',
  diver: 'Deep diver',
  explorer: 'Explorer',
};
export const TIME_OF_DAY_LABELS: Record<TimeOfDay, string> = {
  morning: 'Morning',
  afternoon: 'Afternoon',
  evening: 'Evening',
  night: 'Late evening',
};
export const TIMES_OF_DAY = Object.keys(TIME_OF_DAY_LABELS) as TimeOfDay[];

export const STATUS_LABELS: Record<PlanItemStatus, string> = { open: 'To do', completed: 'Done', skipped: 'Skipped' };

/**
 * Where a task is done, or null for one done away from the site: reviews in the
 * dashboard's review flow, a lesson's quiz for quiz answers, the bound lesson otherwise (under
 * `course`'s address, the plan's).
 */
export function taskHref(item: Pick<PlanItem, 'category' | 'binding' | 'completes'>, course: string): string | null {
  const { lessonSlug } = item.binding;
  if (item.completes.kind === 'reviews' || item.category === 'review') return REVIEWS_HREF;
  if (item.completes.kind === 'quiz_answers')
    return lessonSlug ? `${lessonHref(lessonSlug, course)}#${QUIZ_ANCHOR}` : RECOMMENDED_HREF;
  return lessonSlug ? lessonHref(lessonSlug, course) : null;
}

/** How the site notices a task is done: ticked by the learner, or on its own once the lesson, reviews or answers are. */
export function completionHint(item: Pick<PlanItem, 'completes'>): string | null {
  switch (item.completes.kind) {
    case 'lesson':
      return 'Ticks itself once you complete the lesson.';
    case 'reviews':
      return `Ticks itself after ${plural(item.completes.count, 'review')}.`;
    case 'quiz_answers':
      return `Ticks itself after ${plural(item.completes.count, 'quiz answer')}.`;
    case 'check_off':
      return null;
  }
}

export interface PlanProgress {
  total: number;
  done: number;
  skipped: number;
  minutes: number;
  minutesDone: number;
}

export function planProgress(items: readonly Pick<PlanItem, 'status' | 'minutes'>[]): PlanProgress {
  const done = items.filter((i) => i.status === 'completed');
  return {
    total: items.length,
    done: done.length,
    skipped: items.filter((i) => i.status === 'skipped').length,
    minutes: items.reduce((sum, i) => sum + i.minutes, 0),
    minutesDone: done.reduce((sum, i) => sum + i.minutes, 0),
  };
}

/** "2 of 5 tasks done · 20 of 45 min · 1 skipped". */
export function progressText({ total, done, skipped, minutes, minutesDone }: PlanProgress): string {
  const parts = [`${done} of ${plural(total, 'task')} done`, `${minutesDone} of ${minutes} min`];
  if (skipped > 0) parts.push(`${skipped} skipped`);
  return parts.join(' · ');
}

/** The plan with one task's status changed (shown at once, while the feedback is on its way). */
export function withStatus(plan: Plan, itemId: string, status: PlanItemStatus): Plan {
  return { ...plan, items: plan.items.map((item) => (item.id === itemId ? { ...item, status } : item)) };
}

/**
 * A fresh plan from the API with the statuses still being sent kept as shown: a
 * refetch that lands before a feedback must not flip a task back.
 */
export function keepPending(plan: Plan, pending: ReadonlyMap<string, PlanItemStatus>): Plan {
  return pending.size === 0
    ? plan
    : { ...plan, items: plan.items.map((item) => ({ ...item, status: pending.get(item.id) ?? item.status })) };
}

/** The device's IANA time zone, or null when the browser names none this runtime accepts. */
export function deviceTimeZone(): string | null {
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    return zone && isTimeZone(zone) ? zone : null;
  } catch {
    return null;
  }
}

/** The zones to offer: every zone the browser knows, plus the ones given (the stored one may be an alias). */
export function timeZoneChoices(...extra: (string | null | undefined)[]): string[] {
  let known: string[] = [];
  try {
    known = Intl.supportedValuesOf('timeZone');
  } catch {
    // An older browser: the field still takes any zone typed in, checked before saving.
  }
  const zones = new Set([...known, ...extra.filter((z): z is string => typeof z === 'string' && z !== ''), 'UTC']);
  return [...zones].sort((a, b) => a.localeCompare(b));
}

export { isTimeZone };
