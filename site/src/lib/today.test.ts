import { describe, expect, it } from 'vitest';
import type { Plan, PlanItem } from './api';
import { completionHint, keepPending, planProgress, progressText, taskHref, timeZoneChoices, withStatus } from './today';

function task(overrides: Partial<PlanItem> = {}): PlanItem {
  return {
    id: '2026-11-23-1',
    category: 'reflect',
    variationId: 'reflect-one-line',
    title: 'Write one line on what you learned',
    instructions: 'One line, in your own words.',
    minutes: 5,
    reasons: ['New to you: the first weeks are for trying things'],
    status: 'open',
    binding: {},
    completes: { kind: 'check_off' },
    ...overrides,
  };
}

function plan(items: PlanItem[]): Plan {
  return {
    id: 'plan_2026-11-23',
    date: '2026-11-23',
    course: 'sql',
    timeZone: 'Europe/London',
    phase: 'discovery',
    mode: 'standard',
    archetype: 'builder',
    reasons: { phase: 'Week 1', mode: 'Your first plan', archetype: 'A steady daily habit' },
    minutes: items.reduce((sum, i) => sum + i.minutes, 0),
    items,
  };
}

describe("taskHref (a lesson under the plan's course)", () => {
  it.each([
    [
      'a lesson task goes to its lesson',
      task({ category: 'learn', binding: { lessonSlug: 'inner-joins' }, completes: { kind: 'lesson' } }),
      '/courses/sql/lessons/inner-joins',
    ],
    [
      'a review task goes to the reviews',
      task({ category: 'review', binding: { count: 5 }, completes: { kind: 'reviews', count: 5 } }),
      '/dashboard/#reviews',
    ],
    [
      'quiz answers on a lesson go to its quiz',
      task({
        category: 'practice',
        binding: { lessonSlug: 'inner-joins', count: 3 },
        completes: { kind: 'quiz_answers', count: 3 },
      }),
      '/courses/sql/lessons/inner-joins#quiz-title',
    ],
    [
      'quiz answers on a concept go to the suggestions',
      task({ category: 'practice', binding: { conceptId: 'joins', count: 3 }, completes: { kind: 'quiz_answers', count: 3 } }),
      '/dashboard/#recommended',
    ],
    [
      'a check-off on a lesson goes to the lesson',
      task({ category: 'apply', binding: { lessonSlug: 'inner-joins' } }),
      '/courses/sql/lessons/inner-joins',
    ],
    ['a check-off bound to nothing has no link', task(), null],
  ])('%s', (_name, item, href) => {
    expect(taskHref(item, 'sql')).toBe(href);
  });
});

describe('completionHint', () => {
  it.each([
    [task({ completes: { kind: 'lesson' } }), 'Ticks itself once you complete the lesson.'],
    [task({ completes: { kind: 'reviews', count: 1 } }), 'Ticks itself after 1 review.'],
    [task({ completes: { kind: 'quiz_answers', count: 4 } }), 'Ticks itself after 4 quiz answers.'],
    [task(), null],
  ])('says how %j is ticked', (item, hint) => {
    expect(completionHint(item)).toBe(hint);
  });
});

describe('planProgress', () => {
  it('counts tasks and minutes done, and skips apart', () => {
    const progress = planProgress([
      task({ status: 'completed', minutes: 20 }),
      task({ status: 'skipped', minutes: 10 }),
      task({ minutes: 5 }),
    ]);
    expect(progress).toEqual({ total: 3, done: 1, skipped: 1, minutes: 35, minutesDone: 20 });
    expect(progressText(progress)).toBe('1 of 3 tasks done · 20 of 35 min · 1 skipped');
  });

  it('leaves skips out of the text while there are none', () => {
    expect(progressText(planProgress([task()]))).toBe('0 of 1 task done · 0 of 5 min');
  });
});

describe('withStatus and keepPending', () => {
  const first = task({ id: '2026-11-23-1' });
  const second = task({ id: '2026-11-23-2' });

  it('changes one task and leaves the others', () => {
    const changed = withStatus(plan([first, second]), first.id, 'completed');
    expect(changed.items.map((i) => i.status)).toEqual(['completed', 'open']);
  });

  it('keeps a status still being sent over the one a refetch brings', () => {
    const fetched = plan([first, second]);
    const kept = keepPending(fetched, new Map([[second.id, 'skipped' as const]]));
    expect(kept.items.map((i) => i.status)).toEqual(['open', 'skipped']);
    expect(keepPending(fetched, new Map())).toBe(fetched);
  });
});

describe('timeZoneChoices', () => {
  it('offers the browser’s zones with the given ones, each once and sorted', () => {
    const zones = timeZoneChoices('Asia/Calcutta', 'Europe/London', null, '');
    expect(zones).toContain('Asia/Calcutta');
    expect(zones).toContain('UTC');
    expect(zones.filter((z) => z === 'Europe/London')).toHaveLength(1);
    expect([...zones].sort((a, b) => a.localeCompare(b))).toEqual(zones);
  });
});
