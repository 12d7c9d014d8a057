import { z } from 'zod';
import type { Deps } from '../../deps';
import { refitFsrs } from './mastery.fsrs-fit';
import { refitIrt, refitKt } from './mastery.kt';
import { refitBkt } from './mastery.refit';

/** How often the cron refits each model from the logs (each fit keeps what did not improve). */
export const REFIT_EVERY_DAYS = 7;

type JobDeps = Pick<Deps, 'mastery' | 'logger' | 'cache'>;

/**
 * The learner model's fits, in the order the cron takes them when several are due: the
 * same fits `npm run fit -- <name>` runs, storing what they store.
 */
const FITS = {
  bkt: (deps: JobDeps, now: Date) => refitBkt(deps, { fitForget: false, dryRun: false, now }),
  kt: (deps: JobDeps, now: Date) => refitKt(deps, { dryRun: false, now }),
  irt: (deps: JobDeps, now: Date) => refitIrt(deps, { dryRun: false, now }),
  fsrs: (deps: JobDeps, now: Date) => refitFsrs(deps, { dryRun: false, now }),
} as const;
export type ModelFit = keyof typeof FITS;

const lastRunKey = (fit: ModelFit) => `fits:last:${fit}`;
const LastRunSchema = z.object({ at: z.string() });

/**
 * Runs the first of the learner model's fits whose last cron run is `REFIT_EVERY_DAYS` or
 * more ago (or that never ran), and notes when: one fit per cron invocation, so no single
 * run holds every fit's CPU, and every model learns from new answers and reviews without an
 * operator. Returns the fit it ran, or null when none was due.
 */
export async function refitModelsWhenDue(deps: JobDeps, now: Date): Promise<ModelFit | null> {
  for (const fit of Object.keys(FITS) as ModelFit[]) {
    const last = await deps.cache.getJson(lastRunKey(fit), LastRunSchema);
    if (last && now.getTime() - Date.parse(last.at) < REFIT_EVERY_DAYS * 86_400_000) continue;
    // Noted first: a fit that fails is not retried every ten minutes, only at its next turn.
    await deps.cache.putJson(lastRunKey(fit), { at: now.toISOString() });
    await FITS[fit](deps, now);
    deps.logger.log('info', 'mastery.refit_scheduled', { fit });
    return fit;
  }
  return null;
}
