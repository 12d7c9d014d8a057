/** The dashboard's "Your week": a weekly summary as sentences, and its seven days as bar geometry. */
import type { WeeklySummary } from './api';
import { formatDay, plural } from './format';
import { CATEGORY_LABELS, TIME_OF_DAY_LABELS } from './today';
import { weekChart, type ChartBox, type WeekChart } from './week-chart';

type Day = WeeklySummary['days'][number];

/** "Nov 23 – Nov 29", and "so far" for the week that has not ended. */
export function weekRange(summary: Pick<WeeklySummary, 'start' | 'end' | 'complete'>): string {
  return `${formatDay(summary.start)} – ${formatDay(summary.end)}${summary.complete ? '' : ' (so far)'}`;
}

/** "Mon" for a calendar day (`YYYY-MM-DD`), whatever the reader's zone. */
export function weekday(day: string): string {
  return new Intl.DateTimeFormat('en', { weekday: 'short', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));
}

/** Nothing happened in the week: no task done, no review, no time on lessons. The dashboard then says so in words. */
export function isEmptyWeek(summary: Pick<WeeklySummary, 'tasks' | 'reviews' | 'activeMinutes'>): boolean {
  return summary.tasks.completed === 0 && summary.reviews.done === 0 && summary.activeMinutes === 0;
}

/**
 * The seven days as bars of minutes of tasks done, laid out by the same geometry as
 * the weekly time chart (its `week` is the day, its seconds the day's minutes).
 */
export function dayChart(days: readonly Day[], box: ChartBox): WeekChart {
  return weekChart(
    days.map((d) => ({ week: d.date, activeSeconds: d.minutes * 60 })),
    box,
  );
}

/** "3 of 4", or "none of 4" (a zero before "of" reads as a score). */
export function doneOf(completed: number, planned: number): string {
  return `${completed === 0 ? 'none' : completed} of ${planned}`;
}

/** Tasks by category, planned ones only, in the API's order: "Review: 3 of 4 done". */
export function categoryLines(byCategory: WeeklySummary['tasks']['byCategory']): string[] {
  return byCategory
    .filter((c) => c.planned > 0)
    .map((c) => `${CATEGORY_LABELS[c.category]}: ${doneOf(c.completed, c.planned)} done`);
}

/** "12 reviews done, none overdue", "4 reviews done; 3 still overdue", "None due". */
export function reviewsText(reviews: WeeklySummary['reviews']): string {
  if (reviews.done === 0 && reviews.overdue === 0) return 'None due';
  const done = plural(reviews.done, 'review');
  if (reviews.keptUp || reviews.overdue === 0) return `${done} done, none overdue`;
  return `${done} done; ${reviews.overdue} still overdue`;
}

/** "Evening (4 days)", or null when no time of day stood out. */
export function bestTimeText(bestTime: WeeklySummary['bestTime']): string | null {
  if (!bestTime.value) return null;
  const days = bestTime.sessions[bestTime.value] ?? 0;
  return `${TIME_OF_DAY_LABELS[bestTime.value]} (${plural(days, 'day')})`;
}
