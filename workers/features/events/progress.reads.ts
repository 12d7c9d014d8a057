import type { Deps } from '../../deps';
import { ofLearner } from '../../http/learner-auth';
import { joinProgress, summarizeProgress } from './progress.domain';

/** Days of activity the overview returns (8 weeks). */
const OVERVIEW_DAYS = 56;

/** The learner's progress in one lesson. */
export async function lessonProgress(deps: Pick<Deps, 'learner'>, input: { learnerId: string; slug: string }) {
  const { learnerId, slug } = input;
  return ofLearner(await deps.learner(learnerId).lessonProgress(learnerId, slug));
}

/** The progress page's numbers at `now`: completion per part and chapter, the last 8 weeks of activity, streak, last lesson. */
export async function progressOverview(deps: Pick<Deps, 'learner' | 'outline'>, input: { learnerId: string; now: Date }) {
  const { learnerId, now } = input;
  const today = now.toISOString().slice(0, 10);
  const since = new Date(now.getTime() - OVERVIEW_DAYS * 86_400_000).toISOString().slice(0, 10);
  const [outline, progress] = await Promise.all([deps.outline(), deps.learner(learnerId).progress(learnerId, since)]);
  const mine = ofLearner(progress);
  return summarizeProgress(joinProgress(outline, mine.lessons, mine.days, mine.courses), today);
}
