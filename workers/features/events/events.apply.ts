import type { Deps } from '../../deps';
import { ratingFor, scheduleReview, updateAbility, updateMastery, type ReviewRating } from '../mastery/mastery.domain';
import type { ModelChange, ModelSnapshot } from '../mastery/mastery.store';
import type { EventMessage, ModelEvent } from './events.schemas';
import type { ApplyResult } from './events.store';
import { forgetRecommendations } from '../recommendations/recommend.cache';

/** Recomputations allowed when other answers of the same learner commit first. */
const MAX_STALE_RETRIES = 5;

export type EventOutcome =
  | { result: Exclude<ApplyResult, 'stale'>; model?: { snapshot: ModelSnapshot; change: ModelChange } }
  | { result: 'unknown_item' };

/** The rating a card is scheduled with: a wrong answer is a lapse whatever the learner rated; else theirs, else implied. */
export function reviewRating(event: ModelEvent, correct: boolean | undefined): ReviewRating {
  if (correct === false) return ratingFor(false);
  return (event.type === 'review.rated' ? event.rating : undefined) ?? ratingFor(correct === true);
}

/**
 * The learner-model change of a graded answer or a review: the answer is graded against
 * the item's key, the FSRS card scheduled (with the learner's rating, else one implied
 * by the answer), and for a graded answer BKT mastery and the IRT ability updated.
 */
function modelChange(snapshot: ModelSnapshot, event: ModelEvent): ModelChange {
  const answer = event.answer;
  const correct = answer === undefined ? undefined : answer === snapshot.item.answer;
  const rating = reviewRating(event, correct);
  // A late-delivered event never moves the card's clock backwards.
  const occurred = new Date(event.occurredAt).toISOString();
  const last = snapshot.card?.lastReview;
  const at = new Date(last && last > occurred ? last : occurred);
  const card = scheduleReview(snapshot.card, rating, at);
  if (answer === undefined || correct === undefined) return { ability: snapshot.ability, card, rating };
  return {
    rating,
    ability: updateAbility(snapshot.ability, snapshot.item.zeta, correct),
    card,
    graded: { answer, correct, mastery: updateMastery(snapshot.mastery, correct, snapshot.params) },
  };
}

/**
 * Applies one event exactly once (see EventStore.apply). A graded answer or review is
 * computed from the learner model as read, and recomputed if another of the learner's
 * events committed in between, so concurrent answers never lose an update.
 */
export async function applyEvent(deps: Pick<Deps, 'events' | 'mastery' | 'cache'>, message: EventMessage): Promise<EventOutcome> {
  const outcome = await applyOnce(deps, message);
  if (outcome.result === 'applied') await afterApplied(deps, message);
  return outcome;
}

/** What follows a newly applied event: its learner's cached recommendations go, unless it changes no ranking. */
export async function afterApplied(deps: Pick<Deps, 'cache'>, message: EventMessage): Promise<void> {
  // Heartbeats and lesson ratings change no ranking; everything else may.
  const { type } = message.event;
  if (type !== 'lesson.active_time' && type !== 'lesson.rated') await forgetRecommendations(deps, message.learnerId);
}

async function applyOnce(deps: Pick<Deps, 'events' | 'mastery'>, message: EventMessage): Promise<EventOutcome> {
  const { event, learnerId } = message;
  if (event.type !== 'quiz.attempted' && event.type !== 'review.rated') {
    const result = await deps.events.apply(message, crypto.randomUUID());
    if (result === 'stale') throw new Error('an event without a model write cannot be stale');
    return { result };
  }
  const itemId = event.type === 'quiz.attempted' ? event.itemId : event.reviewId;
  for (let i = 0; i < MAX_STALE_RETRIES; i++) {
    const snapshot = await deps.mastery.snapshot(learnerId, itemId);
    if (!snapshot) return { result: 'unknown_item' };
    const change = modelChange(snapshot, event);
    const occurredAt = new Date(event.occurredAt).toISOString();
    const write = deps.mastery.write(learnerId, event.eventId, occurredAt, snapshot, change);
    const result = await deps.events.apply(message, crypto.randomUUID(), write);
    if (result !== 'stale') return { result, model: { snapshot, change } };
  }
  throw new Error(`learner model of ${learnerId} changed ${MAX_STALE_RETRIES} times while applying one event`);
}
