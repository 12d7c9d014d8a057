import { percent } from '../../platform/words';
import type { MasteryRow as StoredMastery } from '../learners/learner.store';
import { MASTERY_THRESHOLDS } from '../mastery/mastery.bkt';

/**
 * What the learner has shown, as far as it bears on one lesson: measured by their
 * answers (and the placement test), not said in onboarding. Each entry carries the
 * numbers behind it, so each change it causes can name its measurement.
 */
export interface MeasuredEvidence {
  /** A concept of a prerequisite lesson the learner's answers put below `WEAK`: recap that lesson. */
  weakPrerequisites: (Measured & { slug: string; title: string; summary: string })[];
  /** A concept of this lesson the learner has answered wrongly and not yet mastered: examples and practice first. */
  missed: Measured[];
  /** A concept of this lesson the learner has shown mastery of: its sections can be skimmed. */
  strong: Measured[];
}

/** One concept's measurement: its label, P(known) to the nearest 5%, and the answers behind it (0: set by the placement test). */
export interface Measured {
  conceptId: string;
  concept: string;
  pKnown: number;
  attempts: number;
  correct: number;
}

/** Below this P(known) a prerequisite concept counts as weak (the "learning" level starts at 0.35). */
export const WEAK = 0.4;
/** Answers needed before a weak or missed concept counts: one slip is not a measurement. */
const MIN_ANSWERS = 2;

type MasteryRow = Pick<StoredMastery, 'conceptId' | 'pKnown' | 'attempts' | 'correct'>;

/** P(known) to the nearest 5%: a measurement that moves a little keeps the same personalized text (and cache entry). */
const rounded = (p: number) => Math.round(p * 20) / 20;

/**
 * The evidence for one lesson from the learner's mastery rows: prerequisite concepts
 * measured weak (from at least MIN_ANSWERS answers, or placed by the placement test),
 * this lesson's concepts answered wrongly at least once and below mastery, and this
 * lesson's concepts at mastery. Null when there is nothing measured to adapt to.
 */
export function measuredEvidence(
  lesson: {
    concepts: readonly { id: string; label: string }[];
    prerequisites: readonly {
      slug: string;
      title: string;
      summary: string;
      concepts: readonly { id: string; label: string }[];
    }[];
  },
  mastery: readonly MasteryRow[],
): MeasuredEvidence | null {
  const rows = new Map(mastery.map((m) => [m.conceptId, m]));
  const measured = (concept: { id: string; label: string }): Measured | null => {
    const row = rows.get(concept.id);
    return row
      ? {
          conceptId: concept.id,
          concept: concept.label,
          pKnown: rounded(row.pKnown),
          attempts: row.attempts,
          correct: row.correct,
        }
      : null;
  };
  const counts = (m: Measured) => m.attempts === 0 || m.attempts >= MIN_ANSWERS;
  const seen = new Set<string>();
  const weakPrerequisites = lesson.prerequisites.flatMap((p) =>
    p.concepts.flatMap((c) => {
      const m = measured(c);
      // A concept two prerequisites share is recapped once.
      if (!m || !counts(m) || m.pKnown >= WEAK || seen.has(m.conceptId)) return [];
      seen.add(m.conceptId);
      return [{ ...m, slug: p.slug, title: p.title, summary: p.summary }];
    }),
  );
  const own = lesson.concepts.flatMap((c) => {
    const m = measured(c);
    return m ? [m] : [];
  });
  const missed = own.filter(
    (m) => m.attempts - m.correct >= 1 && m.attempts >= MIN_ANSWERS && m.pKnown < MASTERY_THRESHOLDS.mastered,
  );
  const strong = own.filter((m) => m.pKnown >= MASTERY_THRESHOLDS.mastered);
  return weakPrerequisites.length + missed.length + strong.length > 0 ? { weakPrerequisites, missed, strong } : null;
}

/** How a measurement reads to the learner: "3 of 5 answers right" or "from the placement test". */
export function measuredBy(m: Measured): string {
  return m.attempts === 0 ? 'from the placement test' : `${m.correct} of ${m.attempts} answers right`;
}

/** A measurement as a change's note names it: "Projection 20% (1 of 4 answers right)". */
export function describeMeasured(m: Measured): string {
  return `${m.concept} ${percent(m.pKnown)} (${measuredBy(m)})`;
}

/**
 * What a language model is asked to do about each measurement (`ask`, for the prompt)
 * and, for the learner, what was asked and why (`note`).
 */
export function measuredRequests(evidence: MeasuredEvidence): { ask: string; note: string }[] {
  return [
    ...evidence.weakPrerequisites.map((w) => ({
      ask: `weak prerequisite: ${w.concept} from "${w.title}" (${percent(w.pKnown)}, ${measuredBy(w)}): open with a short recap of it`,
      note: `Asked for a recap of “${w.title}”: measured mastery of ${describeMeasured(w)}`,
    })),
    ...evidence.missed.map((m) => ({
      ask: `answered wrongly: ${m.concept} (${m.attempts - m.correct} of ${m.attempts} answers wrong): add a worked example of it`,
      note: `Asked for another worked example of ${m.concept}: ${m.attempts - m.correct} of ${m.attempts} answers wrong`,
    })),
    ...evidence.strong.map((m) => ({
      ask: `already mastered: ${m.concept} (${percent(m.pKnown)}, ${measuredBy(m)}): keep its explanation brief`,
      note: `Asked to keep ${m.concept} brief: measured mastery of ${describeMeasured(m)}`,
    })),
  ];
}
