import type { Deps } from '../../deps';

/** One KV key per learner holds their ranked lists (per course asked for, with and without skipped prerequisites). */
export const recommendationsKey = (learnerId: string) => `recs:v2:${learnerId}`;

/** Drops a learner's cached lists, so their next request ranks again: after anything that changes a ranking. */
export async function forgetRecommendations(deps: Pick<Deps, 'cache'>, learnerId: string): Promise<void> {
  await deps.cache.delete(recommendationsKey(learnerId));
}
