import { describe, expect, it } from 'vitest';
import { PRACTICE_SEEDS } from '../../test/practice-seeds';
import type { Problem } from '../../http/problem';
import { api, buildCourse, givenAuthorKey, givenLearner, push } from '../../test/builders';
import { CATEGORIES, type Variation } from './practice.schemas';

const putLibrary = (key: string | undefined, json: unknown) =>
  api('/api/admin/practice/library', { method: 'PUT', ...(key ? { key } : {}), json });
const library = async () => (await api('/api/practice/library')).json<{ courseId: string | null; variations: Variation[] }>();

async function givenCourse() {
  const key = await givenAuthorKey();
  await push(await buildCourse(2), key);
  return key;
}

describe('the practice library', () => {
  it('stores the seed library for the current course and lists it in order', async () => {
    const key = await givenCourse();
    const stored = await putLibrary(key, { variations: PRACTICE_SEEDS });
    expect(stored.status).toBe(200);
    const body = await stored.json<{ courseId: string; variations: number; categories: Record<string, number> }>();
    expect(body.variations).toBe(PRACTICE_SEEDS.length);
    expect(body.variations).toBeGreaterThanOrEqual(60);
    for (const n of Object.values(body.categories)) expect(n).toBeGreaterThanOrEqual(6);
    const listed = await library();
    expect(listed.courseId).toBe(body.courseId);
    expect(listed.variations).toEqual(PRACTICE_SEEDS);
  });

  it('replaces the whole library on a push', async () => {
    const key = await givenCourse();
    await putLibrary(key, { variations: PRACTICE_SEEDS });
    const one = (category: string) => PRACTICE_SEEDS.find((v) => v.category === category);
    const small = ['review', 'learn', 'practice', 'apply', 'reflect', 'warm-up'].map((c) => one(c));
    expect((await putLibrary(key, { variations: small })).status).toBe(200);
    expect((await library()).variations.map((v) => v.id)).toEqual(small.map((v) => v?.id));
  });

  it.each<[string, (variations: Variation[]) => unknown, string, string]>([
    [
      'an id used twice',
      (v) => [...v, { ...v[0] }],
      `json/variations/${PRACTICE_SEEDS.length}/id`,
      'is used twice (also variation 1)',
    ],
    [
      'a template field its category cannot fill',
      (v) =>
        v.map((x, i) =>
          i === 0 ? { ...x, category: 'review', title: 'Review {lesson}', completes: { kind: 'reviews', count: 2 } } : x,
        ),
      'json/variations/0/title',
      '{lesson} is not a template field a review task can use ({count})',
    ],
    [
      'a completion its category does not have',
      (v) => v.map((x) => (x.category === 'apply' ? { ...x, completes: { kind: 'lesson' } } : x)),
      `json/variations/${PRACTICE_SEEDS.findIndex((x) => x.category === 'apply')}/completes`,
      'an apply task completes by check_off, not lesson',
    ],
    [
      'a category with no variation',
      (v) => v.filter((x) => x.category !== 'warm-up'),
      'json/variations',
      'has no warm-up variation',
    ],
    [
      'a weight out of range',
      (v) => v.map((x, i) => (i === 0 ? { ...x, archetypes: { ...x.archetypes, diver: 1.5 } } : x)),
      'json/variations/0/archetypes/diver',
      '',
    ],
    ['a field no variation has', (v) => v.map((x, i) => (i === 0 ? { ...x, colour: 'red' } : x)), 'json/variations/0/colour', ''],
    [
      'a time of day that does not exist',
      (v) => v.map((x, i) => (i === 0 ? { ...x, times: ['noon'] } : x)),
      'json/variations/0/times/0',
      '',
    ],
    ['an empty library', () => [], 'json/variations', ''],
  ])('refuses %s with 400 naming the field, and keeps the library it had', async (_name, change, field, message) => {
    const key = await givenCourse();
    await putLibrary(key, { variations: PRACTICE_SEEDS });
    const refused = await putLibrary(key, { variations: change(PRACTICE_SEEDS.map((v) => ({ ...v }))) });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    const problem = await refused.json<Problem>();
    expect(problem.errors).toContainEqual(
      expect.objectContaining({ field, message: expect.stringContaining(message) as string }),
    );
    expect((await library()).variations).toEqual(PRACTICE_SEEDS);
  });

  it("serves a course without a library the default course's, until it gets its own", async () => {
    const key = await givenCourse();
    await push(await buildCourse(2, {}, { slug: 'other-course', title: 'Other' }, { prefix: 'py-' }), key);
    expect((await putLibrary(key, { variations: PRACTICE_SEEDS })).status).toBe(200);
    const borrowed = await (
      await api('/api/practice/library?course=other-course')
    ).json<{ courseId: string; variations: Variation[] }>();
    expect(borrowed.courseId).toBe('test-course');
    expect(borrowed.variations).toHaveLength(PRACTICE_SEEDS.length);
    const own = CATEGORIES.flatMap((c) => PRACTICE_SEEDS.filter((v) => v.category === c).slice(0, 2));
    const stored = await api('/api/admin/practice/library?course=other-course', {
      method: 'PUT',
      key,
      json: { variations: own },
    });
    expect(await stored.json()).toMatchObject({ courseId: 'other-course', variations: own.length });
    const mine = await (
      await api('/api/practice/library?course=other-course')
    ).json<{ courseId: string; variations: Variation[] }>();
    expect(mine).toMatchObject({ courseId: 'other-course' });
    expect(mine.variations).toHaveLength(own.length);
    // The default course's library is untouched.
    expect((await library()).variations).toHaveLength(PRACTICE_SEEDS.length);
    // A course the catalog does not hold: 404 naming the field, and nothing written.
    for (const [method, path] of [
      ['GET', '/api/practice/library?course=no-such-course'],
      ['PUT', '/api/admin/practice/library?course=no-such-course'],
    ] as const) {
      const refused = await api(path, { method, key, ...(method === 'PUT' ? { json: { variations: own } } : {}) });
      expect(refused.status).toBe(404);
      expect((await refused.json<Problem>()).errors?.map((e) => e.field)).toEqual(['query/course']);
    }
  });

  it('needs a course first, and a valid author key', async () => {
    const key = await givenAuthorKey();
    const missing = await putLibrary(key, { variations: PRACTICE_SEEDS });
    expect(missing.status).toBe(404);
    expect((await missing.json<Problem>()).detail).toContain('push a course before its practice library');
    expect(await library()).toEqual({ courseId: null, variations: [] });
    await push(await buildCourse(2), key);
    expect((await putLibrary(undefined, { variations: PRACTICE_SEEDS })).status).toBe(401);
    const { token } = await givenLearner(null);
    expect((await putLibrary(token, { variations: PRACTICE_SEEDS })).status).toBe(401);
    const revoked = await givenAuthorKey({ revoked: true });
    expect((await putLibrary(revoked, { variations: PRACTICE_SEEDS })).status).toBe(401);
    expect((await library()).variations).toEqual([]);
  });
});
