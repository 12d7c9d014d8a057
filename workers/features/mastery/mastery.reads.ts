import type { Deps } from '../../deps';
import { ofLearner } from '../../http/learner-auth';
import { AppError } from '../../http/problem';
import { askedCourse } from '../content/content.catalog';
import { predict, type StoredCard } from './mastery.domain';
import { chooseNextItem, masteryView, summarizeReviews } from './mastery.views';

type ReadDeps = Pick<Deps, 'mastery' | 'learner' | 'content'>;

/** The lesson's next quiz item for the learner (jsCAT), with the ability estimate; 404 for an unknown lesson. */
export async function nextQuizItem(deps: ReadDeps, input: { learnerId: string; lessonSlug: string }) {
  const { learnerId, lessonSlug } = input;
  const [items, quizState] = await Promise.all([
    deps.mastery.lessonItems(lessonSlug),
    deps.learner(learnerId).quizState(learnerId),
  ]);
  const state = ofLearner(quizState);
  if (!items) throw new AppError('not_found', `No lesson ${lessonSlug}`);
  return { lessonSlug, ...chooseNextItem(items, state) };
}

/**
 * The learner's cards due at `now` with their items, and how many are scheduled later: of
 * every course, or of `course` (a 404 naming `query/course` when the catalog lacks it).
 */
export async function dueReviews(
  deps: ReadDeps,
  input: { learnerId: string; limit: number; now: Date; course?: string | undefined },
) {
  const { learnerId, limit, now, course } = input;
  const [found] = await Promise.all([
    deps.learner(learnerId).reviews(learnerId, now.toISOString()),
    course === undefined ? null : askedCourse(deps, course),
  ]);
  const cards = ofLearner(found);
  const items = await deps.mastery.reviewItems([...cards.due, ...cards.later].map((d) => d.itemId));
  return summarizeReviews(cards, items, limit, now, course);
}

/**
 * The learner's mastery of every concept `course` assesses (else every course's), with its
 * cards; a concept is its course's (the same slug in two courses is two concepts). A course
 * the catalog does not hold is a 404 naming `query/course`.
 */
async function conceptStates(deps: ReadDeps, learnerId: string, course: string | undefined) {
  const [concepts, model] = await Promise.all([
    // A course the catalog lacks assesses nothing: its check and the read go at once.
    Promise.all([course === undefined ? null : askedCourse(deps, course), deps.mastery.assessedConcepts(course)]).then(
      ([, assessed]) => assessed,
    ),
    deps.learner(learnerId).model(learnerId),
  ]);
  const mine = ofLearner(model);
  const key = (courseId: string, conceptId: string) => `${courseId}\n${conceptId}`;
  const mastery = new Map(mine.mastery.map((m) => [key(m.courseId, m.conceptId), m]));
  const cards = new Map<string, StoredCard[]>();
  for (const c of mine.cards) {
    const k = key(c.courseId, c.conceptId);
    cards.set(k, [...(cards.get(k) ?? []), c.card]);
  }
  return concepts.map((k) => {
    const m = mastery.get(key(k.courseId, k.concept));
    return {
      ...k,
      pKnown: m?.pKnown ?? k.params.prior,
      attempts: m?.attempts ?? 0,
      correct: m?.correct ?? 0,
      updatedAt: m?.updatedAt ?? null,
      cards: cards.get(key(k.courseId, k.concept)) ?? [],
    };
  });
}

/** Mastery of every concept `course` assesses (else every course's), weakest first. */
export async function conceptMastery(deps: ReadDeps, input: { learnerId: string; course?: string | undefined }) {
  const concepts = await conceptStates(deps, input.learnerId, input.course);
  return {
    concepts: concepts
      .map((k) => ({ ...masteryView(k.concept, k.title, k), course: k.courseId, updatedAt: k.updatedAt }))
      .sort((a, b) => a.pKnown - b.pKnown || a.title.localeCompare(b.title)),
  };
}

/** The chance of answering each concept `course` assesses (else every course's) correctly at `now` and 7 days later. */
export async function conceptPredictions(deps: ReadDeps, input: { learnerId: string; now: Date; course?: string | undefined }) {
  const concepts = await conceptStates(deps, input.learnerId, input.course);
  return {
    concepts: concepts.map((k) => ({
      concept: k.concept,
      course: k.courseId,
      title: k.title,
      pKnown: k.pKnown,
      ...predict(k.pKnown, k.params, k.cards, input.now),
    })),
  };
}
