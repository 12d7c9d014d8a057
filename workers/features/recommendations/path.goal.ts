import type { Deps } from '../../deps';
import { currentLearner } from '../../http/learner-auth';
import { AppError } from '../../http/problem';
import { askedCourse } from '../content/content.catalog';
import type { Goal } from './path.domain';
import { forgetRecommendations } from './recommend.cache';
import type { GoalBody } from './recommend.schemas';

/**
 * Sets the learner's goal at `now` and drops their cached rankings (the goal weighs in).
 * The goal is in the course the body names (404 naming `json/course` when the catalog
 * lacks it), else in the one course that has it, else in the default course when that is
 * one of several; a validation problem when no such course has it, or when several do and
 * none is the default (naming `json/course`).
 */
export async function setGoal(
  deps: Pick<Deps, 'learner' | 'recommend' | 'cache' | 'content'>,
  input: { learnerId: string; goal: GoalBody; now: Date },
): Promise<Goal & { course: string }> {
  const { learnerId, goal: body, now } = input;
  const [, courses] = await Promise.all([
    currentLearner(deps, learnerId),
    deps.recommend.goalCourses(body),
    body.course === undefined ? null : askedCourse(deps, body.course, 'json/course'),
  ]);
  const named = `${body.type} "${body.id}"`;
  const courseId = body.course ?? (courses.length === 1 || courses[0]?.isDefault ? courses[0]?.courseId : undefined);
  if (courseId === undefined && courses.length > 1) {
    throw new AppError('validation_failed', `The ${named} is in several courses: say which`, {
      errors: [{ field: 'json/course', message: `one of ${courses.map((c) => c.courseId).join(', ')}` }],
    });
  }
  if (courseId === undefined || !courses.some((c) => c.courseId === courseId)) {
    const where = body.course ? `the course "${body.course}"` : 'the catalog';
    throw new AppError('validation_failed', `There is no ${named} in ${where}`, {
      errors: [{ field: 'json/id', message: `no ${named} in ${where}` }],
    });
  }
  const goal: Goal = { type: body.type, id: body.id, targetDate: body.targetDate ?? null };
  await deps.recommend.setGoal(learnerId, goal, courseId, now.toISOString());
  await forgetRecommendations(deps, learnerId);
  return { ...goal, course: courseId };
}
