import { describe, expect, it } from 'vitest';
import type { Problem } from '../../http/problem';
import { api, givenLearner, givenTwoCourses } from '../../test/builders';

interface Overview {
  course: string | null;
  lessons: { total: number; started: number; completed: number };
  parts: { slug: string; lessons: number; completed: number }[];
  days: { day: string; events: number }[];
  lastLesson: { slug: string } | null;
  continueLesson: { slug: string; reason: string } | null;
}
interface Concept {
  concept: string;
  course: string;
  attempts: number;
}

const json = async <T>(token: string, path: string): Promise<T> => {
  const response = await api(path, { key: token });
  expect([path, response.status]).toEqual([path, 200]);
  return response.json<T>();
};

describe('progress, mastery and reviews per course', () => {
  it("show one course's completion and concepts: the one asked for, else the default course's (activity counts every course)", async () => {
    await givenTwoCourses();
    const { token } = await givenLearner({ goals: ['basics'] });
    const done = await api('/api/progress/lessons/py-lesson-1/complete', {
      method: 'POST',
      key: token,
      json: { eventId: crypto.randomUUID() },
    });
    expect(done.status).toBe(200);
    const answered = await api('/api/quizzes/attempts', {
      method: 'POST',
      key: token,
      json: { eventId: crypto.randomUUID(), itemId: 'py-lesson-1-q1', answer: 1 },
    });
    expect(answered.status).toBe(200);

    const other = await json<Overview>(token, '/api/progress?course=other-course');
    expect(other).toMatchObject({
      course: 'other-course',
      lessons: { total: 4, completed: 1 },
      lastLesson: { slug: 'py-lesson-1' },
      continueLesson: { slug: 'py-lesson-2', reason: 'next' },
    });
    expect(other.parts.map((p) => [p.slug, p.lessons, p.completed])).toEqual([
      ['basics', 2, 1],
      ['deeper', 2, 0],
    ]);
    // Without a course: the default course, where nothing is done; the day's activity is the learner's either way.
    const fallback = await json<Overview>(token, '/api/progress');
    expect(fallback).toMatchObject({ course: 'test-course', lessons: { total: 6, completed: 0 }, lastLesson: null });
    expect(fallback.days).toEqual(other.days);
    expect(other.days.reduce((n, d) => n + d.events, 0)).toBeGreaterThan(0);
    expect(await json<Overview>(token, '/api/progress?course=test-course')).toEqual(fallback);

    // concept-1 of each course is its own concept: the answer was in the other course.
    const concept1 = (list: { concepts: Concept[] }) =>
      list.concepts.filter((c) => c.concept === 'concept-1').map((c) => [c.course, c.attempts]);
    const inOther = await json<{ concepts: Concept[] }>(token, '/api/learners/me/mastery?course=other-course');
    expect(inOther.concepts.every((c) => c.course === 'other-course')).toBe(true);
    expect(concept1(inOther)).toEqual([['other-course', 1]]);
    expect(concept1(await json(token, '/api/learners/me/mastery?course=test-course'))).toEqual([['test-course', 0]]);
    expect(concept1(await json<{ concepts: Concept[] }>(token, '/api/learners/me/mastery')).sort()).toEqual([
      ['other-course', 1],
      ['test-course', 0],
    ]);
    const forecasts = await json<{ concepts: (Concept & { pKnown: number })[] }>(
      token,
      '/api/learners/me/predictions?course=other-course',
    );
    expect(forecasts.concepts.every((c) => c.course === 'other-course')).toBe(true);
    const masteredThere = inOther.concepts.find((c) => c.concept === 'concept-1') as Concept & { pKnown: number };
    expect(forecasts.concepts.find((c) => c.concept === 'concept-1')?.pKnown).toBe(masteredThere.pKnown);

    // Review cards: one in each course once the default course's item is answered too.
    const second = await api('/api/quizzes/attempts', {
      method: 'POST',
      key: token,
      json: { eventId: crypto.randomUUID(), itemId: 'lesson-1-q1', answer: 1 },
    });
    expect(second.status).toBe(200);
    const upcoming = async (query: string) => (await json<{ upcoming: number }>(token, `/api/reviews/due${query}`)).upcoming;
    expect([await upcoming(''), await upcoming('?course=other-course'), await upcoming('?course=test-course')]).toEqual([
      2, 1, 1,
    ]);
  });

  it.each([
    ['/api/progress?course=no-such-course', 404],
    ['/api/learners/me/mastery?course=no-such-course', 404],
    ['/api/learners/me/predictions?course=no-such-course', 404],
    ['/api/progress?course=Not%20A%20Slug', 400],
    ['/api/learners/me/mastery?course=Not%20A%20Slug', 400],
    ['/api/learners/me/predictions?course=Not%20A%20Slug', 400],
    ['/api/reviews/due?course=no-such-course', 404],
    ['/api/reviews/due?course=Not%20A%20Slug', 400],
  ])('refuse %s with %i naming query/course', async (path, status) => {
    await givenTwoCourses();
    const { token } = await givenLearner({ goals: ['basics'] });
    const refused = await api(path, { key: token });
    expect(refused.status).toBe(status);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect((await refused.json<Problem>()).errors?.map((e) => e.field)).toEqual(['query/course']);
  });
});
