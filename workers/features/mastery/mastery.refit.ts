import type { Deps } from '../../deps';
import { fitBkt } from './mastery.bkt';

/** Fewest graded answers of a concept before its own parameters are fitted (else the defaults stay). */
export const MIN_FIT_ATTEMPTS = 20;
/** Answers of one learner a concept's fit uses (their first): one learner repeating an item cannot dominate it. */
export const MAX_FIT_ATTEMPTS_PER_LEARNER = 50;

const finite = (fit: ReturnType<typeof fitBkt>) =>
  Number.isFinite(fit.logLikelihood) && Object.values(fit.params).every((v) => Number.isFinite(v));

/**
 * Refits the BKT parameters of each concept of each course (a slug two courses use is fitted
 * apart) by EM from the logged graded answers and, unless
 * `dryRun`, stores them as fitted at `now`. Mastery already stored is not recomputed.
 */
export async function refitBkt(
  deps: Pick<Deps, 'mastery' | 'logger'>,
  input: { fitForget: boolean; dryRun: boolean; now: Date },
) {
  const { fitForget, dryRun, now } = input;
  const data = (await deps.mastery.fitSequences()).map((d) => {
    const sequences = d.sequences.map((s) => s.slice(0, MAX_FIT_ATTEMPTS_PER_LEARNER));
    return { ...d, sequences, attempts: sequences.reduce((n, s) => n + s.length, 0) };
  });
  const enough = data.filter((d) => d.attempts >= MIN_FIT_ATTEMPTS);
  const all = enough.map((d) => ({ ...d, fit: fitBkt(d.sequences, { fitForget }) }));
  // A fit that is not finite numbers is reported, never stored.
  const fitted = all.filter((f) => finite(f.fit));
  if (!dryRun) {
    await deps.mastery.saveParams(
      fitted.map((f) => ({
        courseId: f.courseId,
        conceptId: f.conceptId,
        params: f.fit.params,
        attempts: f.attempts,
        learners: f.learners,
      })),
      now.toISOString(),
    );
  }
  deps.logger.log('info', 'mastery.bkt_fitted', { concepts: fitted.length, dryRun });
  return {
    fitted: fitted.map((f) => ({
      course: f.courseId,
      concept: f.conceptId,
      learners: f.learners,
      attempts: f.attempts,
      ...f.fit.params,
      logLikelihood: f.fit.logLikelihood,
      iterations: f.fit.iterations,
    })),
    skipped: [
      ...data
        .filter((d) => d.attempts < MIN_FIT_ATTEMPTS)
        .map((d) => ({ course: d.courseId, concept: d.conceptId, attempts: d.attempts, reason: 'too_few_answers' as const })),
      ...all
        .filter((f) => !finite(f.fit))
        .map((f) => ({ course: f.courseId, concept: f.conceptId, attempts: f.attempts, reason: 'not_finite' as const })),
    ],
    stored: !dryRun,
  };
}
