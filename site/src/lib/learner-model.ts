import type { ConceptMastery, ConceptPrediction } from './api';

/** A practised concept with its forecast, when the API has one. */
export type PractisedConcept = ConceptMastery & {
  course?: string;
  forecast: Pick<ConceptPrediction, 'now' | 'in7Days'> | null;
};

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
/** Whether a concept shows as known: answered on, or placed above "not started" by a placement test. */
const known = (m: ConceptMastery) => m.attempts > 0 || m.level !== 'not started';

/** A concept is its course's: the same slug in two courses is two concepts. */
const conceptKey = (c: { course?: string; concept: string }) => `${c.course ?? ''}\n${c.concept}`;

export function conceptOverview(
  mastery: readonly (ConceptMastery & { course?: string })[],
  predictions: readonly ConceptPrediction[],
): ConceptOverview {
  const forecasts = new Map(predictions.map((p) => [conceptKey(p), { now: p.now, in7Days: p.in7Days }]));
  return {
    practised: mastery.filter(known).map((m) => ({ ...m, forecast: forecasts.get(conceptKey(m)) ?? null })),
    notStarted: mastery
      .filter((m) => !known(m))
      .map((m) => m.title)
      .sort((a, b) => a.localeCompare(b)),
  };
}
