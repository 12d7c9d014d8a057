import { describe, expect, it } from 'vitest';
import type { Problem } from '../../http/problem';
import { api, buildCourse, givenAuthorKey, givenLearner, push } from '../../test/builders';
import type { Question } from './learners.schemas';

const ANSWERS = {
  experience: 'none',
  background: 'student',
  goals: ['basics', 'deeper'],
  style: 'visual',
  sessionMinutes: 15,
  exampleDomain: 'sports',
};

async function pushCourse() {
  await push(await buildCourse(), await givenAuthorKey());
}

describe('onboarding', () => {
  it('serves six questions with goals taken from the course parts and their concepts', async () => {
    await pushCourse();
    const response = await api('/api/onboarding/questions');
    expect(response.status).toBe(200);
    const { questions } = await response.json<{ questions: Question[] }>();
    expect(questions.map((q) => [q.id, q.type])).toEqual([
      ['experience', 'single'],
      ['background', 'single'],
      ['goals', 'multi'],
      ['style', 'single'],
      ['sessionMinutes', 'number'],
      ['exampleDomain', 'single'],
    ]);
    const goals = questions.find((q) => q.id === 'goals');
    expect(goals?.options.map((o) => [o.id, o.concepts])).toEqual([
      ['basics', ['concept-1', 'concept-2']],
      ['deeper', ['concept-3', 'concept-4']],
    ]);
    expect(questions.find((q) => q.id === 'style')?.options.map((o) => o.id)).toEqual([
      'visual',
      'analytical',
      'hands-on',
      'mixed',
    ]);
  });

  it('is 404 while no course exists', async () => {
    expect((await api('/api/onboarding/questions')).status).toBe(404);
  });

  it('stores the answers as preferences and marks the learner onboarded', async () => {
    await pushCourse();
    const { token, learnerId } = await givenLearner(null);
    const response = await api('/api/onboarding', { method: 'POST', key: token, json: { answers: ANSWERS } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ learnerId, onboarded: true, preferences: ANSWERS });
    expect(await (await api('/api/learners/me/preferences', { key: token })).json()).toEqual(ANSWERS);
  });

  it.each([
    ['a missing answer', { ...ANSWERS, style: undefined }, 'json/answers/style', 'is required'],
    ['an unknown option', { ...ANSWERS, background: 'wizard' }, 'json/answers/background', '"wizard" is not an option'],
    ['an unknown goal', { ...ANSWERS, goals: ['basics', 'nope'] }, 'json/answers/goals', '"nope" not an option'],
    ['no goal', { ...ANSWERS, goals: [] }, 'json/answers/goals', 'non-empty'],
    ['too few minutes', { ...ANSWERS, sessionMinutes: 1 }, 'json/answers/sessionMinutes', 'between 5 and 240'],
    ['a fraction of a minute', { ...ANSWERS, sessionMinutes: 12.5 }, 'json/answers/sessionMinutes', 'whole number'],
    ['a list for a single choice', { ...ANSWERS, experience: ['none'] }, 'json/answers/experience', 'one option id'],
    ['an unknown question', { ...ANSWERS, shoeSize: 42 }, 'json/answers/shoeSize', 'not a question'],
  ])('answers %s with 400 naming the question, and stores nothing', async (_case, answers, field, message) => {
    await pushCourse();
    const { token } = await givenLearner(null);
    const response = await api('/api/onboarding', { method: 'POST', key: token, json: { answers } });
    expect(response.status).toBe(400);
    const problem = await response.json<Problem>();
    expect(problem.errors).toHaveLength(1);
    expect(problem.errors?.[0]?.field).toBe(field);
    expect(problem.errors?.[0]?.message).toContain(message);
    expect(await (await api('/api/learners/me', { key: token })).json()).toMatchObject({ onboarded: false });
  });

  it('requires a learner token to answer', async () => {
    await pushCourse();
    expect((await api('/api/onboarding', { method: 'POST', json: { answers: ANSWERS } })).status).toBe(401);
  });
});

describe('onboarding for a course of the catalog', () => {
  /** A second course whose parts are `py-basics` and `py-deeper`. */
  async function pushTwoCourses() {
    const key = await givenAuthorKey();
    await push(await buildCourse(), key);
    const second = await buildCourse(4, {}, { slug: 'other-course', title: 'Other' }, { prefix: 'py-' });
    const { manifest } = second;
    manifest.parts = manifest.parts.map((p) => ({ ...p, slug: `py-${p.slug}` }));
    manifest.chapters = manifest.chapters.map((c) => ({ ...c, partSlug: `py-${c.partSlug}` }));
    manifest.lessons = manifest.lessons.map((l) => ({ ...l, partSlug: `py-${l.partSlug}` }));
    await push(second, key);
  }
  const goalOptions = async (query: string) =>
    (await (await api(`/api/onboarding/questions${query}`)).json<{ questions: Question[] }>()).questions
      .find((q) => q.id === 'goals')
      ?.options.map((o) => o.id);

  it("offers that course's parts, keeps goals of other courses, and no course's parts are dropped as gone", async () => {
    await pushTwoCourses();
    expect(await goalOptions('')).toEqual(['basics', 'deeper']);
    expect(await goalOptions('?course=other-course')).toEqual(['py-basics', 'py-deeper']);
    const { token } = await givenLearner(null);
    expect((await api('/api/onboarding', { method: 'POST', key: token, json: { answers: ANSWERS } })).status).toBe(200);
    const second = await api('/api/onboarding?course=other-course', {
      method: 'POST',
      key: token,
      json: { answers: { ...ANSWERS, goals: ['py-deeper'] } },
    });
    expect(second.status).toBe(200);
    expect((await second.json<{ preferences: { goals: string[] } }>()).preferences.goals).toEqual([
      'py-deeper',
      'basics',
      'deeper',
    ]);
    // Another course's part is a goal like any other: not refused, not dropped on the next read.
    const put = await api('/api/learners/me/preferences', {
      method: 'PUT',
      key: token,
      json: { ...ANSWERS, goals: ['py-basics', 'deeper'] },
    });
    expect(put.status).toBe(200);
    const me = await (
      await api('/api/learners/me', { key: token })
    ).json<{ preferences: { goals: string[] }; notices: string[] }>();
    expect(me.preferences.goals).toEqual(['py-basics', 'deeper']);
    expect(me.notices).toEqual([]);
    // The other course's onboarding refuses a part of the default course.
    const wrong = await api('/api/onboarding?course=other-course', {
      method: 'POST',
      key: token,
      json: { answers: { ...ANSWERS, goals: ['basics'] } },
    });
    expect(wrong.status).toBe(400);
    expect((await wrong.json<Problem>()).errors?.map((e) => e.field)).toContain('json/answers/goals');
  });

  it('answers a course the catalog lacks with 404 naming the field, and a malformed one with 400', async () => {
    await pushTwoCourses();
    const missing = await api('/api/onboarding/questions?course=no-such-course');
    expect(missing.status).toBe(404);
    expect((await missing.json<Problem>()).errors?.map((e) => e.field)).toEqual(['query/course']);
    const malformed = await api('/api/onboarding/questions?course=Not%20A%20Slug');
    expect(malformed.status).toBe(400);
    expect((await malformed.json<Problem>()).errors?.map((e) => e.field)).toContain('query/course');
  });
});
