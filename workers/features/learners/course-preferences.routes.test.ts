import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Problem } from '../../http/problem';
import { sha256Hex } from '../../platform/sha256';
import { api, givenLearner, givenTwoCourses, learnerSql, PREFERENCES } from '../../test/builders';
import type { Preferences } from './learners.schemas';

const preferences = async (token: string, query = '') => {
  const response = await api(`/api/learners/me/preferences${query}`, { key: token });
  expect(response.status).toBe(200);
  return response.json<Preferences>();
};
const put = (token: string, json: unknown, query = '') =>
  api(`/api/learners/me/preferences${query}`, { method: 'PUT', key: token, json });
const personalized = async (token: string, lessonSlug: string) => {
  const response = await api('/api/personalize', { method: 'POST', key: token, json: { lessonSlug } });
  expect(response.status).toBe(200);
  return response.json<{ preferencesHash: string; engine: string }>();
};

describe('preferences per course', () => {
  it("keep a course's own style and examples for its lessons; goals, time zone and the rest stay the learner's own", async () => {
    await givenTwoCourses();
    const { learnerId, token } = await givenLearner();
    const own = await preferences(token);
    const before = await personalized(token, 'py-lesson-1');
    expect(before.engine).toBe('offline');

    const forOther = { ...PREFERENCES, style: 'visual', exampleDomain: 'games', timeZone: 'Europe/Paris' } as const;
    const saved = await put(token, forOther, '?course=other-course');
    expect(saved.status).toBe(200);
    expect(await saved.json()).toEqual(forOther);

    // The other course: the learner's own with its own over them; the learner-wide time zone reached the learner's own.
    expect(await preferences(token, '?course=other-course')).toEqual(forOther);
    expect(await preferences(token)).toEqual({ ...own, timeZone: 'Europe/Paris' });
    expect(await preferences(token, '?course=test-course')).toEqual({ ...own, timeZone: 'Europe/Paris' });
    // Only what differs is the course's: style and example domain.
    expect(await learnerSql<{ course_id: string; preferences: string }>(learnerId, 'SELECT * FROM course_preferences')).toEqual([
      expect.objectContaining({
        course_id: 'other-course',
        preferences: JSON.stringify({ style: 'visual', exampleDomain: 'games' }),
      }),
    ]);

    // The other course's lessons are adapted with its preferences (a cache key of their own); the default course's are not.
    const other = await personalized(token, 'py-lesson-1');
    const inDefault = await personalized(token, 'lesson-1');
    expect(other.preferencesHash).not.toBe(before.preferencesHash);
    expect(inDefault.preferencesHash).toBe(before.preferencesHash);
    // Held like any preferences, so an erase can drop the personalized entries only this learner used.
    const held = await env.DB.prepare('SELECT preferences_hash FROM preference_holders WHERE learner_hash = ?')
      .bind(await sha256Hex(learnerId))
      .all<{ preferences_hash: string }>();
    expect(held.results.map((r) => r.preferences_hash)).toContain(other.preferencesHash);

    // A change of the learner's own reaches the course where it has none of its own (session minutes), not where it has (style).
    expect((await put(token, { ...own, style: 'analytical', sessionMinutes: 45 })).status).toBe(200);
    expect(await preferences(token, '?course=other-course')).toMatchObject({ style: 'visual', sessionMinutes: 45 });

    // Dropping the course's own: it follows the learner's own again.
    const dropped = await api('/api/learners/me/preferences/courses/other-course', { method: 'DELETE', key: token });
    expect(dropped.status).toBe(200);
    expect(await preferences(token, '?course=other-course')).toEqual(await preferences(token));
    expect(await learnerSql(learnerId, 'SELECT * FROM course_preferences')).toEqual([]);
    expect((await personalized(token, 'py-lesson-1')).preferencesHash).toBe(
      (await personalized(token, 'lesson-1')).preferencesHash,
    );
  });

  it('refuse a course the catalog does not hold (404) or a malformed one (400), naming it, and change nothing', async () => {
    await givenTwoCourses();
    const { learnerId, token } = await givenLearner();
    const refusals: [Promise<Response>, number, string][] = [
      [api('/api/learners/me/preferences?course=no-such-course', { key: token }), 404, 'query/course'],
      [put(token, { ...PREFERENCES, style: 'visual' }, '?course=no-such-course'), 404, 'query/course'],
      [put(token, { ...PREFERENCES, style: 'visual' }, '?course=Not%20A%20Slug'), 400, 'query/course'],
      [api('/api/learners/me/preferences/courses/no-such-course', { method: 'DELETE', key: token }), 404, 'param/course'],
      [api('/api/learners/me/preferences/courses/Not%20A%20Slug', { method: 'DELETE', key: token }), 400, 'param/course'],
    ];
    for (const [sent, status, field] of refusals) {
      const response = await sent;
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect((await response.json<Problem>()).errors?.map((e) => e.field)).toEqual([field]);
    }
    expect(await preferences(token)).toEqual(PREFERENCES);
    expect(await learnerSql(learnerId, 'SELECT * FROM course_preferences')).toEqual([]);
  });
});
