import { generationLimits } from '../personalize/personalize.store';
import type { Deps } from '../../deps';
import { describeError } from '../../platform/logger';
import { phraseInsights } from './summary.phrasing';
import type { WeeklySummary } from './summary.schemas';
import { conceptTitles } from './summary.service';

/** Most learners one cron run builds summaries for; the rest stay due for the next run. */
export const SUMMARY_LEARNERS_PER_RUN = 200;

/**
 * The cron's weekly summaries: every learner due one (their local week ended) has their
 * object build what they are owed, then their next due time is stored. Resumable: a run
 * that stops midway leaves the rest due, and one that stops between the two steps
 * builds nothing twice (a week is stored once). A learner whose object is gone (erased),
 * or who has had no plan for five weeks, leaves the schedule.
 */
export async function buildDueSummaries(
  deps: Pick<Deps, 'practice' | 'learner' | 'mastery' | 'logger' | 'textGenerator' | 'personalize' | 'config'>,
  now: Date,
  limit = SUMMARY_LEARNERS_PER_RUN,
): Promise<{ learners: number; weeks: number; failed: number; phrased: number }> {
  const due = await deps.practice.dueSummaries(now.toISOString(), limit);
  if (due.length === 0) return { learners: 0, weeks: 0, failed: 0, phrased: 0 };
  const concepts = await conceptTitles(deps);
  let weeks = 0;
  let failed = 0;
  let phrased = 0;
  for (const learnerId of due) {
    try {
      const result = await deps.learner(learnerId).buildSummaries(learnerId, now.toISOString(), concepts);
      await deps.practice.setSummaryDue(learnerId, result?.nextAt ?? null);
      weeks += result?.built.length ?? 0;
      for (const { week, insights } of result?.built ?? [])
        phrased += (await phrase(deps, learnerId, week, insights, now)) ? 1 : 0;
    } catch (error) {
      failed++;
      deps.logger.log('warn', 'summaries.failed', { learnerId, ...describeError(error) });
    }
  }
  return { learners: due.length, weeks, failed, phrased };
}

/**
 * With a model configured, has it phrase a newly built summary's insights (each
 * sentence checked to state exactly its numbers, else the offline one stays), within the
 * learner's and the platform's daily generation budgets. Whether it phrased any.
 */
async function phrase(
  deps: Pick<Deps, 'learner' | 'textGenerator' | 'personalize' | 'config' | 'logger'>,
  learnerId: string,
  week: string,
  insights: WeeklySummary['insights'],
  now: Date,
): Promise<boolean> {
  const generator = deps.textGenerator;
  if (!generator) return false;
  const day = now.toISOString().slice(0, 10);
  if ((await deps.personalize.reserveGeneration(learnerId, day, generationLimits(deps.config), 'summaries')) !== 'reserved')
    return false;
  const phrased = await phraseInsights(generator, insights).catch((error: unknown) => {
    // The offline sentences stand; the model's failure is worth knowing.
    deps.logger.log('warn', 'summaries.phrasing_failed', { learnerId, week, ...describeError(error) });
    return null;
  });
  if (!phrased) {
    await deps.personalize.releaseGeneration(learnerId, day);
    return false;
  }
  return (await deps.learner(learnerId).phraseSummary(learnerId, week, phrased, generator.model)) === true;
}
