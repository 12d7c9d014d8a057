import type { ConceptMastery, ConceptPrediction } from './api';

/** A practised concept with its forecast, when the API has one. */
export type PractisedConcept = ConceptMastery & { forecast: Pick<ConceptPrediction, 'now' | 'in7Days'> | null };

export interface ConceptOverview {
  /** Concepts with at least one graded answer, in the API's order (weakest first), each with its forecast. */
  practised: PractisedConcept[];
  /** Titles of the course's other concepts, alphabetical. */
  notStarted: string[];
}

/**
 * Splits the learner model into what the learner has practised and the rest. The
 * API lists every concept of the course (about ninety for the sample course), most
 * of them untouched for a new learner. Forecasts are kept for practised concepts
 * only (the others would all show the prior), beside their mastery: one measure on
 * screen, the forecast as its detail.
 */
export function conceptOverview(mastery: readonly ConceptMastery[], predictions: readonly ConceptPrediction[]): ConceptOverview {
  const forecasts = new Map(predictions.map((p) => [p.concept, { now: p.now, in7Days: p.in7Days }]));
  return {
    practised: mastery.filter((m) => m.attempts > 0).map((m) => ({ ...m, forecast: forecasts.get(m.concept) ?? null })),
    notStarted: mastery
      .filter((m) => m.attempts === 0)
      .map((m) => m.title)
      .sort((a, b) => a.localeCompare(b)),
  };
}
