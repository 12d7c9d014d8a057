import type { Deps } from '../../deps';
import { ofLearner } from '../../http/learner-auth';
import { AppError } from '../../http/problem';
import { SummariesSchema, WeeklySummarySchema } from './summary.schemas';

/** The learner's stored weekly summaries, newest first; with `week`, that one (404 when it has none). */
export async function storedSummaries(deps: Pick<Deps, 'learner'>, input: { learnerId: string; week?: string | undefined }) {
  const { learnerId, week } = input;
  const stored = ofLearner(await deps.learner(learnerId).storedSummaries(learnerId));
  const summaries = week === undefined ? stored : stored.filter((s) => s.week === week);
  if (week !== undefined && summaries.length === 0) throw new AppError('not_found', `You have no summary of ${week}`);
  return SummariesSchema.parse({ summaries });
}

/** Every assessed concept's id and title, for summaries to name the concepts they count. */
export async function conceptTitles(deps: Pick<Deps, 'mastery'>) {
  return (await deps.mastery.assessedConcepts()).map((c) => ({ id: c.concept, title: c.title }));
}

/** The learner's current local week so far. */
export async function currentSummary(deps: Pick<Deps, 'learner' | 'mastery'>, input: { learnerId: string; now: Date }) {
  const { learnerId, now } = input;
  const concepts = await conceptTitles(deps);
  return WeeklySummarySchema.parse(
    ofLearner(await deps.learner(learnerId).currentSummary(learnerId, now.toISOString(), concepts)),
  );
}
