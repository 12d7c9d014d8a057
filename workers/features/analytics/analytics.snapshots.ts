import type { Deps } from '../../deps';
import { experimentResults } from '../experiments/experiments.domain';
import type { Experiment, ExperimentInput, ExperimentResults } from '../experiments/experiments.schemas';
import type { Overview } from './analytics.store';

/** A stored read older than this is computed again by the next request (the cron refreshes them every 10 minutes). */
export const SNAPSHOT_MAX_AGE_MS = 15 * 60_000;
/** Days of the overview the dashboard reads, and the cron keeps ready. */
export const OVERVIEW_DAYS = 30;

type SnapshotDeps = Pick<Deps, 'analytics' | 'experiments'>;

/**
 * A read served from its snapshot while that is fresh (younger than 15 minutes and not
 * older than `notBefore`), else computed from the rollups and stored for the next
 * reads. `fresh` always computes.
 */
async function snapshotted<T>(
  deps: SnapshotDeps,
  key: string,
  options: { now: Date; fresh: boolean; notBefore?: string | null },
  compute: () => Promise<T>,
): Promise<T> {
  if (!options.fresh) {
    const stored = await deps.analytics.snapshot(key);
    const young = stored && options.now.getTime() - Date.parse(stored.computedAt) < SNAPSHOT_MAX_AGE_MS;
    if (stored && young && (!options.notBefore || stored.computedAt >= options.notBefore)) return JSON.parse(stored.body) as T;
  }
  const value = await compute();
  await deps.analytics.saveSnapshot(key, value, options.now.toISOString());
  return value;
}

/** The overview of the last `days` days (of every course, or of `course`), with when it was computed. */
export function overviewRead(
  deps: SnapshotDeps,
  input: { days: number; course?: string | undefined; now: Date; fresh: boolean },
): Promise<Overview & { computedAt: string }> {
  const key = input.course === undefined ? `overview:${input.days}` : `overview:${input.days}:${input.course}`;
  return snapshotted(deps, key, input, async () => ({
    ...(await deps.analytics.overview(input.now.toISOString().slice(0, 10), input.days, input.course)),
    computedAt: input.now.toISOString(),
  }));
}

/**
 * An experiment's results, its metrics from the learners' activity in every course or in
 * `course`; a snapshot from before its last change (edit, start, stop, new weights) is not used.
 */
export async function resultsRead(
  deps: SnapshotDeps,
  id: string,
  input: { now: Date; fresh: boolean; course?: string | undefined },
): Promise<ExperimentResults | null> {
  const experiment = await deps.experiments.experiment(id);
  if (!experiment) return null;
  const key = input.course === undefined ? `results:${id}` : `results:${id}:${input.course}`;
  return snapshotted(deps, key, { ...input, notBefore: experiment.updatedAt }, () =>
    resultsOf(deps, experiment, input.now, input.course),
  );
}

/** The cron's step: the overview and every running experiment's results computed now, so reads find them ready. */
export async function refreshAnalytics(deps: SnapshotDeps, now: Date): Promise<number> {
  await overviewRead(deps, { days: OVERVIEW_DAYS, now, fresh: true });
  const running = (await deps.experiments.experiments()).filter((e) => e.status === 'running');
  for (const experiment of running) await resultsRead(deps, experiment.id, { now, fresh: true });
  return 1 + running.length;
}

/** An experiment's results now, from its exposures and metric moments. */
async function resultsOf(deps: Pick<Deps, 'experiments'>, experiment: Experiment, now: Date, course?: string) {
  const def = experiment.definition as ExperimentInput;
  const [exposures, metrics] = await Promise.all([
    deps.experiments.exposureCounts(experiment.id),
    deps.experiments.metricMoments(
      experiment.id,
      [def.primaryMetric, ...def.guardrailMetrics],
      now.toISOString().slice(0, 10),
      course,
    ),
  ]);
  return experimentResults({ experiment, exposures, metrics, now });
}
