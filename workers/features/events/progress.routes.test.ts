import { describe, expect, it } from 'vitest';
import type { Problem } from '../../http/problem';
import { api, buildCourse, givenAuthorKey, givenLearner, learnerSql, push } from '../../test/builders';
import { streakDays, weekOf } from './progress.domain';

async function givenCourse() {
  await push(await buildCourse(4), await givenAuthorKey());
}

const write = (token: string, method: 'POST' | 'PUT', path: string, json: unknown) =>
  api(`/api/progress${path}`, { method, key: token, json });

describe('progress', () => {
  it('records start, heartbeats (60 s at most each) and completion, once per eventId, readable at once', async () => {
    await givenCourse();
    const { token } = await givenLearner(null);
    const start = { eventId: crypto.randomUUID() };
    expect(await (await write(token, 'POST', '/lessons/lesson-2/start', start)).json()).toMatchObject({
      applied: true,
      progress: { lessonSlug: 'lesson-2', completedAt: null, activeSeconds: 0 },
    });
    await write(token, 'PUT', '/lessons/lesson-2/time', { eventId: crypto.randomUUID(), seconds: 45 });
    const beat = { eventId: crypto.randomUUID(), seconds: 900 };
    expect(
      (await (await write(token, 'PUT', '/lessons/lesson-2/time', beat)).json<{ progress: { activeSeconds: number } }>()).progress
        .activeSeconds,
    ).toBe(105);
    // The same heartbeat again (a retried request) counts once.
    const again = await (
      await write(token, 'PUT', '/lessons/lesson-2/time', beat)
    ).json<{ applied: boolean; progress: { activeSeconds: number } }>();
    expect(again).toMatchObject({ applied: false, progress: { activeSeconds: 105 } });
    await write(token, 'POST', '/lessons/lesson-2/complete', { eventId: crypto.randomUUID() });
    const read = await (
      await api('/api/progress/lessons/lesson-2', { key: token })
    ).json<{ startedAt: string; completedAt: string }>();
    expect(read.startedAt).toEqual(expect.any(String));
    expect(read.completedAt).toEqual(expect.any(String));
  });

  it("reads the whole summary with one D1 query and one call to the learner's object (counted in Server-Timing)", async () => {
    await givenCourse();
    const { token } = await givenLearner(null);
    await write(token, 'POST', '/lessons/lesson-1/complete', { eventId: crypto.randomUUID() });
    const response = await api('/api/progress', { key: token });
    expect(response.status).toBe(200);
    expect(response.headers.get('server-timing')).toContain('d1;desc="1 queries", d1w;desc="0 writes", learner;desc="1 calls"');
    const health = await api('/api/health');
    expect(health.headers.get('server-timing')).toContain('d1;desc="1 queries"');
  });

  it('summarizes completion per part and chapter, time per day and week, streak and last lesson', async () => {
    await givenCourse();
    const { token } = await givenLearner(null);
    await write(token, 'POST', '/lessons/lesson-1/complete', { eventId: crypto.randomUUID() });
    await write(token, 'PUT', '/lessons/lesson-3/time', { eventId: crypto.randomUUID(), seconds: 30 });
    const progress = await (
      await api('/api/progress', { key: token })
    ).json<{
      lessons: { total: number; started: number; completed: number };
      parts: { slug: string; lessons: number; completed: number; chapters: { slug: string; completed: number }[] }[];
      days: { activeSeconds: number; events: number }[];
      weeks: { activeSeconds: number }[];
      streakDays: number;
      lastLesson: { slug: string } | null;
    }>();
    expect(progress.lessons).toEqual({ total: 4, started: 0, completed: 1 });
    expect(progress.parts.map((p) => [p.slug, p.lessons, p.completed])).toEqual([
      ['basics', 2, 1],
      ['deeper', 2, 0],
    ]);
    expect(progress.parts[0]?.chapters.map((c) => [c.slug, c.completed])).toEqual([
      ['first-steps', 1],
      ['next-steps', 0],
    ]);
    expect(progress.days).toEqual([expect.objectContaining({ activeSeconds: 30, events: 2 })]);
    expect(progress.weeks.map((w) => w.activeSeconds)).toEqual([30]);
    expect(progress.streakDays).toBe(1);
    expect(progress.lastLesson?.slug).toMatch(/^lesson-[13]$/);
  });

  it('continues the last lesson opened while it is unfinished, else the next unfinished one, never a completed one', async () => {
    await givenCourse();
    const { token } = await givenLearner(null);
    const continueLesson = async () =>
      (await (await api('/api/progress', { key: token })).json<{ continueLesson: { slug: string; reason: string } | null }>())
        .continueLesson;
    // Nothing opened yet: the course's first lesson.
    expect(await continueLesson()).toMatchObject({ slug: 'lesson-1', reason: 'first' });
    await write(token, 'POST', '/lessons/lesson-1/start', { eventId: crypto.randomUUID() });
    expect(await continueLesson()).toMatchObject({ slug: 'lesson-1', reason: 'in_progress' });
    await write(token, 'POST', '/lessons/lesson-1/complete', { eventId: crypto.randomUUID() });
    expect(await continueLesson()).toMatchObject({ slug: 'lesson-2', reason: 'next' });
    // Completing lesson-3 out of order: the next unfinished one after it is lesson-4.
    await write(token, 'POST', '/lessons/lesson-3/start', { eventId: crypto.randomUUID() });
    await write(token, 'POST', '/lessons/lesson-3/complete', { eventId: crypto.randomUUID() });
    expect(await continueLesson()).toMatchObject({ slug: 'lesson-4', reason: 'next' });
    await write(token, 'POST', '/lessons/lesson-4/start', { eventId: crypto.randomUUID() });
    await write(token, 'POST', '/lessons/lesson-4/complete', { eventId: crypto.randomUUID() });
    // Nothing after lesson-4: back to the first unfinished one.
    expect(await continueLesson()).toMatchObject({ slug: 'lesson-2', reason: 'next' });
    // The outline's marks: what was completed, nothing for lessons never opened.
    const { lessonStates } = await (await api('/api/progress', { key: token })).json<{ lessonStates: unknown[] }>();
    expect(lessonStates).toEqual([
      { slug: 'lesson-1', state: 'completed' },
      { slug: 'lesson-3', state: 'completed' },
      { slug: 'lesson-4', state: 'completed' },
    ]);
  });

  it('keeps each learner to their own progress', async () => {
    await givenCourse();
    const a = await givenLearner(null);
    const b = await givenLearner(null);
    await write(a.token, 'POST', '/lessons/lesson-1/complete', { eventId: crypto.randomUUID() });
    const seen = await (await api('/api/progress', { key: b.token })).json<{ lessons: { completed: number } }>();
    expect(seen.lessons.completed).toBe(0);
    expect(await (await api('/api/progress/lessons/lesson-1', { key: b.token })).json()).toMatchObject({ completedAt: null });
  });

  it.each([
    ['an unknown lesson', 'POST', '/lessons/no-such-lesson/start', { eventId: crypto.randomUUID() }, 404, null],
    ['a bad event id', 'POST', '/lessons/lesson-1/start', { eventId: 'x' }, 400, 'json/eventId'],
    ['zero seconds', 'PUT', '/lessons/lesson-1/time', { eventId: crypto.randomUUID(), seconds: 0 }, 400, 'json/seconds'],
    ['an extra field', 'POST', '/lessons/lesson-1/complete', { eventId: crypto.randomUUID(), score: 3 }, 400, 'json/score'],
  ] as const)('answers %s with %i', async (_case, method, path, json, status, field) => {
    await givenCourse();
    const { token } = await givenLearner(null);
    const response = await write(token, method, path, json);
    expect(response.status).toBe(status);
    if (field) expect((await response.json<Problem>()).errors?.map((e) => e.field)).toContain(field);
  });

  it('writes nothing for an unknown lesson or for a learner who no longer exists', async () => {
    await givenCourse();
    const { token, learnerId } = await givenLearner(null);
    expect(
      (await write(token, 'PUT', '/lessons/no-such-lesson/time', { eventId: crypto.randomUUID(), seconds: 30 })).status,
    ).toBe(404);
    // Read as written: no lesson of that name is a 404 too, a lesson not started yet is zeros.
    const unknown = await api('/api/progress/lessons/no-such-lesson', { key: token });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');
    expect(await (await api('/api/progress/lessons/lesson-2', { key: token })).json()).toMatchObject({
      startedAt: null,
      activeSeconds: 0,
    });
    await learnerSql(learnerId, 'DELETE FROM profile');
    const gone = await write(token, 'PUT', '/lessons/lesson-1/time', { eventId: crypto.randomUUID(), seconds: 30 });
    expect(gone.status).toBe(401);
    expect(await learnerSql(learnerId, 'SELECT count(*) AS n FROM events')).toEqual([{ n: 0 }]);
    expect(await learnerSql(learnerId, 'SELECT count(*) AS n FROM lesson_progress')).toEqual([{ n: 0 }]);
  });

  it('refuses every progress route without a token', async () => {
    for (const [method, path] of [
      ['GET', '/api/progress'],
      ['GET', '/api/progress/lessons/lesson-1'],
      ['POST', '/api/progress/lessons/lesson-1/start'],
      ['PUT', '/api/progress/lessons/lesson-1/time'],
      ['POST', '/api/progress/lessons/lesson-1/complete'],
    ] as const) {
      expect(
        (await api(path, { method, json: method === 'GET' ? undefined : { eventId: crypto.randomUUID() } })).status,
        path,
      ).toBe(401);
    }
  });
});

describe('progress domain', () => {
  it('counts a streak up to today, or up to yesterday before today has activity', () => {
    const days = new Set(['2026-11-18', '2026-11-19', '2026-11-20', '2026-11-21']);
    expect(streakDays(days, '2026-11-21')).toBe(4);
    expect(streakDays(days, '2026-11-22')).toBe(4);
    expect(streakDays(days, '2026-11-23')).toBe(0);
    expect(streakDays(new Set(), '2026-11-22')).toBe(0);
  });

  it('puts a day in the week starting on its Monday', () => {
    expect(weekOf('2026-11-22')).toBe('2026-11-16');
    expect(weekOf('2026-11-16')).toBe('2026-11-16');
  });
});
