import { describe, expect, it } from 'vitest';
import type { Book, LearningPath, PathStep } from './api';
import {
  daysBetween,
  goalChoices,
  goalErrorsByField,
  goalFormErrors,
  goalName,
  goalRequest,
  initialGoalForm,
  localDay,
  pathSummary,
  reach,
  reachText,
  speedNote,
  timeline,
} from './learning-path';

type Part = Book['parts'][number];
type Lesson = Part['chapters'][number]['lessons'][number];

function lesson(slug: string, title: string, concepts: string[] = []): Lesson {
  return {
    slug,
    title,
    layer: 'L1',
    prerequisites: [],
    concepts,
    minutes: 15,
    difficulty: 1,
    summary: '',
    contentHash: '0'.repeat(64),
  };
}

function part(slug: string, title: string, lessons: Lesson[]): Part {
  return { slug, title, summary: '', chapters: [{ slug: `${slug}-chapter`, title: 'Chapter', summary: '', lessons }] };
}

const BOOK = {
  parts: [
    part('foundations', 'Foundations', [
      lesson('relational-model', 'Thinking in relations', ['relation', 'null']),
      lesson('data-types-and-null', 'Data types and NULL', ['null', 'data-type']),
    ]),
    part('applied', 'Applied querying', [lesson('inner-joins', 'Combining tables with inner joins', ['inner-join'])]),
  ],
};
const CONCEPTS = [
  { id: 'null', label: 'Null' },
  { id: 'relation', label: 'Relation' },
  { id: 'inner-join', label: 'Inner join' },
  { id: 'sqlite', label: 'SQLite' },
];

function step(overrides: Partial<PathStep> = {}): PathStep {
  return {
    lessonSlug: 'inner-joins',
    title: 'Combining tables with inner joins',
    minutes: 16,
    reason: 'Your goal',
    ...overrides,
  };
}

function path(overrides: Partial<LearningPath> = {}): LearningPath {
  return {
    course: 'sql',
    goal: { type: 'lesson', id: 'inner-joins', targetDate: null, source: 'goal' },
    status: 'on_the_way',
    message: '2 lessons to your goal.',
    steps: [
      step({
        lessonSlug: 'data-types-and-null',
        title: 'Data types and NULL',
        reason: 'Needed before Filtering rows with WHERE',
      }),
      step({ lessonSlug: 'creating-tables', title: 'Creating and dropping tables', minutes: 17, reason: 'Needed before INSERT' }),
      step(),
    ],
    totalMinutes: 115,
    daysNeeded: 4,
    reachableByTarget: null,
    pace: { minutesPerDay: 30, speed: 1, source: 'onboarding' },
    concepts: [],
    ...overrides,
  };
}

describe('goalChoices', () => {
  const choices = goalChoices(BOOK, CONCEPTS);

  it('offers the parts, and the lessons grouped under their part', () => {
    expect(choices.part).toEqual([
      {
        label: '',
        options: [
          { id: 'foundations', label: 'Foundations' },
          { id: 'applied', label: 'Applied querying' },
        ],
      },
    ]);
    expect(choices.lesson.map((g) => [g.label, g.options.map((o) => o.id)])).toEqual([
      ['Foundations', ['relational-model', 'data-types-and-null']],
      ['Applied querying', ['inner-joins']],
    ]);
  });

  it('offers only concepts lessons teach, each once, by name, with the id when the name is unknown', () => {
    expect(choices.concept[0]?.options).toEqual([
      { id: 'data-type', label: 'data-type' },
      { id: 'inner-join', label: 'Inner join' },
      { id: 'null', label: 'Null' },
      { id: 'relation', label: 'Relation' },
    ]);
  });

  it('names a goal by its title, and by its id once the course no longer has it', () => {
    expect(goalName({ type: 'lesson', id: 'inner-joins' }, choices)).toBe('the lesson “Combining tables with inner joins”');
    expect(goalName({ type: 'part', id: 'foundations' }, choices)).toBe('the part “Foundations”');
    expect(goalName({ type: 'concept', id: 'gone' }, choices)).toBe('the concept “gone”');
  });
});

describe('the goal form', () => {
  it('starts from the current goal, or empty without one', () => {
    expect(initialGoalForm({ type: 'lesson', id: 'inner-joins', targetDate: '2026-12-01' })).toEqual({
      type: 'lesson',
      id: 'inner-joins',
      targetDate: '2026-12-01',
    });
    expect(initialGoalForm({ type: 'part', id: 'foundations', targetDate: null })).toEqual({
      type: 'part',
      id: 'foundations',
      targetDate: '',
    });
    expect(initialGoalForm(null)).toEqual({ type: 'part', id: '', targetDate: '' });
  });

  it('asks for the item before sending', () => {
    expect(goalFormErrors({ type: 'concept', id: '', targetDate: '' })).toEqual({ id: 'Choose a concept.' });
    expect(goalFormErrors({ type: 'lesson', id: 'inner-joins', targetDate: '2026-11-23' })).toEqual({});
    expect(goalFormErrors({ type: 'lesson', id: 'inner-joins', targetDate: '23/11/2026' })).toEqual({
      targetDate: 'Enter a date, or leave it empty.',
    });
  });

  it('sends a target date only when one was given', () => {
    expect(goalRequest({ type: 'lesson', id: 'inner-joins', targetDate: '' })).toEqual({ type: 'lesson', id: 'inner-joins' });
    expect(goalRequest({ type: 'part', id: 'applied', targetDate: '2026-11-23' })).toEqual({
      type: 'part',
      id: 'applied',
      targetDate: '2026-11-23',
    });
  });

  it('puts the API’s field errors beside their fields and keeps the others apart', () => {
    expect(
      goalErrorsByField([
        { field: 'json/id', message: 'no lesson "nope" in the course' },
        { field: 'json/targetDate', message: 'Invalid ISO date' },
        { field: 'json', message: 'unrecognized key "extra"' },
      ]),
    ).toEqual({
      byField: { id: 'No lesson "nope" in the course.', targetDate: 'Invalid ISO date.' },
      other: ['json: unrecognized key "extra"'],
    });
  });
});

describe('timeline', () => {
  it('adds the running total and the study day each step ends on', () => {
    const steps = timeline(path().steps, 30);
    expect(steps.map((s) => [s.number, s.minutes, s.cumulativeMinutes, s.day])).toEqual([
      [1, 16, 16, 1],
      [2, 17, 33, 2],
      [3, 16, 49, 2],
    ]);
  });

  it('ends a step that exactly fills a day on that day', () => {
    expect(timeline([step({ minutes: 30 }), step({ lessonSlug: 'b', minutes: 30 })], 30).map((s) => s.day)).toEqual([1, 2]);
  });
});

describe('pathSummary', () => {
  it.each([
    ['onboarding', '3 lessons, about 1 h 55 min, ~4 days at your pace of 30 min/day (from your onboarding answers)'] as const,
    ['activity', '3 lessons, about 1 h 55 min, ~4 days at your pace of 30 min/day (from your activity)'] as const,
    [
      'default',
      '3 lessons, about 1 h 55 min, ~4 days at your pace of 30 min/day (a default, until your activity shows your own)',
    ] as const,
  ])('says where a pace %s comes from', (source, text) => {
    expect(pathSummary(path({ pace: { minutesPerDay: 30, speed: 1, source } }))).toBe(text);
  });

  it('writes one lesson and one day in the singular, and short totals in minutes', () => {
    const one = path({
      steps: [step()],
      totalMinutes: 16,
      daysNeeded: 1,
      pace: { minutesPerDay: 42.4, speed: 1, source: 'activity' },
    });
    expect(pathSummary(one)).toBe('1 lesson, about 16 min, ~1 day at your pace of 42 min/day (from your activity)');
  });
});

describe('speedNote', () => {
  it.each([
    [1, null],
    [1.05, null],
    [1.34, 'Lessons take you about 1.3× the time their authors estimate, so the minutes below are scaled to match.'],
    [0.5, 'Lessons take you about 0.5× the time their authors estimate, so the minutes below are scaled to match.'],
  ])('mentions a speed of %d only when it is far from 1', (speed, note) => {
    expect(speedNote(speed)).toBe(note);
  });
});

describe('days', () => {
  it('counts whole days between two dates', () => {
    expect(daysBetween('2026-11-22', '2026-11-23')).toBe(1);
    expect(daysBetween('2026-11-22', '2026-11-22')).toBe(0);
    expect(daysBetween('2026-11-22', '2026-11-20')).toBe(-2);
    expect(daysBetween('2026-12-31', '2027-01-01')).toBe(1);
  });

  it('writes the reader’s own date', () => {
    expect(localDay(new Date(2026, 10, 3, 23, 30))).toBe('2026-11-03');
  });
});

describe('reach', () => {
  const TODAY = '2026-11-22';

  it('says nothing without a target date', () => {
    expect(reach(path(), TODAY)).toEqual({ status: 'no-date' });
  });

  it('explains a date the pace does not reach, with the minutes a day that would', () => {
    const late = path({
      goal: { type: 'lesson', id: 'inner-joins', targetDate: '2026-11-23', source: 'goal' },
      reachableByTarget: false,
    });
    const verdict = reach(late, TODAY);
    expect(verdict).toEqual({ status: 'unreachable', targetDate: '2026-11-23', daysLeft: 2, minutesPerDayNeeded: 58 });
    if (verdict.status === 'no-date') throw new Error('expected a verdict');
    expect(reachText(verdict, late)).toEqual({
      title: 'Not reachable by Mon, Nov 23, 2026 at your pace.',
      detail:
        'It needs ~4 days of study at 30 min a day, and you have 2 days left, today included. ' +
        'Study about 58 min a day to make it, or choose a later date.',
    });
  });

  it('confirms a date the pace reaches', () => {
    const early = path({
      goal: { type: 'lesson', id: 'inner-joins', targetDate: '2026-12-31', source: 'goal' },
      reachableByTarget: true,
    });
    const verdict = reach(early, TODAY);
    expect(verdict).toMatchObject({ status: 'reachable', daysLeft: 40 });
    if (verdict.status === 'no-date') throw new Error('expected a verdict');
    expect(reachText(verdict, early)).toEqual({
      title: 'Reachable by Thu, Dec 31, 2026 at your pace.',
      detail: 'It needs ~4 days of study at 30 min a day, and you have 40 days left, today included.',
    });
  });

  it('says so when the target date has passed', () => {
    const past = path({
      goal: { type: 'part', id: 'applied', targetDate: '2026-11-20', source: 'goal' },
      reachableByTarget: false,
    });
    const verdict = reach(past, TODAY);
    expect(verdict).toMatchObject({ status: 'unreachable', daysLeft: 0, minutesPerDayNeeded: null });
    if (verdict.status === 'no-date') throw new Error('expected a verdict');
    expect(reachText(verdict, past).title).toBe('Not reachable by Fri, Nov 20, 2026: that day has passed.');
  });
});
