import type { Deps } from '../../deps';

/** One KV key per learner holds their ranked lists (with and without skipped prerequisites). */
export const recommendationsKey = (learnerId: string) => `recs:v1:${learnerId}`;

/** Drops a learner's cached lists, so their next request ranks again: after anything that changes a ranking. */
export async function forgetRecommendations(deps: Pick<Deps, 'cache'>, learnerId: string): Promise<void> {
  await deps.cache.delete(recommendationsKey(learnerId));
}
