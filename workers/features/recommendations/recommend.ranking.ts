import type { Deps } from '../../deps';
import { noSuchCourse } from '../content/content.catalog';
import { planPath } from './path.domain';
import { recommendationsKey } from './recommend.cache';
import { recommend, seedOf, type CourseLesson, type RankOption, type Recommendation, type RankWeights } from './recommend.domain';
import { rankWeightsFor } from './ranker.weights';
import type { LearnerContext } from './recommend.store';
import { CachedSchema, MAX_RECOMMENDATIONS, type Cached } from './recommend.schemas';

/** A cached list also ages out, for what changes without an event of the learner (due times, others' feedback). */
const CACHE_TTL_SECONDS = 600;

/** Pace for choosing goal lessons only (minutes do not matter there). */
const PLAIN_PACE = { minutesPerDay: 60, speed: 1, source: 'default' as const };

/**
 * The learner's full list at `now` from their context (`RecommendStore.context`), the
 * steps to their set goal weighted up, with the course it was ranked over. Records
 * nothing: `recommendationsFor` is what offers a list to the learner.
 */
export async function rankedFor(
  deps: Pick<Deps, 'recommend'>,
  input: {
    learnerId: string;
    learner: LearnerContext;
    allowSkips: boolean;
    now: Date;
    weights?: RankWeights;
    /** Filled with each lesson candidate's signal values (see `RankOptions.features`). */
    features?: Map<string, RankOption>;
  },
): Promise<{ items: Recommendation[]; lessons: CourseLesson[] }> {
  const { learnerId, learner, allowSkips, now, weights, features } = input;
  const lessons = await deps.recommend.course(learner.courseStamp, learner.courseId);
  const goalLessons = new Set<string>();
  if (learner.goal) {
    const path = planPath(lessons, { ...learner.signals, allowSkips }, learner.goal, PLAIN_PACE, new Map(), now.toISOString());
    for (const step of path.steps) goalLessons.add(step.lessonSlug);
  }
  const items = recommend(
    lessons,
    { ...learner.signals, goalLessons, allowSkips },
    {
      limit: MAX_RECOMMENDATIONS,
      seed: seedOf(learnerId, now.toISOString().slice(0, 10)),
      ...(weights ? { weights } : {}),
      ...(features ? { features } : {}),
    },
  );
  return { items, lessons };
}

/** Ranks the learner's full list at `now` (see `rankedFor`) and records it as offered to them. */
async function rank(
  deps: Pick<Deps, 'recommend' | 'cache' | 'learner' | 'logger'>,
  input: { learnerId: string; course: string | undefined; allowSkips: boolean; now: Date },
): Promise<{ course: string | null; items: Recommendation[] }> {
  const { learnerId, course, allowSkips, now } = input;
  const context = deps.recommend.learner(learnerId, now, course);
  const [learner, weights] = await Promise.all([
    context,
    rankWeightsFor(
      deps,
      learnerId,
      context.then((c) => c.courseId),
      now,
    ),
  ]);
  askedCourseHeld(course, learner.courseId);
  const features = new Map<string, RankOption>();
  const { items } = await rankedFor(deps, { learnerId, learner, allowSkips, now, weights, features });
  // What each offered lesson scored on goes with the offer: a choice among them teaches the weights.
  await deps.recommend.offer(
    learnerId,
    items.map((i) => ({
      id: i.id,
      reason: i.reasons[0]?.code ?? 'none',
      ...(features.has(i.id) ? { option: features.get(i.id) } : {}),
      ...(i.completionChance === undefined ? {} : { chance: i.completionChance }),
    })),
    learner.courseId,
    now,
  );
  return { course: learner.courseId, items };
}

/** A 404 for a `?course=` the catalog does not hold (the learner's context then reads as the default course). */
export function askedCourseHeld(asked: string | undefined, ranked: string | null): void {
  if (asked !== undefined && asked !== ranked) throw noSuchCourse(asked);
}

/**
 * The first `limit` items of the learner's ranked list, from the cache when it holds
 * that variant, else ranked at `now` and cached until one of their events changes it.
 */
export async function recommendationsFor(
  deps: Pick<Deps, 'recommend' | 'cache' | 'learner' | 'logger'>,
  input: { learnerId: string; course?: string | undefined; limit: number; allowSkips: boolean; now: Date },
) {
  const { learnerId, course, limit, allowSkips, now } = input;
  const variant = `${course ?? ''}:${allowSkips ? 'skips' : 'standard'}`;
  const cached = await deps.cache.getJson(recommendationsKey(learnerId), CachedSchema);
  const hit = cached?.[variant];
  if (hit) return { course: hit.course, items: hit.items.slice(0, limit), cached: true };
  const ranked = await rank(deps, { learnerId, course, allowSkips, now });
  const next: Cached = { ...cached, [variant]: ranked };
  await deps.cache.putJson(recommendationsKey(learnerId), next, { ttlSeconds: CACHE_TTL_SECONDS });
  return { course: ranked.course, items: ranked.items.slice(0, limit), cached: false };
}
