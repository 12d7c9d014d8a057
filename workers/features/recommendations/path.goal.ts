import type { Deps } from '../../deps';
import { currentLearner } from '../../http/learner-auth';
import { AppError } from '../../http/problem';
import type { Goal } from './path.domain';
import { forgetRecommendations } from './recommend.cache';
import type { GoalBody } from './recommend.schemas';

/**
 * Sets the learner's goal at `now` and drops their cached rankings (the goal weighs in);
 * a validation problem when the course has no such concept, lesson or part.
 */
export async function setGoal(
  deps: Pick<Deps, 'learner' | 'recommend' | 'cache'>,
  input: { learnerId: string; goal: GoalBody; now: Date },
): Promise<Goal> {
  const { learnerId, goal: body, now } = input;
  await currentLearner(deps, learnerId);
  const courseId = await deps.recommend.goalCourse(body);
  if (courseId === null) {
    throw new AppError('validation_failed', `The course has no ${body.type} "${body.id}"`, {
      errors: [{ field: 'json/id', message: `no ${body.type} "${body.id}" in the course` }],
    });
  }
  const goal: Goal = { type: body.type, id: body.id, targetDate: body.targetDate ?? null };
  await deps.recommend.setGoal(learnerId, goal, courseId, now.toISOString());
  await forgetRecommendations(deps, learnerId);
  return goal;
}
