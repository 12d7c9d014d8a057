import type { Deps } from '../../deps';
import { ofLearner } from '../../http/learner-auth';
import { AppError } from '../../http/problem';
import { predict, type StoredCard } from './mastery.domain';
import { chooseNextItem, masteryView, summarizeReviews } from './mastery.views';

type ReadDeps = Pick<Deps, 'mastery' | 'learner'>;

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

/** The learner's cards due at `now` with their items, and how many are scheduled later. */
export async function dueReviews(deps: ReadDeps, input: { learnerId: string; limit: number; now: Date }) {
  const { learnerId, limit, now } = input;
  const cards = ofLearner(await deps.learner(learnerId).reviews(learnerId, now.toISOString()));
  const items = await deps.mastery.reviewItems([...cards.due, ...cards.later].map((d) => d.itemId));
  return summarizeReviews(cards, items, limit, now);
}

/** The learner's mastery of every concept the course assesses, with its cards. */
async function conceptStates(deps: ReadDeps, learnerId: string) {
  const [concepts, model] = await Promise.all([deps.mastery.assessedConcepts(), deps.learner(learnerId).model(learnerId)]);
  const mine = ofLearner(model);
  const mastery = new Map(mine.mastery.map((m) => [m.conceptId, m]));
  const cards = new Map<string, StoredCard[]>();
  for (const c of mine.cards) cards.set(c.conceptId, [...(cards.get(c.conceptId) ?? []), c.card]);
  return concepts.map((k) => {
    const m = mastery.get(k.concept);
    return {
      ...k,
      pKnown: m?.pKnown ?? k.params.prior,
      attempts: m?.attempts ?? 0,
      correct: m?.correct ?? 0,
      updatedAt: m?.updatedAt ?? null,
      cards: cards.get(k.concept) ?? [],
    };
  });
}

/** Mastery of every assessed concept, weakest first. */
export async function conceptMastery(deps: ReadDeps, input: { learnerId: string }) {
  const concepts = await conceptStates(deps, input.learnerId);
  return {
    concepts: concepts
      .map((k) => ({ ...masteryView(k.concept, k.title, k), updatedAt: k.updatedAt }))
      .sort((a, b) => a.pKnown - b.pKnown || a.title.localeCompare(b.title)),
  };
}

/** The chance of answering each assessed concept correctly at `now` and 7 days later. */
export async function conceptPredictions(deps: ReadDeps, input: { learnerId: string; now: Date }) {
  const concepts = await conceptStates(deps, input.learnerId);
  return {
    concepts: concepts.map((k) => ({
      concept: k.concept,
      title: k.title,
      pKnown: k.pKnown,
      ...predict(k.pKnown, k.params, k.cards, input.now),
    })),
  };
}
