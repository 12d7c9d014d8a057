import type { Deps } from '../../deps';
import { applyEvent, appliedOrThrow } from '../learners/learner.client';
import type { LearnerEvent } from './events.schemas';

/**
 * Applies one progress event of a lesson now (not through the queue), so the next read
 * shows it: whether it was new, and the lesson's progress after it.
 */
export async function recordProgress(
  deps: Pick<Deps, 'content' | 'mastery' | 'learner' | 'afterApplied' | 'config'>,
  input: { learnerId: string; slug: string; event: LearnerEvent; now: Date },
) {
  const { learnerId, slug, event, now } = input;
  const outcome = await applyEvent(deps, { learnerId, receivedAt: now.toISOString(), event });
  const { result, progress } = await appliedOrThrow(deps, learnerId, outcome, `No lesson ${slug}`);
  if (!progress) throw new Error(`a lesson event of ${slug} came back without progress`);
  return { applied: result === 'applied', progress };
}
