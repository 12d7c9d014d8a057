import { AppError } from '../../http/problem';
import type { Deps } from '../../deps';
import { ofLearner } from '../../http/learner-auth';
import { noSuchCourse } from '../content/content.catalog';
import { joinProgress, summarizeProgress } from './progress.domain';

/** Days of activity the overview returns (8 weeks). */
const OVERVIEW_DAYS = 56;

/** The learner's progress in one lesson. */
export async function lessonProgress(deps: Pick<Deps, 'learner' | 'content'>, input: { learnerId: string; slug: string }) {
  const { learnerId, slug } = input;
  const progress = ofLearner(await deps.learner(learnerId).lessonProgress(learnerId, slug));
  // Nothing done in it: a lesson no course has is a 404, as for a write (one the learner worked in stays theirs to read).
  if (progress.lastActivityAt === null && progress.startedAt === null && (await deps.content.lessonCourse(slug)) === null) {
    throw new AppError('not_found', `No lesson ${slug}`);
  }
  return progress;
}

/**
 * The progress page's numbers at `now`: completion per part and chapter of `course` (else
 * the default course), the last 8 weeks of activity and the streak (every course's), the
 * last lesson. A course the catalog does not hold is a 404 naming `query/course`.
 */
export async function progressOverview(
  deps: Pick<Deps, 'learner' | 'outline'>,
  input: { learnerId: string; now: Date; course?: string | undefined },
) {
  const { learnerId, now, course } = input;
  const today = now.toISOString().slice(0, 10);
  const since = new Date(now.getTime() - OVERVIEW_DAYS * 86_400_000).toISOString().slice(0, 10);
  const [outline, progress] = await Promise.all([deps.outline(course), deps.learner(learnerId).progress(learnerId, since)]);
  // The outline falls back to the default course: one of another course means this one is not in the catalog.
  const shown = outline[0]?.courseId ?? null;
  if (course !== undefined && shown !== course) throw noSuchCourse(course);
  const mine = ofLearner(progress);
  return { course: shown, ...summarizeProgress(joinProgress(outline, mine.lessons, mine.days, mine.courses), today) };
}
