import { describe, expect, it } from 'vitest';
import { addDays, insightsOf, isoWeek, localMidnight, weekMonday, weeklySummary, type WeekInputs } from './summary.domain';

describe('weeks and local midnights', () => {
  it.each([
    ['2026-12-03', '2026-W49'],
    ['2026-11-30', '2026-W49'],
    ['2026-12-06', '2026-W49'],
    ['2021-01-03', '2020-W53'],
    ['2024-12-30', '2025-W01'],
    ['2026-01-01', '2026-W01'],
  ])('puts %s in ISO week %s, whose Monday comes back from the week', (date, week) => {
    expect(isoWeek(date)).toBe(week);
    const monday = weekMonday(week);
    expect(new Date(`${monday}T00:00:00Z`).getUTCDay()).toBe(1);
    expect(date >= monday && date <= addDays(monday, 6)).toBe(true);
  });

  it.each([
    ['2026-12-07', 'UTC', '2026-12-07T00:00:00.000Z'],
    ['2026-12-07', 'Europe/London', '2026-12-07T00:00:00.000Z'],
    ['2026-07-06', 'Europe/London', '2026-07-05T23:00:00.000Z'],
    // The Sunday clocks change in New York (2 am back to 1 am): midnight is still daylight time.
    ['2026-11-01', 'America/New_York', '2026-11-01T04:00:00.000Z'],
    ['2026-11-02', 'America/New_York', '2026-11-02T05:00:00.000Z'],
    ['2026-03-29', 'Europe/Berlin', '2026-03-28T23:00:00.000Z'],
    ['2026-03-30', 'Europe/Berlin', '2026-03-29T22:00:00.000Z'],
    ['2026-12-07', 'Pacific/Kiritimati', '2026-12-06T10:00:00.000Z'],
    ['2026-12-07', 'Asia/Kolkata', '2026-12-06T18:30:00.000Z'],
  ])('starts %s in %s at %s', (date, zone, instant) => {
    expect(localMidnight(date, zone)).toBe(instant);
  });
});

const task = (category: 'review' | 'learn' | 'apply' | 'reflect', status: string, minutes = 10) => ({
  variationId: `${category}-x`,
  category,
  status,
  minutes,
});

function inputs(overrides: Partial<WeekInputs> = {}): WeekInputs {
  return {
    week: '2026-W48',
    timeZone: 'UTC',
    builtAt: '2026-11-30T01:00:00.000Z',
    complete: true,
    today: '2026-11-30',
    plans: [
      { date: '2026-11-21', items: [task('learn', 'completed')] },
      { date: '2026-11-22', items: [task('learn', 'completed')] },
      { date: '2026-11-23', items: [task('learn', 'completed', 20), task('apply', 'skipped'), task('reflect', 'completed', 5)] },
      { date: '2026-11-24', items: [task('learn', 'open'), task('apply', 'skipped'), task('reflect', 'completed', 5)] },
      { date: '2026-11-28', items: [task('review', 'completed', 5), task('apply', 'open')] },
      { date: '2026-11-29', items: [task('review', 'completed', 5), task('reflect', 'completed', 5)] },
      // The next week: not counted.
      { date: '2026-11-30', items: [task('review', 'completed', 5)] },
    ],
    activity: ['2026-11-23T07:10:00.000Z', '2026-11-23T07:40:00.000Z', '2026-11-24T08:00:00.000Z', '2026-11-29T19:00:00.000Z'],
    activeSeconds: new Map([
      ['2026-11-23', 900],
      ['2026-11-24', 300],
      ['2026-11-30', 6000],
    ]),
    reviewsDone: 7,
    overdue: 0,
    concepts: [
      { id: 'null', title: 'NULL', pKnown: 0.97 },
      { id: 'joins', title: 'Joins', pKnown: 0.4 },
      { id: 'where', title: 'WHERE', pKnown: 0.8 },
    ],
    before: new Map([
      ['null', 0.9],
      ['joins', 0.62],
    ]),
    ...overrides,
  };
}

describe('weeklySummary', () => {
  it('counts the week’s minutes, tasks by category and day, streak, concepts, reviews and best time', () => {
    const s = weeklySummary(inputs());
    expect(s).toMatchObject({ week: '2026-W48', start: '2026-11-23', end: '2026-11-29', complete: true });
    expect(s.minutes).toBe(20 + 5 + 5 + 5 + 5 + 5);
    expect(s.activeMinutes).toBe(20);
    expect(s.days.map((d) => [d.date.slice(8), d.planned, d.completed, d.minutes])).toEqual([
      ['23', 3, 2, 25],
      ['24', 3, 1, 5],
      ['25', 0, 0, 0],
      ['26', 0, 0, 0],
      ['27', 0, 0, 0],
      ['28', 2, 1, 5],
      ['29', 2, 2, 10],
    ]);
    expect(s.tasks).toMatchObject({ planned: 10, completed: 6, skipped: 2 });
    expect(s.tasks.byCategory).toEqual([
      { category: 'review', planned: 2, completed: 2 },
      { category: 'learn', planned: 2, completed: 1 },
      { category: 'apply', planned: 3, completed: 0 },
      { category: 'reflect', planned: 3, completed: 3 },
    ]);
    // Sunday and Saturday practised; Friday not.
    expect(s.streak).toBe(2);
    expect(s.concepts.mastered.map((c) => c.id)).toEqual(['null']);
    expect(s.concepts.slipping.map((c) => c.id)).toEqual(['joins']);
    // Two mornings (one of them twice), one evening.
    expect(s.bestTime).toEqual({ value: 'morning', sessions: { morning: 2, afternoon: 0, evening: 1, night: 0 } });
    expect(s.reviews).toEqual({ done: 7, overdue: 0, keptUp: true });
  });

  it('counts a swapped task as neither planned nor done: the task that replaced it is', () => {
    const week = inputs();
    const plans = week.plans.map((p) => (p.date === '2026-11-28' ? { ...p, items: [task('learn', 'swapped'), ...p.items] } : p));
    const s = weeklySummary({ ...week, plans });
    expect(s.days.find((d) => d.date === '2026-11-28')).toMatchObject({ planned: 2, completed: 1 });
    expect(s.tasks).toMatchObject({ planned: 10, completed: 6, skipped: 2 });
    expect(s.tasks.byCategory.find((c) => c.category === 'learn')).toEqual({ category: 'learn', planned: 2, completed: 1 });
  });

  it('writes 2 to 4 insights whose numbers are the summary’s own', () => {
    const s = weeklySummary(inputs());
    expect(s.insights.length).toBeGreaterThanOrEqual(2);
    expect(s.insights.length).toBeLessThanOrEqual(4);
    expect(s.insights[0]).toEqual({
      text: 'You completed 6 of 10 tasks (60%), 45 minutes in all, on 4 days of 4 with a plan.',
      numbers: { completed: 6, planned: 10, percent: 60, minutes: 45, practisedDays: 4, plannedDays: 4 },
    });
    expect(s.insights[1]?.text).toBe(
      'Reflect tasks suit you best (3 of 3 done); apply tasks the least (0 of 3): plans will lean your way.',
    );
    // Every number a sentence names is in its numbers.
    for (const insight of s.insights) {
      for (const n of insight.text.match(/\d+/g) ?? []) expect(Object.values(insight.numbers)).toContain(Number(n));
    }
  });

  it('still says two things about an empty week, and tells overdue reviews', () => {
    const empty = weeklySummary(
      inputs({ plans: [], activity: [], activeSeconds: new Map(), reviewsDone: 0, overdue: 3, before: new Map(), concepts: [] }),
    );
    expect(empty.insights.map((i) => i.text)).toEqual([
      'No plans this week yet: open Today to get one.',
      '3 reviews went overdue (0 done): a short review task first thing helps.',
    ]);
    const quiet = insightsOf({ ...empty, reviews: { done: 0, overdue: 0, keptUp: true } });
    expect(quiet.map((i) => i.text)).toEqual([
      'No plans this week yet: open Today to get one.',
      '0 minutes reading lessons this week.',
    ]);
  });

  it('counts the week so far up to today, with a streak that holds while today is not done yet', () => {
    const s = weeklySummary(inputs({ week: '2026-W49', complete: false, today: '2026-12-01' }));
    expect(s).toMatchObject({ start: '2026-11-30', complete: false });
    expect(s.tasks.completed).toBe(1);
    expect(s.streak).toBe(3);
  });
});
