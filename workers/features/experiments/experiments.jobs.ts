import type { Deps } from '../../deps';
import { seededRandom } from '../../platform/seeded-random';
import { forgetPayload } from './experiments.client';
import type { ExperimentInput } from './experiments.schemas';
import { summarize, thompsonWeights } from './experiments.stats';

/** Learners every arm needs before a bandit moves its weights (until then the planned split holds). */
export const BANDIT_MIN_LEARNERS = 20;
/** No arm's share goes below this: its estimate can still move. */
const BANDIT_FLOOR = 0.02;

/** A seed from the experiment and the period, so a rerun in the same period draws the same weights. */
function seedOf(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return hash >>> 0;
}

/**
 * The cron's bandit step: each running bandit whose period has passed gets new weights
 * by Thompson sampling on its primary metric (each arm's mean and standard error from
 * the rollup), floored so no arm starves; the payload is published again. Learners keep
 * their variant (sticky buckets): the weights steer new learners. Returns how many moved.
 */
export async function updateBandits(deps: Pick<Deps, 'experiments' | 'logger'>, now: Date): Promise<number> {
  const bandits = (await deps.experiments.experiments()).filter((e) => e.status === 'running' && e.kind === 'bandit');
  let moved = 0;
  for (const bandit of bandits) {
    const def = bandit.definition as ExperimentInput;
    const last = Date.parse(bandit.weightsUpdatedAt ?? bandit.startedAt ?? now.toISOString());
    if (now.getTime() - last < (def.banditPeriodHours ?? 24) * 3_600_000) continue;
    const moments = (await deps.experiments.metricMoments(bandit.id, [def.primaryMetric], now.toISOString().slice(0, 10))).get(
      def.primaryMetric,
    );
    const arms = def.variants.map((v) => summarize(moments?.get(v.key) ?? { n: 0, sum: 0, sumSquares: 0 }));
    if (arms.some((a) => a.n < BANDIT_MIN_LEARNERS)) continue;
    const random = seededRandom(seedOf(`${bandit.id}|${now.toISOString().slice(0, 13)}`));
    const weights = thompsonWeights(
      arms.map((a) => ({ mean: a.mean, se: Math.sqrt(a.variance / a.n) })),
      random,
      10_000,
      BANDIT_FLOOR,
    );
    await deps.experiments.setWeights(bandit.id, weights, now.toISOString());
    deps.logger.log('info', 'experiments.bandit_reweighted', { experimentId: bandit.id, weights });
    moved++;
  }
  if (moved > 0) {
    await deps.experiments.publish();
    forgetPayload();
  }
  return moved;
}
