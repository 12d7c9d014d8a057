import { describe, expect, it } from 'vitest';
import type { CourseCard, Question } from './api';
import {
  answersToPreferences,
  errorsByQuestion,
  initialAnswers,
  isAnswered,
  onboardingHref,
  safeNext,
  withCatalogGoals,
} from './onboarding';

function question(overrides: Partial<Question> = {}): Question {
  return { id: 'experience', type: 'single', prompt: 'How much?', options: [{ id: 'none', label: 'None' }], ...overrides };
}

const minutes = question({ id: 'sessionMinutes', type: 'number', options: [], min: 5, max: 240, step: 5, default: 20 });
const IDS = ['experience', 'background', 'goals', 'style', 'sessionMinutes', 'exampleDomain'] as const;

describe('safeNext', () => {
  it.each([
    ['/lessons/inner-joins', '/lessons/inner-joins'],
    ['/lessons/inner-joins?x=1#worked-example', '/lessons/inner-joins?x=1#worked-example'],
    [null, '/'],
    ['', '/'],
    ['https://evil.example/', '/'],
    ['//evil.example/path', '/'],
    ['/\\evil.example', '/'],
    ['javascript:alert(1)', '/'],
  ])('takes %j back to %j', (raw, expected) => {
    expect(safeNext(raw)).toBe(expected);
  });

  it('survives the round trip through the onboarding address', () => {
    const href = onboardingHref('/lessons/inner-joins#worked-example');
    expect(href).toBe('/onboarding/?next=%2Flessons%2Finner-joins%23worked-example');
    expect(safeNext(new URL(href, 'https://x.test').searchParams.get('next'))).toBe('/lessons/inner-joins#worked-example');
    expect(onboardingHref('/')).toBe('/onboarding/');
  });
});

describe('errorsByQuestion', () => {
  it('files each API field error under the question it names', () => {
    const { byQuestion, other } = errorsByQuestion(
      [
        { field: 'json/answers/goals', message: 'is required' },
        { field: 'json/sessionMinutes', message: 'too big' },
        { field: 'json/goals/1', message: '"x" is not a part' },
        { field: 'json/answers/color', message: 'is not a question' },
      ],
      IDS,
    );
    expect(byQuestion).toEqual({ goals: 'is required; "x" is not a part', sessionMinutes: 'too big' });
    expect(other).toEqual(['json/answers/color: is not a question']);
  });
});

describe('isAnswered', () => {
  it.each([
    [question(), 'none', true],
    [question(), 'other', false],
    [question(), undefined, false],
    [question({ id: 'goals', type: 'multi' }), ['none'], true],
    [question({ id: 'goals', type: 'multi' }), [], false],
    [minutes, 20, true],
    [minutes, 4, false],
    [minutes, 241, false],
    [minutes, 20.5, false],
  ])('%#: %j is answered: %s', (q, answer, expected) => {
    expect(isAnswered(q, answer)).toBe(expected);
  });
});

describe('initialAnswers and answersToPreferences', () => {
  it('starts from the defaults, then from saved preferences', () => {
    expect(initialAnswers([question(), minutes], null)).toEqual({ sessionMinutes: 20 });
    const saved = {
      experience: 'basic',
      background: 'data',
      goals: ['foundations'],
      style: 'visual',
      sessionMinutes: 45,
      exampleDomain: 'retail',
    } as const;
    const answers = initialAnswers([question(), minutes], { ...saved, goals: [...saved.goals] });
    expect(answers).toEqual({ experience: 'basic', sessionMinutes: 45 });
    expect(answersToPreferences(answers)).toBeNull();
    expect(answersToPreferences({ ...saved, goals: ['foundations'] })).toEqual({ ...saved, goals: ['foundations'] });
  });
});

describe('withCatalogGoals', () => {
  const card = (slug: string, title: string, parts: string[]): CourseCard => ({
    slug,
    title,
    summary: '',
    languages: [],
    version: 1,
    parts: parts.length,
    outline: parts.map((p) => ({ slug: p, title: p.toUpperCase() })),
    lessonCount: 1,
    minutes: 5,
    layers: [],
    links: { book: '', lessons: '' },
  });
  const goals = question({ id: 'goals', type: 'multi', options: [{ id: 'basics', label: 'Basics', partSlug: 'basics' }] });

  it("offers every other course's parts after the course's own, named after their course, each part once", () => {
    const catalog = [
      card('sql', 'SQL', ['basics']),
      card('py', 'Python', ['py-basics', 'basics']),
      card('go', 'Go', ['go-intro']),
    ];
    const [experience, withAll] = withCatalogGoals([question(), goals], catalog);
    expect(experience).toEqual(question());
    expect(withAll?.options.map((o) => [o.id, o.label])).toEqual([
      ['basics', 'Basics'],
      ['py-basics', 'PY-BASICS (Python)'],
      ['go-intro', 'GO-INTRO (Go)'],
    ]);
    expect(withAll?.help).toBe('Pick one or more parts of any course.');
  });

  it('leaves the questions alone with one course', () => {
    expect(withCatalogGoals([goals], [card('sql', 'SQL', ['basics', 'joins'])])).toEqual([goals]);
  });
});
