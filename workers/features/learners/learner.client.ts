import type { Deps } from '../../deps';
import { readAnswerRef } from '../answers/answers.feedback';
import { currentLearner, ofLearner } from '../../http/learner-auth';
import { AppError } from '../../http/problem';
import type { EventMessage } from '../events/events.schemas';
import type { ApplyOutcome, EventSubject } from './learner.apply';
import type { Learner, NoLearner } from './learner.object';
import { coursePreferenceHashes, inCourse, preferencesHash, reconcileGoals, splitCoursePreferences } from './onboarding.domain';
import type { Preferences } from './learners.schemas';
import { canonicalJson } from '../../platform/sha256';
import { catalogParts } from '../content/content.cache';
import type { LearnerRecord, PreferenceChange } from './learner.store';
import { forgetRecommendations } from '../recommendations/recommend.cache';

/** A typed RPC stub of one learner's object. */
export type LearnerObject = DurableObjectStub<Learner>;

/** The object of `learnerId` (one per learner id, created on first use); each RPC call is counted in `meter`. */
export function learnerObject(
  namespace: DurableObjectNamespace<Learner>,
  learnerId: string,
  meter: { learnerCalls: number },
): LearnerObject {
  const stub = namespace.get(namespace.idFromName(learnerId));
  return new Proxy(stub, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        meter.learnerCalls++;
        // Reflect.apply: an RPC method's own `.apply` would be another remote method.
        return Reflect.apply(value, target, args) as unknown;
      };
    },
  });
}

export type EventResult = ApplyOutcome | NoLearner;

/** What the course says an event is about; null when its lesson or item does not exist. */
async function subjectOf(
  deps: Pick<Deps, 'content' | 'mastery' | 'config'>,
  { event, learnerId }: EventMessage,
): Promise<EventSubject | null> {
  switch (event.type) {
    case 'answer.feedback': {
      // Only an answer this learner was given: its id is signed for them.
      const ref = await readAnswerRef(deps.config.LEARNER_TOKEN_SECRET, learnerId, event.answerId);
      const courseId = ref?.l ? await deps.content.lessonCourse(ref.l) : null;
      return ref && courseId !== null ? { kind: 'answer', courseId, answerKey: `${ref.e}:${ref.k}`, engine: ref.e } : null;
    }
    case 'quiz.attempted':
    case 'review.rated': {
      const graded = await deps.mastery.gradedItem(event.type === 'quiz.attempted' ? event.itemId : event.reviewId, learnerId);
      return graded ? { kind: 'item', ...graded } : null;
    }
    case 'plan.feedback':
      return { kind: 'plan' };
    case 'recommendation.feedback': {
      // Recommendation ids are `<kind>:<lesson slug>`: feedback on anything not in the course is refused.
      const slug = event.recommendationId.slice(event.recommendationId.indexOf(':') + 1);
      const courseId = await deps.content.lessonCourse(slug);
      return courseId === null ? null : { kind: 'recommendation', courseId };
    }
    default: {
      const courseId = await deps.content.lessonCourse(event.lessonSlug);
      return courseId === null ? null : { kind: 'lesson', courseId };
    }
  }
}

/**
 * Applies one learner event: the course is read for what the event is about, the
 * learner's object applies it exactly once, and the composition root's hook runs
 * after a newly applied event (it drops cached rankings).
 */
export async function applyEvent(
  deps: Pick<Deps, 'content' | 'mastery' | 'learner' | 'afterApplied' | 'config'>,
  message: EventMessage,
): Promise<EventResult> {
  const { type } = message.event;
  // Time and completion come after a start: the learner's object knows the lesson's course.
  if (type === 'lesson.active_time' || type === 'lesson.completed') {
    const outcome = await applyAbout(deps, message, { kind: 'seen-lesson' });
    if (outcome.result !== 'unknown_subject') return outcome;
  }
  const subject = await subjectOf(deps, message);
  return subject ? applyAbout(deps, message, subject) : { result: 'unknown_subject' };
}

/** Applies an event whose subject the caller has read already (see `applyEvent`). */
export async function applyAbout(
  deps: Pick<Deps, 'learner' | 'afterApplied'>,
  message: EventMessage,
  subject: EventSubject,
): Promise<EventResult> {
  const outcome = await deps.learner(message.learnerId).apply(message.learnerId, message, subject);
  if (outcome.result === 'applied') await deps.afterApplied(message);
  return outcome;
}

/**
 * The outcome of an event a learner sent through a route, or the problem to answer
 * with: the learner is gone (401), the event's lesson or item is not in the course
 * (404, `missing` says which), or its eventId already named another event (409).
 */
export async function appliedOrThrow(
  deps: Pick<Deps, 'learner'>,
  learnerId: string,
  outcome: EventResult,
  missing: string,
): Promise<ApplyOutcome & { result: 'applied' | 'duplicate' }> {
  if (outcome.result === 'no_learner') await currentLearner(deps, learnerId);
  if (outcome.result === 'unknown_subject') {
    await currentLearner(deps, learnerId);
    throw new AppError('not_found', missing);
  }
  if (outcome.result === 'conflict') {
    throw new AppError('conflict', 'This eventId was already used for a different event; send a new eventId');
  }
  if (outcome.result === 'refused') throw new AppError('conflict', outcome.reason);
  if (outcome.result === 'no_learner') throw new Error('a learner without an object passed the learner check');
  return outcome;
}

/**
 * Stores a learner's new preferences: in their object (with the history), as a holder of
 * the preferences hash in D1 (personalized entries in KV are keyed by it, so an erase can
 * tell which entries no one else uses), and drops their cached rankings. False when the
 * learner does not exist.
 */
export async function savePreferences(
  deps: Pick<Deps, 'learner' | 'privacy' | 'cache'>,
  learnerId: string,
  change: Omit<PreferenceChange, 'preferencesHash'>,
  at: string,
): Promise<void> {
  const hash = await preferencesHash(change.preferences);
  await deps.privacy.holdPreferences(learnerId, hash);
  const courses = await deps.learner(learnerId).savePreferences(learnerId, { ...change, preferencesHash: hash }, at);
  if (!courses) await currentLearner(deps, learnerId);
  // A course with preferences of its own now sees them over the new ones: hold those too.
  for (const courseHash of await coursePreferenceHashes(change.preferences, courses)) {
    await deps.privacy.holdPreferences(learnerId, courseHash);
  }
  await forgetRecommendations(deps, learnerId);
}

/** The learner's preferences in `courseId`: their own, with that course's own over them. */
export async function coursePreferences(
  deps: Pick<Deps, 'learner'>,
  learnerId: string,
  own: Preferences,
  courseId: string,
): Promise<Preferences> {
  return inCourse(own, ofLearner(await deps.learner(learnerId).coursePreferences(learnerId))[courseId]);
}

/**
 * Stores preferences `wanted` for one course (see `splitCoursePreferences`): the
 * learner-wide fields as the learner's own (a new history entry only when they changed),
 * the per-course ones that differ from the learner's own as the course's, held like any
 * preferences (personalized entries are keyed by them). `null` for `wanted`: the course
 * follows the learner's own again.
 */
export async function saveCoursePreferences(
  deps: Pick<Deps, 'learner' | 'privacy' | 'cache'>,
  learner: LearnerRecord & { preferences: Preferences },
  courseId: string,
  wanted: Preferences | null,
  at: string,
): Promise<void> {
  const { learnerId } = learner;
  const split = wanted ? splitCoursePreferences(learner.preferences, wanted) : null;
  if (split && canonicalJson(split.own) !== canonicalJson(learner.preferences)) {
    await savePreferences(deps, learnerId, { preferences: split.own, source: 'profile' }, at);
  }
  const course = split && Object.keys(split.course).length > 0 ? split.course : null;
  if (split && course) await deps.privacy.holdPreferences(learnerId, await preferencesHash(inCourse(split.own, course)));
  if (!(await deps.learner(learnerId).setCoursePreferences(learnerId, courseId, course, at)))
    await currentLearner(deps, learnerId);
}

/**
 * The learner as the catalog is now: goals that name parts no course has any more are
 * dropped (kept in the preference history, source `course`), and what changed waits in
 * the learner's object to be told once (`GET /api/learners/me`).
 */
export async function reconciledLearner(
  deps: Pick<Deps, 'learner' | 'privacy' | 'cache' | 'content'>,
  learnerId: string,
): Promise<LearnerRecord> {
  const learner = await currentLearner(deps, learnerId);
  const parts = learner.preferences ? await catalogParts(deps) : [];
  const change = learner.preferences ? reconcileGoals(parts, learner.preferences.goals) : null;
  if (!change || !learner.preferences) return learner;
  const preferences = { ...learner.preferences, goals: change.goals };
  await savePreferences(deps, learnerId, { preferences, source: 'course', notices: change.notices }, new Date().toISOString());
  return { ...learner, preferences, preferencesHash: await preferencesHash(preferences) };
}
