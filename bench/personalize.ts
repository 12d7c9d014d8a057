import type { RequestParts } from './progress';
import { timingCount } from './server-timing';

/**
 * Learners sharing one profile (so one cache entry), each on its own address: the
 * per-learner and per-IP rate limits stay out of the measurement, as with real traffic.
 */
const LEARNERS = 80;

export interface Learner {
  token: string;
  ip: string;
}

/** The one profile the benchmark's onboarded learners share (goal: the course's first part). */
export async function benchPreferences(url: string) {
  const questions = await (
    await fetch(`${url}/api/onboarding/questions`)
  ).json<{
    questions: { id: string; options: { id: string }[] }[];
  }>();
  const goal = questions.questions.find((q) => q.id === 'goals')?.options[0]?.id ?? '';
  return {
    experience: 'basic',
    background: 'data',
    goals: [goal],
    style: 'hands-on',
    sessionMinutes: 20,
    exampleDomain: 'retail',
  };
}

/** Stores `preferences` as the learner's (onboarded). */
export async function putPreferences(url: string, learner: Learner, preferences: object): Promise<void> {
  const put = await fetch(`${url}/api/learners/me/preferences`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${learner.token}`, 'content-type': 'application/json', 'cf-connecting-ip': learner.ip },
    body: JSON.stringify(preferences),
  });
  if (!put.ok) throw new Error(`preferences failed: ${put.status} ${await put.text()}`);
}

/** Learners with one shared profile, and that profile's personalized lesson made once. */
export async function givenLearners(url: string): Promise<Learner[]> {
  const preferences = await benchPreferences(url);
  const learners: Learner[] = [];
  for (let i = 0; i < LEARNERS; i++) {
    const ip = `10.99.${Math.floor(i / 250)}.${(i % 250) + 1}`;
    const created = await fetch(`${url}/api/learners`, { method: 'POST', headers: { 'cf-connecting-ip': ip } });
    const learner = { token: (await created.json<{ token: string }>()).token, ip };
    await putPreferences(url, learner, preferences);
    learners.push(learner);
  }
  return learners;
}

export function personalizeInit(lessonSlug: string): (learner: Learner) => RequestParts {
  return (learner) => ({
    method: 'POST',
    headers: { authorization: `Bearer ${learner.token}`, 'content-type': 'application/json', 'cf-connecting-ip': learner.ip },
    body: JSON.stringify({ lessonSlug }),
  });
}

export interface HitCost {
  kvReads: number;
  modelCalls: number;
  allCached: boolean;
}

/** What one cache hit costs, read from the Server-Timing header of sequential requests. */
export async function hitCost(url: string, learners: Learner[], lessonSlug: string): Promise<HitCost> {
  let kvReads = 0;
  let modelCalls = 0;
  let allCached = true;
  for (const learner of learners.slice(0, 20)) {
    const response = await fetch(`${url}/api/personalize`, personalizeInit(lessonSlug)(learner));
    const timing = response.headers.get('server-timing') ?? '';
    kvReads = Math.max(kvReads, timingCount(timing, 'kv') ?? NaN);
    modelCalls = Math.max(modelCalls, timingCount(timing, 'model') ?? NaN);
    allCached &&= (await response.json<{ cached?: boolean }>()).cached === true;
  }
  return { kvReads, modelCalls, allCached };
}
