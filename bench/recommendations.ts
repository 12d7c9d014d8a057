import { randomUUID } from 'node:crypto';
import { eachOnce, IO_SAMPLES, roundRobin, type Route } from './measure';
import { completeLesson, createLearner, learnerHeaders, setupFetch, type ProgressLearner, type RequestParts } from './progress';

export const RECOMMENDATIONS_PATH = '/api/recommendations?limit=5';
/** A cached request's p95 must stay within this multiple of the floor's p95. */
const CACHED_P95_FACTOR = 2;
/** An uncached request (a full ranking) must stay within this multiple of the floor's p95. */
const UNCACHED_P95_FACTOR = 4;
/** Measured uncached requests, each by a learner asked for the first time. */
const UNCACHED_REQUESTS = 150;
/** Learners setting up at once (the machine has 2 cores; more only queues). */
const SETUP_CONCURRENCY = 8;

export function recommendationsInit(learner: ProgressLearner): RequestParts {
  return { method: 'GET', headers: learnerHeaders(learner) };
}

/** Runs `task` over `items`, at most `limit` at a time. */
export async function forEachLimit<T>(items: T[], limit: number, task: (item: T, index: number) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) await task(items[i] as T, i);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

async function send(url: string, learner: ProgressLearner, path: string, method: 'POST' | 'PUT', body: object) {
  const response = await setupFetch(`${url}${path}`, {
    method,
    headers: { ...learnerHeaders(learner), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path} failed: ${response.status} ${await response.text()}`);
}

export interface RecommendationSetup {
  /** First address octets; learner i gets `<prefix>.<i / 250>.<i % 250 + 1>`. */
  ipPrefix: string;
  /** Lessons in course order: learner i completes the first one or two. */
  lessons: string[];
  /** Quiz item each learner answers (right for some, wrong for others): mastery, due reviews, open quizzes. */
  quizItem: string;
  /** Learners that set this lesson as their goal, so the ranking also plans a path to it. */
  goalLesson: string;
  /** Every `goalEvery`-th learner sets the goal (1: all, 0: none). */
  goalEvery: number;
}

/**
 * Learners with the signals a ranking reads: one or two lessons completed, one quiz
 * answer, a goal for some. Each is created on its own address and asked nothing yet,
 * so its first recommendations request ranks.
 */
export async function givenRecommendationLearners(url: string, count: number, setup: RecommendationSetup) {
  const learners: ProgressLearner[] = new Array<ProgressLearner>(count);
  await forEachLimit(
    Array.from({ length: count }, (_, i) => i),
    SETUP_CONCURRENCY,
    async (i) => {
      const learner = await createLearner(url, `${setup.ipPrefix}.${Math.floor(i / 250)}.${(i % 250) + 1}`);
      for (const slug of setup.lessons.slice(0, 1 + (i % 2))) await completeLesson(url, learner, slug);
      await send(url, learner, '/api/quizzes/attempts', 'POST', { eventId: randomUUID(), itemId: setup.quizItem, answer: i % 4 });
      if (setup.goalEvery > 0 && i % setup.goalEvery === 0) {
        await send(url, learner, '/api/learners/me/goal', 'PUT', { type: 'lesson', id: setup.goalLesson });
      }
      learners[i] = learner;
    },
  );
  return learners;
}

/** Recomputes co-completion now (the cron job's work), so the ranking's collaborative signal has rows. */
export async function refreshPairs(url: string, authorKey: string): Promise<number> {
  const response = await setupFetch(`${url}/api/admin/recommendations/refresh`, {
    method: 'POST',
    headers: { authorization: `Bearer ${authorKey}` },
  });
  if (!response.ok) throw new Error(`pairs refresh failed: ${response.status} ${await response.text()}`);
  return (await response.json<{ pairs: number }>()).pairs;
}

/** Learners the two recommendation rows need: each uncached request uses one up. */
export const RECOMMENDATION_LEARNERS = IO_SAMPLES + UNCACHED_REQUESTS;

/**
 * The uncached and the cached recommendations rows, over `learners` (RECOMMENDATION_LEARNERS
 * of them, none asked yet).
 *
 * Uncached: every request is a learner's first, so each one ranks (KV miss, the two D1
 * batches, the KV write) and nothing else runs. The alternative, dropping the learner's
 * cache with an event before each request, would mix event writes into the load (and
 * grow the learner's progress with every request), so the row would measure a
 * write-plus-read workload against a floor that has none. The pool bounds the row
 * instead: a fixed number of requests, each learner exactly once, every body checked
 * for `cached: false`.
 *
 * Cached: the same learners, each warmed (its ranking done) before, round-robin for
 * the run's duration; every body must say `cached: true`, and Server-Timing 0 D1 queries
 * and 1 KV read.
 */
export function recommendationRoutes(url: string, learners: ProgressLearner[]): Route[] {
  if (learners.length < RECOMMENDATION_LEARNERS) throw new Error(`need ${RECOMMENDATION_LEARNERS} learners`);
  return [
    {
      name: 'recommendations, uncached (GET /api/recommendations?limit=5)',
      path: RECOMMENDATIONS_PATH,
      request: eachOnce(learners, recommendationsInit),
      amount: UNCACHED_REQUESTS,
      p95Factor: UNCACHED_P95_FACTOR,
      cached: false,
    },
    {
      name: 'recommendations, cached (GET /api/recommendations?limit=5)',
      path: RECOMMENDATIONS_PATH,
      prepare: () =>
        forEachLimit(learners, SETUP_CONCURRENCY, async (learner) => {
          const response = await fetch(`${url}${RECOMMENDATIONS_PATH}`, recommendationsInit(learner));
          if (!response.ok) throw new Error(`recommendations failed: ${response.status} ${await response.text()}`);
          await response.arrayBuffer();
        }),
      request: roundRobin(learners, recommendationsInit),
      p95Factor: CACHED_P95_FACTOR,
      maxD1: 0,
      kvReads: 1,
      cached: true,
    },
  ];
}
