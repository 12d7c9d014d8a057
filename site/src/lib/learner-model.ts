import type { ConceptMastery, ConceptPrediction } from './api';

export interface ConceptOverview {
  /** Concepts with at least one graded answer, in the API's order (weakest first). */
  practised: ConceptMastery[];
  /** Titles of the course's other concepts, alphabetical. */
  notStarted: string[];
  /** Predictions for the practised concepts only: the others would all show the prior. */
  predictions: ConceptPrediction[];
}

/**
 * Splits the learner model into what the learner has practised and the rest. The
 * API lists every concept of the course (about ninety for the sample course), most
 * of them untouched for a new learner.
 */
export function conceptOverview(mastery: readonly ConceptMastery[], predictions: readonly ConceptPrediction[]): ConceptOverview {
  const practised = mastery.filter((m) => m.attempts > 0);
  const ids = new Set(practised.map((m) => m.concept));
  return {
    practised,
    notStarted: mastery
      .filter((m) => m.attempts === 0)
      .map((m) => m.title)
      .sort((a, b) => a.localeCompare(b)),
    predictions: predictions.filter((p) => ids.has(p.concept)),
  };
}
