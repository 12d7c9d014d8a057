import { describe, expect, it } from 'vitest';
import type { ConceptMastery, ConceptPrediction } from './api';
import { conceptOverview } from './learner-model';

function mastery(overrides: Partial<ConceptMastery & { course: string }> = {}): ConceptMastery & { course: string } {
  return {
    concept: 'joins',
    course: 'sql',
    title: 'Joins',
    pKnown: 0.3,
    level: 'not started',
    attempts: 0,
    correct: 0,
    ...overrides,
  };
}

function prediction(overrides: Partial<ConceptPrediction> = {}): ConceptPrediction {
  return {
    concept: 'joins',
    course: 'sql',
    title: 'Joins',
    pKnown: 0.3,
    now: 0.41,
    in7Days: 0.41,
    retrievabilityNow: null,
    retrievabilityIn7Days: null,
    in30Days: 0.41,
    retrievabilityIn30Days: null,
    ...overrides,
  };
}

describe('conceptOverview', () => {
  const concepts = [
    mastery({ concept: 'null', title: 'NULL', pKnown: 0.12, level: 'learning', attempts: 1 }),
    mastery({ concept: 'window', title: 'Window function' }),
    mastery({ concept: 'like', title: 'LIKE pattern', pKnown: 0.8, level: 'practising', attempts: 2, correct: 2 }),
    mastery({ concept: 'alias', title: 'Alias' }),
  ];

  it('keeps practised concepts in the order given and names the others alphabetically', () => {
    const overview = conceptOverview(concepts, []);
    expect(overview.practised.map((m) => m.concept)).toEqual(['null', 'like']);
    expect(overview.notStarted).toEqual(['Alias', 'Window function']);
  });

  it('shows a concept a placement test marked known with the practised ones, though it was never answered', () => {
    const placed = mastery({ concept: 'join', title: 'Join', pKnown: 0.99, level: 'mastered' });
    const overview = conceptOverview([...concepts, placed], []);
    expect(overview.practised.map((m) => m.concept)).toEqual(['null', 'like', 'join']);
    expect(overview.notStarted).toEqual(['Alias', 'Window function']);
  });

  it('gives each practised concept its forecast, and none to a concept the API did not forecast', () => {
    const overview = conceptOverview(concepts, [
      prediction({ concept: 'alias', title: 'Alias' }),
      prediction({ concept: 'like', title: 'LIKE pattern', now: 0.8, in7Days: 0.6 }),
    ]);
    expect(overview.practised.map((m) => [m.concept, m.forecast])).toEqual([
      ['null', null],
      ['like', { now: 0.8, in7Days: 0.6 }],
    ]);
  });

  it("gives a concept slug two courses use each course's own forecast", () => {
    const inSql = mastery({ concept: 'basics', title: 'Basics', level: 'learning', attempts: 1 });
    const inPython = mastery({ concept: 'basics', course: 'python', title: 'Basics', level: 'learning', attempts: 1 });
    const overview = conceptOverview(
      [inSql, inPython],
      [
        prediction({ concept: 'basics', course: 'python', now: 0.9, in7Days: 0.7 }),
        prediction({ concept: 'basics', now: 0.2, in7Days: 0.1 }),
      ],
    );
    expect(overview.practised.map((m) => [m.course, m.forecast])).toEqual([
      ['sql', { now: 0.2, in7Days: 0.1 }],
      ['python', { now: 0.9, in7Days: 0.7 }],
    ]);
  });

  it('has nothing practised for a new learner', () => {
    const overview = conceptOverview([mastery()], [prediction()]);
    expect(overview).toEqual({ practised: [], notStarted: ['Joins'] });
  });
});
