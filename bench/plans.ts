import { loadPracticeLibrary } from '../cli/practice';
import { benchPreferences, putPreferences } from './personalize';
import { eachOnce, IO_SAMPLES, roundRobin, type Route } from './measure';
import { learnerHeaders, setupFetch, type ProgressLearner, type RequestParts } from './progress';
import { forEachLimit, givenRecommendationLearners } from './recommendations';

export const PLAN_PATH = '/api/plans/today?timeZone=Europe/London';
/** The first request of a day (composes and stores the plan) must stay within this multiple of the floor's p95. */
const FIRST_P95_FACTOR = 3;
/** A repeat (the stored plan) must stay within this multiple of the floor's p95. */
const REPEAT_P95_FACTOR = 1.5;
/** Measured first requests, each by a learner asking for the first time. */
const FIRST_REQUESTS = 150;
export const PLAN_LEARNERS = IO_SAMPLES + FIRST_REQUESTS;

/** Pushes the seed practice library, as `npm start` does. */
export async function pushPracticeLibrary(url: string, authorKey: string): Promise<void> {
  const { variations, problems } = await loadPracticeLibrary('seeds/practice');
  if (problems.length > 0) throw new Error(`seeds/practice: ${problems.map((p) => p.message).join('; ')}`);
  const response = await setupFetch(`${url}/api/admin/practice/library`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${authorKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ variations }),
  });
  if (!response.ok) throw new Error(`practice library push failed: ${response.status} ${await response.text()}`);
}

/** Onboarded learners with a lesson done and a quiz answered (so plans have reviews, mastery and a next lesson), none planned yet. */
export async function givenPlanLearners(url: string, lessons: string[]): Promise<ProgressLearner[]> {
  const learners = await givenRecommendationLearners(url, PLAN_LEARNERS, {
    ipPrefix: '10.96',
    lessons,
    quizItem: `${lessons[0] ?? ''}-q1`,
    goalLesson: lessons.at(-1) ?? '',
    goalEvery: 0,
  });
  const preferences = await benchPreferences(url);
  await forEachLimit(learners, 8, (learner) => putPreferences(url, learner, preferences));
  return learners;
}

const planInit = (learner: ProgressLearner): RequestParts => ({ method: 'GET', headers: learnerHeaders(learner) });

/**
 * Today's plan, first request of the day and repeat. First: each learner once (their
 * plan is composed from the library, recommendations, mastery, reviews and past plans,
 * and stored). Repeat: the same learners round-robin, each reading the stored plan (no
 * D1 at all: the plan lives in the learner's object).
 */
export function planRoutes(learners: ProgressLearner[]): Route[] {
  if (learners.length < PLAN_LEARNERS) throw new Error(`need ${PLAN_LEARNERS} learners`);
  return [
    {
      name: "today's plan, first request of the day (GET /api/plans/today)",
      path: PLAN_PATH,
      request: eachOnce(learners, planInit),
      amount: FIRST_REQUESTS,
      p95Factor: FIRST_P95_FACTOR,
      // A week's first plan puts the learner on the summaries' schedule through their object's outbox, at heartbeats' pace.
      defersWrites: true,
    },
    {
      name: "today's plan, repeat (GET /api/plans/today)",
      path: PLAN_PATH,
      request: roundRobin(learners, planInit),
      p95Factor: REPEAT_P95_FACTOR,
      maxD1: 0,
    },
  ];
}
