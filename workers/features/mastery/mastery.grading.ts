import type { Deps } from '../../deps';
import { AppError } from '../../http/problem';
import type { ModelEvent } from '../events/events.schemas';
import { applyAbout, appliedOrThrow } from '../learners/learner.client';
import { cardView, masteryView } from './mastery.views';
import type { Attempt, ReviewBody } from './mastery.schemas';

type GradingDeps = Pick<Deps, 'mastery' | 'learner' | 'afterApplied'>;

/**
 * Applies a graded answer or review now (not through the queue), so the answer's
 * feedback and the updated mastery come back in the response. A repeated eventId is
 * answered from what was stored when it was first graded.
 */
async function applyNow(deps: GradingDeps, learnerId: string, event: ModelEvent, now: Date) {
  const itemId = event.type === 'quiz.attempted' ? event.itemId : event.reviewId;
  const graded = await deps.mastery.gradedItem(itemId, learnerId);
  const message = { learnerId, receivedAt: now.toISOString(), event };
  const outcome = graded
    ? await applyAbout(deps, message, { kind: 'item', ...graded })
    : ({ result: 'unknown_subject' } as const);
  const { result, model } = await appliedOrThrow(deps, learnerId, outcome, `No quiz item ${itemId}`);
  if (!model || !graded) throw new Error(`an answer to ${itemId} came back without its model change`);
  const { item } = graded;
  return {
    applied: result === 'applied',
    correct: model.correct,
    answer: model.correct === null ? null : item.answer,
    explanation: item.explanation,
    mastery: model.mastery ? masteryView(item.conceptId, item.conceptTitle, model.mastery) : null,
    rating: model.rating,
    card: model.card,
  };
}

/** Grades a quiz answer given at `now`: the grading, and the concept's mastery after it. */
export async function gradeAttempt(deps: GradingDeps, input: { learnerId: string; attempt: Attempt; now: Date }) {
  const { learnerId, attempt, now } = input;
  const result = await applyNow(
    deps,
    learnerId,
    {
      type: 'quiz.attempted',
      eventId: attempt.eventId,
      occurredAt: now.toISOString(),
      itemId: attempt.itemId,
      answer: attempt.answer,
    },
    now,
  );
  const { card: _card, rating: _rating, ...graded } = result;
  const { correct, answer } = graded;
  // An attempt always carries an answer, so it is always graded (a duplicate without a grading is a 409).
  if (correct === null || answer === null) throw new Error(`attempt ${attempt.eventId} came back ungraded`);
  return { ...graded, correct, answer };
}

/** Reviews one of the learner's cards at `now`: grades the answer when there is one and reschedules the card. */
export async function reviewItem(deps: GradingDeps, input: { learnerId: string; itemId: string; review: ReviewBody; now: Date }) {
  const { learnerId, itemId, review, now } = input;
  // A review is of an item the learner has met; anything else is not theirs to review.
  if (!(await deps.learner(learnerId).hasCard(learnerId, itemId))) {
    throw new AppError('not_found', `No review ${itemId}`);
  }
  const result = await applyNow(
    deps,
    learnerId,
    {
      type: 'review.rated',
      eventId: review.eventId,
      occurredAt: now.toISOString(),
      reviewId: itemId,
      ...(review.rating === undefined ? {} : { rating: review.rating }),
      ...(review.answer === undefined ? {} : { answer: review.answer }),
    },
    now,
  );
  return { ...result, card: cardView(result.card) };
}
