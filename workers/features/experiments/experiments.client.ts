import {
  GrowthBookClient,
  type Experiment as GbExperiment,
  type FeatureApiResponse,
  type Result,
  type StickyAssignmentsDocument,
  type UserContext,
} from '@growthbook/growthbook';
import type { Deps } from '../../deps';
import { HASH_ATTRIBUTE } from './experiments.domain';
import { DECISIONS, type DecisionKey, type DecisionValue } from './experiments.schemas';
import { readPayload } from './experiments.store';

/** How long an isolate keeps the payload it read from KV (KV itself may lag a minute behind a publish). */
const PAYLOAD_MEMO_MS = 30_000;

let memo: { at: number; payload: FeatureApiResponse | null; client: GrowthBookClient | null } | null = null;

/** Forgets this isolate's copy of the payload (after a publish from this isolate, so its own next read sees it). */
export function forgetPayload(): void {
  memo = null;
}

async function payloadClient(deps: Pick<Deps, 'cache'>) {
  const now = Date.now();
  if (memo && now - memo.at < PAYLOAD_MEMO_MS) return memo;
  const payload = await readPayload(deps.cache);
  memo = { at: now, payload, client: payload ? new GrowthBookClient().initSync({ payload }) : null };
  return memo;
}

/** A decision's value for a learner, and where it came from. */
export interface Decision<K extends DecisionKey> {
  value: DecisionValue<K>;
  source: 'default' | 'flag' | 'experiment';
  experimentId?: string;
  variant?: string;
}

/**
 * The value of decision `key` for a learner: the code's `fallback` unless a flag or a
 * running experiment says otherwise. Evaluated by the GrowthBook SDK in the Worker from
 * the payload in KV (no D1 query): hashed on the learner id, sticky-bucketed in the
 * learner's object so a changed split keeps everyone's variant, exposure recorded once
 * per learner and experiment through the learner's outbox. A learner who declined
 * analytics and experiments always gets the flag's value outside any experiment and is
 * never counted. A value of the wrong shape is ignored (the fallback is served, logged).
 */
export async function decide<K extends DecisionKey>(
  deps: Pick<Deps, 'cache' | 'learner' | 'logger'>,
  learnerId: string,
  key: K,
  fallback: DecisionValue<K>,
  now: Date = new Date(),
): Promise<Decision<K>> {
  const { payload, client } = await payloadClient(deps);
  const feature = payload?.features?.[key];
  if (!client || !feature) return { value: fallback, source: 'default' };
  const valid = (value: unknown): DecisionValue<K> | null => {
    if (value === null || value === undefined) return null;
    const parsed = DECISIONS[key].safeParse(value);
    if (parsed.success) return parsed.data as DecisionValue<K>;
    deps.logger.log('warn', 'experiments.invalid_value', { key });
    return null;
  };
  if (!feature.rules || feature.rules.length === 0) {
    const value = valid(feature.defaultValue);
    return value === null ? { value: fallback, source: 'default' } : { value, source: 'flag' };
  }
  const state = await deps.learner(learnerId).experimentState(learnerId);
  if (!state) return { value: fallback, source: 'default' };
  const tracked: { experiment: GbExperiment<unknown>; result: Result<unknown> }[] = [];
  const sticky: StickyAssignmentsDocument = {
    attributeName: HASH_ATTRIBUTE,
    attributeValue: learnerId,
    assignments: Object.fromEntries(state.assignments.map((a) => [a.bucketKey, a.variant])),
  };
  const user: UserContext = {
    attributes: {
      [HASH_ATTRIBUTE]: learnerId,
      background: state.background,
      experience: state.experience,
      consentModel: state.consentModel,
    },
    ...(state.consent
      ? {
          stickyBucketAssignmentDocs: { [`${HASH_ATTRIBUTE}||${learnerId}`]: sticky },
          // The assignment is kept with the exposure below, in one write to the learner's object.
          saveStickyBucketAssignmentDoc: async () => {},
          trackingCallback: (experiment, result) => {
            tracked.push({ experiment, result });
          },
        }
      : { enabled: false }),
  };
  const result = client.evalFeature(key, user);
  const value = valid(result.value);
  const exposure = tracked.find((t) => t.result.inExperiment);
  if (value === null) return { value: fallback, source: 'default' };
  if (!exposure) return { value, source: result.source === 'experiment' ? 'experiment' : 'flag' };
  const experimentId = exposure.experiment.key;
  const variant = exposure.result.key;
  const bucketKey = `${experimentId}__${exposure.experiment.bucketVersion ?? 0}`;
  const known = state.assignments.find((a) => a.experimentId === experimentId);
  if (!known || known.bucketKey !== bucketKey || known.variant !== variant) {
    await deps.learner(learnerId).recordExposure(learnerId, { experimentId, bucketKey, variant, at: now.toISOString() });
  }
  return { value, source: 'experiment', experimentId, variant };
}
