import type { Deps } from '../../deps';
import { describeError } from '../../platform/logger';
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
  deps: Pick<Deps, 'practice' | 'learner' | 'mastery' | 'logger'>,
  now: Date,
  limit = SUMMARY_LEARNERS_PER_RUN,
): Promise<{ learners: number; weeks: number; failed: number }> {
  const due = await deps.practice.dueSummaries(now.toISOString(), limit);
  if (due.length === 0) return { learners: 0, weeks: 0, failed: 0 };
  const concepts = await conceptTitles(deps);
  let weeks = 0;
  let failed = 0;
  for (const learnerId of due) {
    try {
      const result = await deps.learner(learnerId).buildSummaries(learnerId, now.toISOString(), concepts);
      await deps.practice.setSummaryDue(learnerId, result?.nextAt ?? null);
      weeks += result?.built.length ?? 0;
    } catch (error) {
      failed++;
      deps.logger.log('warn', 'summaries.failed', { learnerId, ...describeError(error) });
    }
  }
  return { learners: due.length, weeks, failed };
}
