import { describe, expect, it } from 'vitest';
import { checkedPhrasing, numbersIn } from './summary.phrasing';
import type { WeeklySummary } from './summary.schemas';

const INSIGHTS: WeeklySummary['insights'] = [
  {
    text: 'You completed 6 of 10 tasks (60%), 45 minutes in all, on 4 days of 4 with a plan.',
    numbers: { completed: 6, planned: 10, percent: 60, minutes: 45, practisedDays: 4, plannedDays: 4 },
  },
  { text: 'A streak of 2 days: keep it going tomorrow.', numbers: { streak: 2 } },
];

describe('checkedPhrasing', () => {
  it('takes a sentence that states exactly the numbers of the one it rephrases', () => {
    const answer = JSON.stringify([
      'Nice week: 6 of your 10 tasks done (60%), 45 minutes over 4 of 4 planned days.',
      'A streak of 2 days, 2 in a row: come back tomorrow!',
    ]);
    // The second states 2 twice: not the numbers of the sentence it rephrases.
    expect(checkedPhrasing(INSIGHTS, answer)).toEqual({
      insights: [
        { ...INSIGHTS[0], text: 'Nice week: 6 of your 10 tasks done (60%), 45 minutes over 4 of 4 planned days.' },
        INSIGHTS[1],
      ],
      phrased: 1,
    });
  });

  it.each([
    ['a changed number', ['You completed 7 of 10 tasks (60%), 45 minutes, on 4 days of 4.', 'A streak of 2 days.']],
    ['a dropped number', ['You completed most of your tasks.', 'A streak of 2 days.']],
    ['markup', ['**6 of 10** tasks (60%), 45 minutes, 4 of 4 days.', 'A streak of 2 days.']],
    ['a sentence that runs on', [`${'Very '.repeat(70)}6 10 60 45 4 4`, 'A streak of 2 days.']],
  ])('keeps the offline sentence for %s', (_name, sentences) => {
    const checked = checkedPhrasing(INSIGHTS, JSON.stringify(sentences));
    expect(checked?.insights[0]).toEqual(INSIGHTS[0]);
  });

  it.each([
    ['not JSON', 'Here you go: nice week!'],
    ['too few sentences', JSON.stringify(['A streak of 2 days.'])],
    ['not strings', JSON.stringify([1, 2])],
  ])('refuses an answer that is %s', (_name, answer) => {
    expect(checkedPhrasing(INSIGHTS, answer)).toBeNull();
  });

  it('reads a JSON array inside a code fence, and numbers with decimals', () => {
    const fenced = '```json\n["6 of 10 tasks, 60%, 45 minutes, 4 of 4 days.", "Streak: 2 days."]\n```';
    expect(checkedPhrasing(INSIGHTS, fenced)?.phrased).toBe(2);
    expect(numbersIn('3.5 stars on 2 days')).toEqual([3.5, 2]);
  });
});
