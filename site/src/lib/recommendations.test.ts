import { describe, expect, it } from 'vitest';
import type { Recommendation } from './api';
import { reasonLines, recommendationHref, shownTitle, withoutItem } from './recommendations';

function item(overrides: Partial<Recommendation> = {}): Recommendation {
  return {
    id: 'lesson:inner-joins',
    kind: 'lesson',
    lessonSlug: 'inner-joins',
    title: 'Combining tables with inner joins',
    score: 0.6,
    reasons: [{ code: 'goal', text: 'Part of your goal: Applied querying' }],
    ...overrides,
  };
}

describe('recommendationHref', () => {
  it.each([
    ['a lesson', item(), '/lessons/inner-joins'],
    ['a review', item({ id: 'review:inner-joins', kind: 'review' }), '/dashboard/#reviews'],
    ['a quiz', item({ id: 'quiz:inner-joins', kind: 'quiz' }), '/lessons/inner-joins#quiz-title'],
  ])('takes %s to where it is done', (_name, recommendation, href) => {
    expect(recommendationHref(recommendation)).toBe(href);
  });

  it("keeps a course's list under that course's address", () => {
    expect(recommendationHref(item(), 'sql')).toBe('/courses/sql/lessons/inner-joins');
    expect(recommendationHref(item({ id: 'quiz:inner-joins', kind: 'quiz' }), 'sql')).toBe(
      '/courses/sql/lessons/inner-joins#quiz-title',
    );
    expect(recommendationHref(item({ id: 'review:inner-joins', kind: 'review' }), 'sql')).toBe('/dashboard/#reviews');
  });
});

describe('shownTitle', () => {
  it.each([
    ['a lesson keeps its title', item(), 'Combining tables with inner joins'],
    ['a quiz drops the kind its label shows', item({ kind: 'quiz', title: 'Quiz: Inner joins' }), 'Inner joins'],
    ['a review drops the kind its label shows', item({ kind: 'review', title: 'Review: Inner joins' }), 'Inner joins'],
    [
      'a lesson named like a kind keeps its name',
      item({ title: 'Quiz: a lesson about quizzes' }),
      'Quiz: a lesson about quizzes',
    ],
    ['a title that is only the prefix stays whole', item({ kind: 'quiz', title: 'Quiz: ' }), 'Quiz: '],
  ])('%s', (_name, recommendation, title) => {
    expect(shownTitle(recommendation)).toBe(title);
  });
});

describe('reasonLines', () => {
  it('writes each reason once as a sentence, in the order given', () => {
    const lines = reasonLines(
      item({
        reasons: [
          { code: 'builds_on', text: 'Builds on Thinking in relations, which you have completed' },
          { code: 'goal', text: 'On the way to your goal' },
          { code: 'goal', text: 'On the way to your goal' },
          { code: 'explore', text: 'Something a little different, to widen your view.' },
        ],
      }),
    );
    expect(lines).toEqual([
      'Builds on Thinking in relations, which you have completed.',
      'On the way to your goal.',
      'Something a little different, to widen your view.',
    ]);
  });

  it('keeps one line for an item given no reason', () => {
    expect(reasonLines(item({ reasons: [{ code: 'goal', text: '  ' }] }))).toEqual(['Suggested from your progress.']);
  });
});

describe('withoutItem', () => {
  it('drops the dismissed item and keeps the order of the rest', () => {
    const items = [item({ id: 'lesson:a' }), item({ id: 'quiz:b' }), item({ id: 'lesson:c' })];
    expect(withoutItem(items, 'quiz:b').map((i) => i.id)).toEqual(['lesson:a', 'lesson:c']);
    expect(withoutItem(items, 'review:x')).toHaveLength(3);
  });
});
