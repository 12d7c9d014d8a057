/** The learning-path page's logic: goal choices, the steps as a timeline, and the totals written out. */
import type { Book, ConceptSummary, GoalType, LearningPath, Pace, PathStep } from './api';
import { formatDate, formatDuration, plural } from './format';
export { localDay } from './format';

export const GOAL_TYPES: readonly GoalType[] = ['part', 'lesson', 'concept'];

/** The noun for each kind of goal, in the picker and in sentences ("the lesson “Inner joins”"). */
export const GOAL_NOUNS: Record<GoalType, string> = { part: 'part', lesson: 'lesson', concept: 'concept' };

export interface GoalOption {
  id: string;
  label: string;
}

/** Options under one heading; an empty label means no heading. */
export interface GoalOptionGroup {
  label: string;
  options: GoalOption[];
}

export type GoalChoices = Record<GoalType, GoalOptionGroup[]>;

/**
 * What a learner may pick as a goal: the course's parts, its lessons grouped by part,
 * and the concepts lessons teach (the API accepts only those), by name. Concept
 * names come from the concept list; a concept missing there keeps its id.
 */
export function goalChoices(book: Pick<Book, 'parts'>, concepts: readonly Pick<ConceptSummary, 'id' | 'label'>[]): GoalChoices {
  const labels = new Map(concepts.map((c) => [c.id, c.label]));
  const lessons = book.parts.flatMap((p) => p.chapters.flatMap((ch) => ch.lessons));
  const taught = [...new Set(lessons.flatMap((l) => l.concepts))];
  return {
    part: [{ label: '', options: book.parts.map((p) => ({ id: p.slug, label: p.title })) }],
    lesson: book.parts.map((p) => ({
      label: p.title,
      options: p.chapters.flatMap((ch) => ch.lessons.map((l) => ({ id: l.slug, label: l.title }))),
    })),
    concept: [
      {
        label: '',
        options: taught
          .map((id) => ({ id, label: labels.get(id) ?? id }))
          .sort((a, b) => a.label.localeCompare(b.label, 'en', { sensitivity: 'base' })),
      },
    ],
  };
}

/** "the lesson “Combining tables with inner joins”"; an id no longer in the course is shown as it is. */
export function goalName(goal: { type: GoalType; id: string }, choices: GoalChoices): string {
  const option = choices[goal.type].flatMap((g) => g.options).find((o) => o.id === goal.id);
  return `the ${GOAL_NOUNS[goal.type]} “${option?.label ?? goal.id}”`;
}

/** What the goal form holds; an empty id or date means none chosen. */
export interface GoalForm {
  type: GoalType;
  id: string;
  targetDate: string;
}

/** The form as the current goal left it, or empty (a part, nothing chosen) without one. */
export function initialGoalForm(goal: { type: GoalType; id: string; targetDate: string | null } | null): GoalForm {
  return goal ? { type: goal.type, id: goal.id, targetDate: goal.targetDate ?? '' } : { type: 'part', id: '', targetDate: '' };
}

export type GoalField = keyof GoalForm;
export type GoalFieldErrors = Partial<Record<GoalField, string>>;

/** What the form lacks before it can be sent. */
export function goalFormErrors(form: GoalForm): GoalFieldErrors {
  const errors: GoalFieldErrors = {};
  if (form.id === '') errors.id = `Choose a ${GOAL_NOUNS[form.type]}.`;
  if (form.targetDate !== '' && !/^\d{4}-\d{2}-\d{2}$/.test(form.targetDate))
    errors.targetDate = 'Enter a date, or leave it empty.';
  return errors;
}

/** The body of `PUT /api/learners/me/goal`: no target date when none was given. */
export function goalRequest(form: GoalForm): { type: GoalType; id: string; targetDate?: string } {
  return { type: form.type, id: form.id, ...(form.targetDate ? { targetDate: form.targetDate } : {}) };
}

/** Field errors of a problem (`json/id`, `json/targetDate`) by form field; the rest apart, as "field: message". */
export function goalErrorsByField(errors: readonly { field: string; message: string }[]): {
  byField: GoalFieldErrors;
  other: string[];
} {
  const byField: GoalFieldErrors = {};
  const other: string[] = [];
  for (const { field, message } of errors) {
    const name = field.replace(/^json\//, '');
    if (name === 'type' || name === 'id' || name === 'targetDate') byField[name] ??= capitalizeSentence(message);
    else other.push(`${field}: ${message}`);
  }
  return { byField, other };
}

const capitalizeSentence = (text: string) => {
  const sentence = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
};

/** Minutes as the site writes durations: "45 min", "1 h 55 min". */
export function formatMinutes(minutes: number): string {
  return formatDuration(minutes * 60);
}

export interface TimelineStep extends PathStep {
  /** Position on the path, from 1. */
  number: number;
  /** Minutes from the start of the path to the end of this step. */
  cumulativeMinutes: number;
  /** The day of study (from 1) this step ends on at the learner's pace. */
  day: number;
}

/** The steps with their running total and the study day each ends on. */
export function timeline(steps: readonly PathStep[], minutesPerDay: number): TimelineStep[] {
  const perDay = Math.max(1, minutesPerDay);
  let total = 0;
  return steps.map((step, i) => {
    total += step.minutes;
    return { ...step, number: i + 1, cumulativeMinutes: total, day: Math.max(1, Math.ceil(total / perDay)) };
  });
}

const PACE_SOURCES: Record<Pace['source'], string> = {
  activity: 'from your activity',
  onboarding: 'from your onboarding answers',
  default: 'a default, until your activity shows your own',
};

/** "7 lessons, about 1 h 55 min, ~4 days at your pace of 30 min/day (from your onboarding answers)". */
export function pathSummary(path: Pick<LearningPath, 'steps' | 'totalMinutes' | 'daysNeeded' | 'pace'>): string {
  const { steps, totalMinutes, daysNeeded, pace } = path;
  return (
    `${plural(steps.length, 'lesson')}, about ${formatMinutes(totalMinutes)}, ~${plural(daysNeeded, 'day')} ` +
    `at your pace of ${Math.round(pace.minutesPerDay)} min/day (${PACE_SOURCES[pace.source]})`
  );
}

/** A measured speed far enough from the author's estimates to mention, or null. */
export function speedNote(speed: number): string | null {
  if (!Number.isFinite(speed) || Math.abs(speed - 1) < 0.1) return null;
  const times = Math.round(speed * 10) / 10;
  return `Lessons take you about ${times}× the time their authors estimate, so the minutes below are scaled to match.`;
}

/** Whole days from one `YYYY-MM-DD` to another (negative when the second is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export type Reach =
  | { status: 'no-date' }
  | {
      status: 'reachable' | 'unreachable';
      targetDate: string;
      /** Days of study left before the target, today and the target day included. */
      daysLeft: number;
      /** Minutes a day that would fit the path into the days left; null once the date has passed. */
      minutesPerDayNeeded: number | null;
    };

/** The API's verdict on the target date, with the numbers that explain it. */
export function reach(path: Pick<LearningPath, 'goal' | 'totalMinutes' | 'reachableByTarget'>, today: string): Reach {
  const targetDate = path.goal?.targetDate ?? null;
  if (targetDate === null || path.reachableByTarget === null) return { status: 'no-date' };
  const daysLeft = Math.max(0, daysBetween(today, targetDate) + 1);
  return {
    status: path.reachableByTarget ? 'reachable' : 'unreachable',
    targetDate,
    daysLeft,
    minutesPerDayNeeded: daysLeft > 0 ? Math.ceil(path.totalMinutes / daysLeft) : null,
  };
}

/** The flag shown above the steps: a headline and a sentence that explains it. */
export function reachText(
  verdict: Exclude<Reach, { status: 'no-date' }>,
  path: Pick<LearningPath, 'daysNeeded' | 'pace'>,
): { title: string; detail: string } {
  const date = formatDate(verdict.targetDate);
  const pace = `${Math.round(path.pace.minutesPerDay)} min a day`;
  const left = `you have ${plural(verdict.daysLeft, 'day')} left, today included`;
  if (verdict.status === 'reachable') {
    return {
      title: `Reachable by ${date} at your pace.`,
      detail: `It needs ~${plural(path.daysNeeded, 'day')} of study at ${pace}, and ${left}.`,
    };
  }
  if (verdict.minutesPerDayNeeded === null) {
    return { title: `Not reachable by ${date}: that day has passed.`, detail: 'Choose a later target date.' };
  }
  return {
    title: `Not reachable by ${date} at your pace.`,
    detail:
      `It needs ~${plural(path.daysNeeded, 'day')} of study at ${pace}, and ${left}. ` +
      `Study about ${formatMinutes(verdict.minutesPerDayNeeded)} a day to make it, or choose a later date.`,
  };
}
