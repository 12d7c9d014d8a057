import { randomUUID } from 'node:crypto';

/** Learners whose progress the bench writes and reads, round-robin, each on its own address. */
export const PROGRESS_LEARNERS = 10;
/** Lessons each learner starts and completes before the runs, in book order. */
const COMPLETED_LESSONS = 3;
/** Heartbeats each learner sends before the runs, on the heartbeat lesson. */
const SETUP_HEARTBEATS = 5;
const HEARTBEAT_SECONDS = 30;

export interface ProgressLearner {
  token: string;
  ip: string;
}

/** Method, headers and body of one request, as autocannon's `setupRequest` and `fetch` both take them. */
export interface RequestParts {
  method: 'GET' | 'POST' | 'PUT';
  headers: Record<string, string>;
  body?: string;
}

export function learnerHeaders(learner: ProgressLearner): Record<string, string> {
  return { authorization: `Bearer ${learner.token}`, 'cf-connecting-ip': learner.ip };
}

/** One heartbeat with a fresh event id, so every request is a new write and none is deduplicated. */
export function heartbeat(learner: ProgressLearner): RequestParts {
  return {
    method: 'PUT',
    headers: { ...learnerHeaders(learner), 'content-type': 'application/json' },
    body: JSON.stringify({ eventId: randomUUID(), seconds: HEARTBEAT_SECONDS }),
  };
}

export function overview(learner: ProgressLearner): RequestParts {
  return { method: 'GET', headers: learnerHeaders(learner) };
}

/**
 * `fetch` for setup requests, sent again (up to three times) when `wrangler dev` answers
 * that the Worker restarted mid-request, as it does when files change under it. Setup
 * only: measured requests are never retried.
 */
export async function setupFetch(url: string, init: RequestInit): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(url, init);
    if (response.status !== 503 || attempt === 3) return response;
    if (!(await response.clone().text()).includes('restarted mid-request')) return response;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** One progress write with a fresh event id; throws on anything but 2xx. */
export async function progressWrite(url: string, learner: ProgressLearner, path: string, method: 'POST' | 'PUT', body: object) {
  const response = await setupFetch(`${url}/api/progress${path}`, {
    method,
    headers: { ...learnerHeaders(learner), 'content-type': 'application/json' },
    body: JSON.stringify({ eventId: randomUUID(), ...body }),
  });
  if (!response.ok) throw new Error(`${method} ${path} failed: ${response.status} ${await response.text()}`);
}

/** A new learner on its own address (the learner-create limit is per IP). */
export async function createLearner(url: string, ip: string): Promise<ProgressLearner> {
  const created = await setupFetch(`${url}/api/learners`, { method: 'POST', headers: { 'cf-connecting-ip': ip } });
  if (!created.ok) throw new Error(`learner create failed: ${created.status} ${await created.text()}`);
  return { token: (await created.json<{ token: string }>()).token, ip };
}

/** Starts and completes one lesson, as a learner reading it would. */
export async function completeLesson(url: string, learner: ProgressLearner, slug: string): Promise<void> {
  await progressWrite(url, learner, `/lessons/${slug}/start`, 'POST', {});
  await progressWrite(url, learner, `/lessons/${slug}/complete`, 'POST', {});
}

/** Book order of the pushed course's lessons. */
export async function bookLessons(url: string): Promise<string[]> {
  return (await bookLessonList(url)).map((l) => l.slug);
}

/** The titles of the pushed course's lessons, in course order. */
export async function bookLessonTitles(url: string): Promise<string[]> {
  return (await bookLessonList(url)).map((l) => l.title);
}

async function bookLessonList(url: string): Promise<{ slug: string; title: string }[]> {
  const book = await (
    await fetch(`${url}/api/content/book`)
  ).json<{
    parts: { chapters: { lessons: { slug: string; title: string }[] }[] }[];
  }>();
  return book.parts.flatMap((p) => p.chapters.flatMap((c) => c.lessons));
}

/**
 * Learners with progress to read: each has started and completed the first lessons of
 * the pushed course, started `heartbeatLesson` and sent a few heartbeats on it.
 */
export async function givenProgressLearners(url: string, heartbeatLesson: string): Promise<ProgressLearner[]> {
  const completed = (await bookLessons(url)).filter((slug) => slug !== heartbeatLesson).slice(0, COMPLETED_LESSONS);
  if (completed.length < COMPLETED_LESSONS) throw new Error(`the pushed course has fewer than ${COMPLETED_LESSONS + 1} lessons`);
  return Promise.all(
    Array.from({ length: PROGRESS_LEARNERS }, async (_, i) => {
      // Apart from the other learners' addresses: the learner-create limit is per IP.
      const learner = await createLearner(url, `10.98.0.${i + 1}`);
      for (const slug of completed) await completeLesson(url, learner, slug);
      await progressWrite(url, learner, `/lessons/${heartbeatLesson}/start`, 'POST', {});
      for (let k = 0; k < SETUP_HEARTBEATS; k++) {
        await progressWrite(url, learner, `/lessons/${heartbeatLesson}/time`, 'PUT', { seconds: HEARTBEAT_SECONDS });
      }
      return learner;
    }),
  );
}

/**
 * Events applied to these learners so far, summed from their own overviews (the daily
 * activity counts every applied event once): before and after a write run, it shows
 * whether each response was a real write rather than a deduplicated repeat.
 */
export async function appliedEvents(url: string, learners: ProgressLearner[]): Promise<number> {
  let events = 0;
  for (const learner of learners) {
    const response = await fetch(`${url}/api/progress`, overview(learner));
    if (!response.ok) throw new Error(`GET /api/progress failed: ${response.status} ${await response.text()}`);
    const { days } = await response.json<{ days: { events: number }[] }>();
    events += days.reduce((sum, d) => sum + d.events, 0);
  }
  return events;
}
