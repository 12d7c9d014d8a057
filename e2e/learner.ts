import type { BrowserContextOptions } from 'playwright-core';

/** What the site keeps in localStorage under `learnedge.learner` (see site/src/lib/api.ts). */
export interface LearnerSession {
  learnerId: string;
  token: string;
  expiresAt: string;
}

export const SESSION_KEY = 'learnedge.learner';

/** The seed course's address: the old `/lessons/<slug>` addresses redirect under it. */
export const SEED_COURSE_PATH = '/courses/practical-sql';

async function call<T>(url: string, init: RequestInit & { token?: string } = {}): Promise<T> {
  const { token, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  if (rest.body) headers.set('content-type', 'application/json');
  const response = await fetch(url, { ...rest, headers });
  if (!response.ok) throw new Error(`${rest.method ?? 'GET'} ${url} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/**
 * A learner created and onboarded through the API, for tests about reading rather
 * than onboarding. `answers` override the defaults (the course's first part as goal).
 */
export async function onboardedLearner(baseUrl: string, answers: Record<string, unknown> = {}): Promise<LearnerSession> {
  const session = await call<LearnerSession>(`${baseUrl}/api/learners`, { method: 'POST' });
  const { questions } = await call<{ questions: { id: string; options: { id: string }[] }[] }>(
    `${baseUrl}/api/onboarding/questions`,
  );
  const firstGoal = questions.find((q) => q.id === 'goals')?.options[0]?.id;
  const body = {
    answers: {
      experience: 'working',
      background: 'software',
      goals: [firstGoal],
      style: 'mixed',
      sessionMinutes: 60,
      exampleDomain: 'general',
      ...answers,
    },
  };
  await call(`${baseUrl}/api/onboarding`, { method: 'POST', token: session.token, body: JSON.stringify(body) });
  return session;
}

/** Calls a learner endpoint as `session`, e.g. to prepare state a page then shows. */
export function asLearner<T>(baseUrl: string, session: LearnerSession, path: string, init: RequestInit = {}): Promise<T> {
  return call<T>(`${baseUrl}${path}`, { ...init, token: session.token });
}

/** Context options that open the site as this learner (or with any raw stored value). */
export function storedSession(baseUrl: string, value: LearnerSession | string): Pick<BrowserContextOptions, 'storageState'> {
  return {
    storageState: {
      cookies: [],
      origins: [
        {
          origin: new URL(baseUrl).origin,
          localStorage: [{ name: SESSION_KEY, value: typeof value === 'string' ? value : JSON.stringify(value) }],
        },
      ],
    },
  };
}
