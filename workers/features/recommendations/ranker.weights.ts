import { z } from 'zod';
import type { Deps } from '../../deps';
import { decide } from '../experiments/experiments.client';
import { FIT_DEFAULTS, fitRankerWeights } from './ranker.fit';
import { WEIGHTS, type RankWeights } from './recommend.domain';

/** Days of logged choices a refit reads (older ones are pruned). */
export const CHOICE_WINDOW_DAYS = 56;
/** A course is refitted at most this often. */
const REFIT_HOURS = 20;
/** Most choices one refit reads (the newest). */
const MAX_CHOICES = 10_000;
/** How long an isolate keeps the learned weights it read from KV. */
const MEMO_MS = 60_000;

export const learnedWeightsKey = (courseId: string) => `ranker:weights:${courseId}`;

const WeightsSchema = z.object({
  version: z.number().int(),
  weights: z.record(z.string(), z.number().min(0).max(1)),
});

const memo = new Map<string, { at: number; weights: RankWeights | null }>();

/**
 * Stored weights with a value for every signal: a signal added since the refit that
 * stored them (engagement) takes its hand-set weight until the next refit learns it.
 */
const complete = (weights: Record<string, number>): RankWeights =>
  Object.fromEntries((Object.keys(WEIGHTS) as (keyof RankWeights)[]).map((k) => [k, weights[k] ?? WEIGHTS[k]])) as RankWeights;

/** A course's newest learned weights (from KV, kept per isolate for a minute); null before its first refit. */
export async function learnedWeights(deps: Pick<Deps, 'cache'>, courseId: string | null): Promise<RankWeights | null> {
  if (!courseId) return null;
  const now = Date.now();
  const known = memo.get(courseId);
  if (known && now - known.at < MEMO_MS) return known.weights;
  const stored = await deps.cache.getJson(learnedWeightsKey(courseId), WeightsSchema);
  const weights = stored ? complete(stored.weights) : null;
  memo.set(courseId, { at: now, weights });
  return weights;
}

/**
 * The weights a learner's ranking uses: weights a flag or an experiment sets through
 * `recs.weights`; else, while `recs.learned` holds (the default), the course's newest
 * refit; else (or before the first refit) the hand-set weights.
 */
export async function rankWeightsFor(
  deps: Pick<Deps, 'cache' | 'learner' | 'logger'>,
  learnerId: string,
  courseId: Promise<string | null>,
  now: Date,
): Promise<RankWeights> {
  const [picked, learned] = await Promise.all([
    decide(deps, learnerId, 'recs.weights', WEIGHTS, now),
    decide(deps, learnerId, 'recs.learned', true, now),
  ]);
  if (picked.source !== 'default' || !learned.value) return picked.value;
  return (await learnedWeights(deps, await courseId)) ?? WEIGHTS;
}

export interface RefitOutcome {
  courseId: string;
  choices: number;
  version: number | null;
  changed: boolean;
  reason: string;
}

/**
 * The cron job: per course with choices in the window, when its last refit is older than
 * REFIT_HOURS (or `force`), refits the weights from the newest choices with the weights
 * in use as the prior (`fitRankerWeights`), stores the fit as a new version and publishes
 * it to KV for the rankings. Choices older than the window are pruned first.
 */
export async function refitRanker(
  deps: Pick<Deps, 'recommend' | 'cache' | 'logger'>,
  now: Date,
  options: { force?: boolean } = {},
): Promise<RefitOutcome[]> {
  const since = new Date(now.getTime() - CHOICE_WINDOW_DAYS * 86_400_000).toISOString().slice(0, 10);
  await deps.recommend.pruneChoices(since);
  const outcomes: RefitOutcome[] = [];
  for (const courseId of await deps.recommend.choiceCourses(since)) {
    const [latest] = await deps.recommend.weightHistory(courseId, 1);
    if (!options.force && latest && now.getTime() - Date.parse(latest.fittedAt) < REFIT_HOURS * 3_600_000) continue;
    const choices = await deps.recommend.choices(courseId, since, MAX_CHOICES);
    const fit = fitRankerWeights(choices, latest?.weights ?? WEIGHTS, FIT_DEFAULTS);
    // Too few choices: nothing was fitted (and checking again costs one cheap query). A fit that
    // moved nothing is still stored, so the course waits REFIT_HOURS before the next.
    if (fit.choices < FIT_DEFAULTS.minChoices) {
      outcomes.push({ courseId, choices: fit.choices, version: latest?.version ?? null, changed: false, reason: fit.reason });
      continue;
    }
    const version = (latest?.version ?? 0) + 1;
    const stored = await deps.recommend.saveWeights({
      courseId,
      version,
      fittedAt: now.toISOString(),
      weights: fit.weights,
      fit,
    });
    if (stored) {
      await deps.cache.putJson(learnedWeightsKey(courseId), { version, weights: fit.weights });
      memo.delete(courseId);
      deps.logger.log('info', 'ranker.refitted', { courseId, version, choices: fit.choices, heldOut: fit.heldOut });
    }
    outcomes.push({ courseId, choices: fit.choices, version, changed: stored && fit.changed, reason: fit.reason });
  }
  return outcomes;
}
