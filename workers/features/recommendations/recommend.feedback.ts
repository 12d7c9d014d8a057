import type { Deps } from '../../deps';
import { applyEvent, appliedOrThrow } from '../learners/learner.client';
import type { FeedbackBody } from './recommend.schemas';

/** Records what the learner did with a recommendation, received at `now`; whether the feedback was new. */
export async function sendFeedback(
  deps: Pick<Deps, 'content' | 'mastery' | 'learner' | 'afterApplied' | 'config'>,
  input: { learnerId: string; recommendationId: string; feedback: FeedbackBody; now: Date },
) {
  const { learnerId, recommendationId, feedback, now } = input;
  const outcome = await applyEvent(deps, {
    learnerId,
    receivedAt: now.toISOString(),
    event: {
      type: 'recommendation.feedback',
      eventId: feedback.eventId,
      occurredAt: feedback.occurredAt ?? now.toISOString(),
      recommendationId,
      action: feedback.action,
      ...(feedback.rating === undefined ? {} : { rating: feedback.rating }),
    },
  });
  const { result } = await appliedOrThrow(
    deps,
    learnerId,
    outcome,
    `Recommendation ${recommendationId} was not offered to this learner (ask GET /api/recommendations first)`,
  );
  return { applied: result === 'applied' };
}
