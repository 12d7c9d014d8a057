import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import {
  api,
  buildCourse,
  freshIp,
  givenAuthorKey,
  givenLearner,
  learnerSql,
  PREFERENCES,
  push,
  untilLimited,
} from '../../test/builders';
import type { Problem } from '../../http/problem';
import { signLearnerToken } from './learners.token';

const SECRET = env.LEARNER_TOKEN_SECRET;

describe('learners', () => {
  it('creates an anonymous learner with a signed token that reads back the learner', async () => {
    const created = await api('/api/learners', { method: 'POST', headers: { 'cf-connecting-ip': freshIp() } });
    expect(created.status).toBe(201);
    const { learnerId, token, expiresAt } = await created.json<{ learnerId: string; token: string; expiresAt: string }>();
    expect(learnerId).toMatch(/^lrn_/);
    expect(token.split('.')).toHaveLength(3);
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now() + 80 * 86_400_000);
    const me = await api('/api/learners/me', { key: token });
    expect(await me.json()).toMatchObject({ learnerId, onboarded: false, preferences: null });
  });

  it('refreshes a token into a new one for the same learner', async () => {
    const { learnerId, token } = await givenLearner(null);
    const refreshed = await api('/api/learners/me/token', { method: 'POST', key: token });
    expect(refreshed.status).toBe(200);
    const body = await refreshed.json<{ learnerId: string; token: string }>();
    expect(body.learnerId).toBe(learnerId);
    expect((await api('/api/learners/me', { key: body.token })).status).toBe(200);
  });

  it.each([
    ['no token', undefined, 'Send a learner token'],
    ['an author key', 'lek_' + 'a'.repeat(43), 'malformed'],
    ['an unsigned token', 'lt1.eyJ4IjoxfQ.AAAA', 'not issued by this server'],
    ['garbage', 'lt1.x.y', 'malformed'],
  ])('answers %s with 401 problem+json and a challenge', async (_case, key, detail) => {
    const response = await api('/api/learners/me', key ? { key } : {});
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.headers.get('www-authenticate')).toContain('Bearer');
    expect((await response.json<Problem>()).detail).toContain(detail);
  });

  it('refuses a token signed with another secret, an altered token and an expired one', async () => {
    const { learnerId, token } = await givenLearner(null);
    const forged = await signLearnerToken('some-other-secret-that-is-long-enough-!!', learnerId, new Date());
    const [prefix, , signature] = token.split('.');
    const other = await givenLearner(null);
    const swapped = `${prefix}.${other.token.split('.')[1]}.${signature}`;
    const expired = await signLearnerToken(SECRET, learnerId, new Date(Date.now() - 91 * 86_400_000));
    for (const [key, detail] of [
      [forged.token, 'not issued by this server'],
      [swapped, 'not issued by this server'],
      [expired.token, 'expired'],
    ] as const) {
      const response = await api('/api/learners/me', { key });
      expect(response.status).toBe(401);
      expect((await response.json<Problem>()).detail).toContain(detail);
    }
  });

  it('treats a validly signed token of a learner that does not exist as unauthorized', async () => {
    const { token } = await signLearnerToken(SECRET, 'lrn_AAAAAAAAAAAAAAAAAAAAAA', new Date());
    expect((await api('/api/learners/me', { key: token })).status).toBe(401);
  });

  it('limits learner creation per client address with 429 and Retry-After', async () => {
    const ip = freshIp();
    await untilLimited(30, 1, () => api('/api/learners', { method: 'POST', headers: { 'cf-connecting-ip': ip } }));
    // Another address is not affected.
    expect((await api('/api/learners', { method: 'POST', headers: { 'cf-connecting-ip': freshIp() } })).status).toBe(201);
  });
});

describe('preferences', () => {
  it('is 404 before onboarding, then stores and returns a full profile', async () => {
    const { token } = await givenLearner(null);
    expect((await api('/api/learners/me/preferences', { key: token })).status).toBe(404);
    const put = await api('/api/learners/me/preferences', { method: 'PUT', key: token, json: PREFERENCES });
    expect(put.status).toBe(200);
    expect(await (await api('/api/learners/me/preferences', { key: token })).json()).toEqual(PREFERENCES);
    expect(await (await api('/api/learners/me', { key: token })).json()).toMatchObject({ onboarded: true });
  });

  it('rejects invalid preferences with one error per field and stores nothing', async () => {
    const { token } = await givenLearner();
    const response = await api('/api/learners/me/preferences', {
      method: 'PUT',
      key: token,
      json: { ...PREFERENCES, experience: 'guru', sessionMinutes: 2, goals: [], mood: 'happy' },
    });
    expect(response.status).toBe(400);
    const problem = await response.json<Problem>();
    expect(problem.errors?.map((e) => e.field).sort()).toEqual([
      'json/experience',
      'json/goals',
      'json/mood',
      'json/sessionMinutes',
    ]);
    expect(problem.errors?.find((e) => e.field === 'json/mood')?.message).toBe('is not a field this request takes');
    expect(await (await api('/api/learners/me/preferences', { key: token })).json()).toEqual(PREFERENCES);
  });

  it('rejects a goal that is not a part of the pushed course', async () => {
    await push(await buildCourse(), await givenAuthorKey());
    const { token } = await givenLearner();
    const response = await api('/api/learners/me/preferences', {
      method: 'PUT',
      key: token,
      json: { ...PREFERENCES, goals: ['basics', 'astrology'] },
    });
    expect(response.status).toBe(400);
    expect((await response.json<Problem>()).errors).toEqual([
      { field: 'json/goals/1', message: '"astrology" is not a part of any course' },
    ]);
  });

  it('keeps a history row for every change', async () => {
    const { learnerId, token } = await givenLearner();
    await api('/api/learners/me/preferences', { method: 'PUT', key: token, json: { ...PREFERENCES, style: 'visual' } });
    const results = await learnerSql<{ source: string; preferences: string }>(
      learnerId,
      'SELECT source, preferences FROM preference_history ORDER BY id',
    );
    expect(results.map((r) => [r.source, (JSON.parse(r.preferences) as { style: string }).style])).toEqual([
      ['onboarding', 'hands-on'],
      ['profile', 'visual'],
    ]);
  });

  it('never lets one learner read or change another learner’s profile', async () => {
    const a = await givenLearner({ style: 'visual' });
    const b = await givenLearner({ style: 'analytical' });
    await api('/api/learners/me/preferences', { method: 'PUT', key: b.token, json: { ...PREFERENCES, style: 'mixed' } });
    expect(await (await api('/api/learners/me/preferences', { key: a.token })).json()).toMatchObject({ style: 'visual' });
    expect(await (await api('/api/learners/me', { key: a.token })).json()).toMatchObject({ learnerId: a.learnerId });
    // The body cannot name another learner: unknown fields are refused, not followed.
    const sneaky = await api('/api/learners/me/preferences', {
      method: 'PUT',
      key: b.token,
      json: { ...PREFERENCES, learnerId: a.learnerId },
    });
    expect(sneaky.status).toBe(400);
    expect(await (await api('/api/learners/me/preferences', { key: a.token })).json()).toMatchObject({ style: 'visual' });
  });
});

describe('preferences after a course change', () => {
  /** The test course with its parts renamed or dropped, lessons and chapters following. */
  async function reshaped(keep: (part: string) => string | null) {
    const fixture = await buildCourse(4);
    const manifest = fixture.manifest;
    manifest.parts = manifest.parts.flatMap((p) => {
      const slug = keep(p.slug);
      return slug ? [{ ...p, slug, title: slug === 'essentials' ? 'Essentials' : p.title }] : [];
    });
    manifest.parts = manifest.parts.filter((p, i) => manifest.parts.findIndex((q) => q.slug === p.slug) === i);
    manifest.chapters = manifest.chapters.flatMap((c) => {
      const slug = keep(c.partSlug);
      return slug ? [{ ...c, partSlug: slug }] : [];
    });
    manifest.lessons = manifest.lessons.flatMap((l) => {
      const slug = keep(l.partSlug);
      return slug ? [{ ...l, partSlug: slug, prerequisites: [] }] : [];
    });
    const kept = new Set(manifest.lessons.map((l) => l.contentHash));
    manifest.blobs = manifest.blobs.filter((b) => kept.has(b.hash));
    return fixture;
  }

  it('drops goals the course no longer has, keeps them in history, says so once, and lets the learner save again', async () => {
    const key = await givenAuthorKey();
    await push(await buildCourse(4), key);
    const { token, learnerId } = await givenLearner({ goals: ['basics', 'deeper'] });
    // The author prunes the course into one renamed part: both goals are gone.
    await push(await reshaped(() => 'essentials'), key, { prune: true });

    const preferences = await (await api('/api/learners/me/preferences', { key: token })).json<{ goals: string[] }>();
    expect(preferences.goals).toEqual(['essentials']);
    const me = await (
      await api('/api/learners/me', { key: token })
    ).json<{ notices: string[]; preferences: { goals: string[] } }>();
    expect(me.preferences.goals).toEqual(['essentials']);
    expect(me.notices).toEqual([
      'The part "basics" was removed from the course, so it is no longer one of your goals.',
      'The part "deeper" was removed from the course, so it is no longer one of your goals.',
      'Your goal is now "Essentials"; choose others on your profile.',
    ]);
    // Said once.
    expect((await (await api('/api/learners/me', { key: token })).json<{ notices: string[] }>()).notices).toEqual([]);
    // What the profile page sends back now saves.
    const saved = await api('/api/learners/me/preferences', { method: 'PUT', key: token, json: preferences });
    expect(saved.status).toBe(200);
    // The old goals stay in the history, with the course change recorded.
    const history = await learnerSql<{ source: string; preferences: string }>(
      learnerId,
      'SELECT source, preferences FROM preference_history ORDER BY id',
    );
    expect(history.map((h) => h.source)).toEqual(['onboarding', 'course', 'profile']);
    expect(JSON.parse(history[0]?.preferences ?? '{}')).toMatchObject({ goals: ['basics', 'deeper'] });
  });

  it('keeps the goals that remain and drops only the removed one, whichever route reads first', async () => {
    const key = await givenAuthorKey();
    await push(await buildCourse(4), key);
    const { token } = await givenLearner({ goals: ['basics', 'deeper'] });
    await push(await reshaped((part) => (part === 'basics' ? 'basics' : null)), key, { prune: true });
    const me = await (
      await api('/api/learners/me', { key: token })
    ).json<{ preferences: { goals: string[] }; notices: string[] }>();
    expect(me.preferences.goals).toEqual(['basics']);
    expect(me.notices).toEqual(['The part "deeper" was removed from the course, so it is no longer one of your goals.']);
  });
});
