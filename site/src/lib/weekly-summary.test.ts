import { describe, expect, it } from 'vitest';
import type { WeeklySummary } from './api';
import { bestTimeText, categoryLines, dayChart, doneOf, isEmptyWeek, reviewsText, weekday, weekRange } from './weekly-summary';

const DAYS = ['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29'];

function summary(overrides: Partial<WeeklySummary> = {}): WeeklySummary {
  return {
    week: '2026-W48',
    start: '2026-11-23',
    end: '2026-11-29',
    timeZone: 'Europe/London',
    builtAt: '2026-11-30T01:00:00Z',
    complete: true,
    minutes: 85,
    activeMinutes: 40,
    days: DAYS.map((date, i) => ({ date, planned: 4, completed: i % 2, minutes: i * 5 })),
    tasks: {
      planned: 28,
      completed: 3,
      skipped: 2,
      byCategory: [
        { category: 'review', planned: 4, completed: 3 },
        { category: 'learn', planned: 2, completed: 0 },
        { category: 'apply', planned: 0, completed: 0 },
      ],
    },
    streak: 2,
    concepts: { mastered: [], slipping: [] },
    reviews: { done: 12, overdue: 0, keptUp: true },
    bestTime: { value: 'evening', sessions: { morning: 1, afternoon: 0, evening: 4, night: 0 } },
    insights: [
      { text: 'You did 3 of 28 tasks.', numbers: { completed: 3, planned: 28 } },
      { text: 'Evenings suit you.', numbers: { evening: 4 } },
    ],
    ...overrides,
  };
}

describe('weekRange and weekday', () => {
  it('names the week by its days, the unfinished one "so far"', () => {
    expect(weekRange(summary())).toBe('Nov 23 – Nov 29');
    expect(weekRange(summary({ complete: false }))).toBe('Nov 23 – Nov 29 (so far)');
    expect(DAYS.map(weekday)).toEqual(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);
  });
});

describe('isEmptyWeek', () => {
  it('is empty with nothing done, reviewed or read', () => {
    const nothing = summary({ tasks: { planned: 5, completed: 0, skipped: 0, byCategory: [] }, activeMinutes: 0 });
    expect(isEmptyWeek({ ...nothing, reviews: { done: 0, overdue: 0, keptUp: true } })).toBe(true);
    expect(isEmptyWeek({ ...nothing, reviews: { done: 1, overdue: 0, keptUp: true } })).toBe(false);
    expect(isEmptyWeek(summary())).toBe(false);
  });
});

describe('the numbers in words', () => {
  it('lists the planned categories, never a bare zero before "of"', () => {
    expect(categoryLines(summary().tasks.byCategory)).toEqual(['Review: 3 of 4 done', 'Learn: none of 2 done']);
    expect(doneOf(0, 3)).toBe('none of 3');
  });

  it.each([
    [{ done: 12, overdue: 0, keptUp: true }, '12 reviews done, none overdue'],
    [{ done: 1, overdue: 3, keptUp: false }, '1 review done; 3 still overdue'],
    [{ done: 0, overdue: 0, keptUp: true }, 'None due'],
  ])('says how reviews went: %j', (reviews, text) => {
    expect(reviewsText(reviews)).toBe(text);
  });

  it('names the best time with its days, or nothing', () => {
    expect(bestTimeText(summary().bestTime)).toBe('Evening (4 days)');
    expect(bestTimeText({ value: null, sessions: { morning: 0, afternoon: 0, evening: 0, night: 0 } })).toBeNull();
  });
});

describe('dayChart', () => {
  it('draws one bar per day, Monday first, scaled to a round number of minutes', () => {
    const { bars, max } = dayChart(summary().days, { width: 360, height: 150, left: 34, bottom: 22, top: 8, gap: 0.35 });
    expect(bars.map((b) => b.week)).toEqual(DAYS);
    expect(max).toBe(30 * 60);
    expect(bars[0]?.height).toBe(0);
    expect(bars[6]?.height).toBe(120);
  });
});
