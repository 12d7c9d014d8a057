import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Problem } from '../../http/problem';
import {
  api,
  buildCourse,
  givenAuthorKey,
  givenLearner,
  givenTwoCourses,
  lessonBody,
  PREFERENCES,
  push,
  readEvents,
  untilLimited,
} from '../../test/builders';
import type { PersonalizedLesson } from './personalize.schemas';

async function givenCourse(body = lessonBody('lesson-2')) {
  const key = await givenAuthorKey();
  await push(await buildCourse(4, { 'lesson-2': { body } }), key);
  return key;
}

async function personalize(token: string, lessonSlug = 'lesson-2') {
  const response = await api('/api/personalize', { method: 'POST', key: token, json: { lessonSlug } });
  return { response, body: response.status === 200 ? await response.json<PersonalizedLesson>() : null };
}

function io(response: Response) {
  const timing = response.headers.get('server-timing') ?? '';
  return {
    kvReads: Number(/kv;desc="(\d+) reads"/.exec(timing)?.[1]),
    modelCalls: Number(/model;desc="(\d+) calls"/.exec(timing)?.[1]),
  };
}

describe('personalized lessons, offline engine', () => {
  it('adapts a lesson offline, then serves the same text from KV with one read and no model call', async () => {
    await givenCourse();
    const { token } = await givenLearner();
    const first = await personalize(token);
    expect(first.response.status).toBe(200);
    expect(first.body).toMatchObject({ lessonSlug: 'lesson-2', cached: false, engine: 'offline', model: null, degraded: false });
    expect(first.body?.adaptations.length).toBeGreaterThan(0);
    expect(first.body?.markdown).toContain('SELECT 1;');
    const second = await personalize(token);
    expect(second.body).toMatchObject({ cached: true, engine: 'offline', markdown: first.body?.markdown });
    expect(io(second.response)).toEqual({ kvReads: 1, modelCalls: 0 });
  });

  it('adapts to what the learner has shown: a recap of a prerequisite their answers put low, in a new cache entry', async () => {
    const key = await givenAuthorKey();
    const item = (id: string) => ({
      id,
      question: `${id}?`,
      choices: ['a', 'b', 'c'],
      answer: 0,
      explanation: 'a',
      concept: 'concept-1',
    });
    await push(await buildCourse(4, { 'lesson-1': { quiz: [item('q-a'), item('q-b'), item('q-c')] } }), key);
    const { token } = await givenLearner();
    const before = await personalize(token);
    expect(before.body?.adaptations.some((a) => a.includes('measured'))).toBe(false);
    // Three wrong answers on lesson-1's concept, which lesson-2 builds on.
    for (const itemId of ['q-a', 'q-b', 'q-c']) {
      const graded = await api('/api/quizzes/attempts', {
        method: 'POST',
        key: token,
        json: { eventId: crypto.randomUUID(), itemId, answer: 1 },
      });
      expect(graded.status).toBe(200);
    }
    const after = await personalize(token);
    expect(after.body?.cached).toBe(false);
    const recap = after.body?.adaptations.find((a) => a.startsWith('Recap of'));
    expect(recap).toMatch(/^Recap of “.+”: measured mastery of .+ \d+% \(0 of 3 answers right\)$/);
    expect(after.body?.markdown).toContain('> **Look back first**');
    expect(after.body?.markdown).toContain('(/lessons/lesson-1)');
    // The same measurements again: the same text, from the cache.
    expect((await personalize(token)).body).toMatchObject({ cached: true, markdown: after.body?.markdown });
  });

  it('shares one cache entry between learners with the same canonical profile', async () => {
    await givenCourse();
    const a = await givenLearner({ sessionMinutes: 25 });
    const b = await givenLearner({ sessionMinutes: 30 });
    const first = await personalize(a.token);
    const second = await personalize(b.token);
    expect(second.body).toMatchObject({ cached: true, preferencesHash: first.body?.preferencesHash });
  });

  it('misses the cache after a preference change, and hits again for the old profile', async () => {
    await givenCourse();
    const { token } = await givenLearner();
    const before = await personalize(token);
    await api('/api/learners/me/preferences', { method: 'PUT', key: token, json: { ...PREFERENCES, experience: 'expert' } });
    const after = await personalize(token);
    expect(after.body?.cached).toBe(false);
    expect(after.body?.preferencesHash).not.toBe(before.body?.preferencesHash);
    expect(after.body?.markdown).not.toBe(before.body?.markdown);
    await api('/api/learners/me/preferences', { method: 'PUT', key: token, json: PREFERENCES });
    expect((await personalize(token)).body).toMatchObject({ cached: true, markdown: before.body?.markdown });
  });

  it('misses the cache after the lesson is re-pushed with new text', async () => {
    const key = await givenCourse();
    const { token } = await givenLearner();
    const before = await personalize(token);
    await push(await buildCourse(4, { 'lesson-2': { body: lessonBody('lesson-2', '\n\nA new paragraph.') } }), key);
    const after = await personalize(token);
    expect(after.body?.cached).toBe(false);
    expect(after.body?.contentHash).not.toBe(before.body?.contentHash);
    expect(after.body?.markdown).toContain('A new paragraph.');
  });

  it('misses the cache when a prerequisite lesson it recaps is re-pushed with a new summary', async () => {
    const key = await givenCourse();
    const { token } = await givenLearner({ experience: 'none' });
    const before = await personalize(token);
    expect(before.body?.markdown).toContain('Summary of lesson 1');
    await push(
      await buildCourse(4, { 'lesson-1': { summary: 'A clearer summary' }, 'lesson-2': { body: lessonBody('lesson-2') } }),
      key,
    );
    const after = await personalize(token);
    expect(after.body?.cached).toBe(false);
    expect(after.body?.contentHash).toBe(before.body?.contentHash);
    expect(after.body?.markdown).toContain('A clearer summary');
  });

  it('drops the caller’s entries on DELETE /api/personalize/cache', async () => {
    await givenCourse();
    const { token } = await givenLearner();
    await personalize(token, 'lesson-2');
    await personalize(token, 'lesson-3');
    const deleted = await api('/api/personalize/cache', { method: 'DELETE', key: token });
    expect(await deleted.json()).toEqual({ deleted: 2 });
    expect((await personalize(token)).body?.cached).toBe(false);
  });

  it('drops the entries of a course with preferences of its own too on DELETE /api/personalize/cache', async () => {
    await givenTwoCourses();
    const { token } = await givenLearner();
    const forCourse = { ...PREFERENCES, style: 'visual', exampleDomain: 'games' };
    const kept = await api('/api/learners/me/preferences?course=other-course', { method: 'PUT', key: token, json: forCourse });
    expect(kept.status).toBe(200);
    const [own, other] = [await personalize(token, 'lesson-2'), await personalize(token, 'py-lesson-2')];
    expect(other.body?.preferencesHash).not.toBe(own.body?.preferencesHash);
    const deleted = await api('/api/personalize/cache', { method: 'DELETE', key: token });
    expect(await deleted.json()).toEqual({ deleted: 2 });
    expect((await personalize(token, 'lesson-2')).body?.cached).toBe(false);
    expect((await personalize(token, 'py-lesson-2')).body?.cached).toBe(false);
  });

  it('streams meta, the text and a final done event', async () => {
    await givenCourse();
    const { token } = await givenLearner();
    const response = await api('/api/personalize/stream', { method: 'POST', key: token, json: { lessonSlug: 'lesson-2' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = await readEvents(response);
    expect(events.map((e) => e.event)).toEqual(['meta', 'delta', 'done']);
    expect(events[0]?.data).toMatchObject({ cached: false, engine: 'offline' });
    const done = events[2]?.data as PersonalizedLesson;
    expect((events[1]?.data as { text: string }).text).toBe(done.markdown);
    const again = await readEvents(
      await api('/api/personalize/stream', { method: 'POST', key: token, json: { lessonSlug: 'lesson-2' } }),
    );
    expect(again[0]?.data).toMatchObject({ cached: true });
  });

  it.each([
    ['an unknown lesson', { lessonSlug: 'no-such-lesson' }, 404, 'not_found'],
    ['a malformed slug', { lessonSlug: 'Not A Slug' }, 400, 'validation_failed'],
    ['an extra field', { lessonSlug: 'lesson-2', learnerId: 'lrn_x' }, 400, 'validation_failed'],
  ])('answers %s with problem+json before any stream starts', async (_case, json, status, code) => {
    await givenCourse();
    const { token } = await givenLearner();
    for (const path of ['/api/personalize', '/api/personalize/stream']) {
      const response = await api(path, { method: 'POST', key: token, json });
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect((await response.json<Problem>()).code).toBe(code);
    }
  });

  it('asks a learner who has not onboarded to do so first (409)', async () => {
    await givenCourse();
    const { token } = await givenLearner(null);
    const { response } = await personalize(token);
    expect(response.status).toBe(409);
    expect((await response.json<Problem>()).code).toBe('onboarding_required');
  });

  it('limits personalization per learner with 429 and Retry-After', async () => {
    await givenCourse();
    const { token } = await givenLearner();
    await untilLimited(60, 1, async () => (await personalize(token)).response);
    const refused = await api('/api/personalize/stream', { method: 'POST', key: token, json: { lessonSlug: 'lesson-2' } });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('60');
    // The limit is checked alongside the lookup, and wins over what the lookup finds.
    const unknown = await api('/api/personalize', { method: 'POST', key: token, json: { lessonSlug: 'no-such-lesson' } });
    expect(unknown.status).toBe(429);
  });
});

describe('access control of learner endpoints', () => {
  const ENDPOINTS: [string, string, unknown?][] = [
    ['GET', '/api/learners/me'],
    ['POST', '/api/learners/me/token'],
    ['GET', '/api/learners/me/preferences'],
    ['PUT', '/api/learners/me/preferences', PREFERENCES],
    ['POST', '/api/onboarding', { answers: {} }],
    ['POST', '/api/personalize', { lessonSlug: 'lesson-2' }],
    ['POST', '/api/personalize/stream', { lessonSlug: 'lesson-2' }],
    ['DELETE', '/api/personalize/cache'],
  ];

  it.each(ENDPOINTS)('%s %s refuses a request without a valid token', async (method, path, json) => {
    const bare = await api(path, { method, ...(json ? { json } : {}) });
    expect(bare.status).toBe(401);
    const forged = await api(path, {
      method,
      key: 'lt1.eyJzdWIiOiJscm5fQUFBQUFBQUFBQUFBQUFBQSJ9.AAAA',
      ...(json ? { json } : {}),
    });
    expect(forged.status).toBe(401);
  });

  it('keeps each learner’s personalized lessons and cache to themselves', async () => {
    await givenCourse();
    const a = await givenLearner({ experience: 'none', style: 'visual' });
    const b = await givenLearner({ experience: 'expert', style: 'analytical' });
    const forA = await personalize(a.token);
    const forB = await personalize(b.token);
    // B is served B's own profile, never A's text.
    expect(forB.body?.preferencesHash).not.toBe(forA.body?.preferencesHash);
    expect(forB.body?.markdown).not.toBe(forA.body?.markdown);
    // B clearing its cache leaves A's entry in place.
    expect(await (await api('/api/personalize/cache', { method: 'DELETE', key: b.token })).json()).toEqual({ deleted: 1 });
    expect((await personalize(a.token)).body?.cached).toBe(true);
    const keys = await env.CACHE.list({ prefix: 'personalized:' });
    expect(keys.keys).toHaveLength(1);
  });
});
