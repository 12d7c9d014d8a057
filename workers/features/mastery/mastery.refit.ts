import type { Deps } from '../../deps';
import { fitBkt } from './mastery.bkt';

/** Fewest graded answers of a concept before its own parameters are fitted (else the defaults stay). */
export const MIN_FIT_ATTEMPTS = 20;

/**
 * Refits each concept's BKT parameters by EM from the logged graded answers and, unless
 * `dryRun`, stores them as fitted at `now`. Mastery already stored is not recomputed.
 */
export async function refitBkt(
  deps: Pick<Deps, 'mastery' | 'logger'>,
  input: { fitForget: boolean; dryRun: boolean; now: Date },
) {
  const { fitForget, dryRun, now } = input;
  const data = await deps.mastery.fitSequences();
  const enough = data.filter((d) => d.attempts >= MIN_FIT_ATTEMPTS);
  const fitted = enough.map((d) => ({ ...d, fit: fitBkt(d.sequences, { fitForget }) }));
  if (!dryRun) {
    await deps.mastery.saveParams(
      fitted.map((f) => ({ conceptId: f.conceptId, params: f.fit.params, attempts: f.attempts, learners: f.learners })),
      now.toISOString(),
    );
  }
  deps.logger.log('info', 'mastery.bkt_fitted', { concepts: fitted.length, dryRun });
  return {
    fitted: fitted.map((f) => ({
      concept: f.conceptId,
      learners: f.learners,
      attempts: f.attempts,
      ...f.fit.params,
      logLikelihood: f.fit.logLikelihood,
      iterations: f.fit.iterations,
    })),
    skipped: data.filter((d) => d.attempts < MIN_FIT_ATTEMPTS).map((d) => ({ concept: d.conceptId, attempts: d.attempts })),
    stored: !dryRun,
  };
}
