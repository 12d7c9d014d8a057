import type { LearnerSignals } from '../features/recommendations/recommend.domain';

/** A learner the ranking knows nothing about, with `overrides`: for pure tests of the ranking and paths. */
export function learnerSignals(overrides: Partial<LearnerSignals> = {}): LearnerSignals {
  return {
    completed: new Set(),
    lastCompleted: null,
    started: new Set(),
    concepts: new Map(),
    goalParts: new Set(),
    goalLessons: new Set(),
    dueReviews: new Map(),
    quizCorrect: new Map(),
    collaborative: new Map(),
    feedback: new Map(),
    dismissed: new Set(),
    allowSkips: false,
    ...overrides,
  };
}
