import type { Deps } from '../../deps';
import { AppError } from '../../http/problem';
import { plural } from '../../platform/words';
import { askedCourseHeld } from './recommend.ranking';
import { daysBetween, goalLessons, masteryDates, planPath, usualPace } from './path.domain';

/**
 * The learner's path at `now`: the ordered steps to their goal (else the first part
 * chosen at onboarding) at their usual pace, and whether they fit before the target
 * date. `today`, the learner's local date, must be within a day of UTC's; the plan
 * itself counts days from `now`. With no goal at all, or a goal the course no longer
 * has, an empty path whose status says so.
 */
export async function learningPath(
  deps: Pick<Deps, 'recommend' | 'mastery'>,
  input: { learnerId: string; course?: string | undefined; today?: string | undefined; now: Date },
) {
  const { learnerId, course, now } = input;
  const today = input.today ?? now.toISOString().slice(0, 10);
  // Every time zone's date is within a day of UTC's.
  if (Math.abs(daysBetween(now.toISOString(), today)) > 1) {
    throw new AppError('validation_failed', `today ${today} is not today in any time zone`, {
      errors: [{ field: 'query/today', message: 'must be the local date, within a day of UTC' }],
    });
  }
  // The assessed concepts (for the goal's mastery dates) are read beside the learner, not after.
  const [learner, assessed] = await Promise.all([
    deps.recommend.learner(learnerId, now, course, { goalFirst: true }),
    deps.mastery.assessedConcepts(),
  ]);
  askedCourseHeld(course, learner.courseId);
  const lessons = await deps.recommend.course(learner.courseStamp, learner.courseId);
  const onboarding = learner.onboardingGoals[0];
  const goal = learner.goal
    ? { ...learner.goal, source: 'goal' as const }
    : onboarding
      ? { type: 'part' as const, id: onboarding, targetDate: null, source: 'onboarding' as const }
      : null;
  const timed = lessons
    .filter((l) => learner.signals.completed.has(l.slug))
    .map((l) => ({ activeSeconds: learner.activeSeconds.get(l.slug) ?? 0, minutes: l.minutes }));
  const pace = usualPace(learner.days, learner.sessionMinutes, timed);
  const empty = {
    course: learner.courseId,
    steps: [],
    totalMinutes: 0,
    daysNeeded: 0,
    reachableByTarget: null,
    pace,
    concepts: [],
  };
  if (!goal) {
    const message =
      'No goal yet in this course: choose a part, a lesson or a concept, and the lessons that lead there appear in order.';
    return { goal: null, status: 'no_goal' as const, message, ...empty };
  }
  if (goalLessons(lessons, goal).length === 0) {
    const message = `Your goal "${goal.id}" is no longer in the course. Choose another goal.`;
    return { goal, status: 'goal_removed' as const, message, ...empty };
  }
  const path = planPath(lessons, { ...learner.signals, allowSkips: false }, goal, pace, learner.activeSeconds, now.toISOString());
  // A concept slug other courses assess too is dated with this course's parameters.
  const inCourse = assessed.filter((a) => a.courseId === learner.courseId);
  const concepts = masteryDates(lessons, goal, path, inCourse, learner.signals, pace, today);
  return path.steps.length === 0
    ? {
        course: learner.courseId,
        goal,
        status: 'reached' as const,
        message: 'Every lesson this goal needs is completed or mastered.',
        ...path,
        pace,
        concepts,
      }
    : {
        course: learner.courseId,
        goal,
        status: 'on_the_way' as const,
        message: `${plural(path.steps.length, 'lesson')} to your goal.`,
        ...path,
        pace,
        concepts,
      };
}
