import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Problem } from '../../http/problem';
import { api, buildCourse, givenAuthorKey, push, uploadSource, waitForIngest, waitForSource } from '../../test/builders';

const WINDOW_LESSON = `Window functions compute a value for every row from a frame of nearby rows.

## Running totals

A running total adds each row to the rows before it. Running totals are the classic window function.

## Ranking rows

Ranking rows with a window function keeps every row, unlike grouping.
`;

interface Concept {
  id: string;
  label: string;
  lessons: { id: string; title: string; course: string | null; href: string; origin: string; weight: number }[];
  sources: { id: string; title: string; href: string; origin: string; weight: number }[];
  neighbours: Record<'prerequisites' | 'dependents' | 'related', { id: string; label: string; via: string; strength: number }[]>;
}

async function givenCourseAndSource() {
  const key = await givenAuthorKey();
  await push(await buildCourse(2, { 'lesson-2': { body: WINDOW_LESSON } }), key);
  await waitForIngest(['lesson-1', 'lesson-2']);
  const upload = await uploadSource(key, {
    name: 'windows.md',
    bytes: '# Window functions\n\nA window function looks at a frame of rows. Window functions never collapse rows.\n',
  });
  const source = await upload.json<{ id: string }>();
  await waitForSource(source.id);
  return { key, sourceId: source.id };
}

describe('concepts', () => {
  it('links each lesson to its frontmatter concepts and to key phrases of its text', async () => {
    const { sourceId } = await givenCourseAndSource();
    const authored = await (await api('/api/concepts/concept-2')).json<Concept>();
    expect(authored.lessons).toEqual([
      {
        id: 'lesson-2',
        title: 'Lesson 2',
        course: 'test-course',
        href: '/courses/test-course/lessons/lesson-2',
        origin: 'author',
        weight: 1,
      },
    ]);
    const extracted = await (await api('/api/concepts/window-function')).json<Concept>();
    expect(extracted.label.toLowerCase()).toContain('window function');
    expect(extracted.lessons.map((l) => [l.id, l.origin])).toEqual([['lesson-2', 'extracted']]);
    expect(extracted.sources.map((s) => [s.id, s.origin, s.href])).toEqual([
      [sourceId, 'extracted', `/api/sources/${sourceId}/file`],
    ]);
    for (const link of [...extracted.lessons, ...extracted.sources]) {
      expect(link.weight).toBeGreaterThan(0);
      expect(link.weight).toBeLessThanOrEqual(1);
    }
  });

  it("lists and shows one course's concepts with ?course=: a slug two courses use counts each course's lessons apart", async () => {
    const key = await givenAuthorKey();
    await push(await buildCourse(2, { 'lesson-2': { concepts: ['joins'] } }), key);
    await push(
      await buildCourse(
        3,
        { 'py-lesson-3': { concepts: ['joins'] } },
        { slug: 'other-course', title: 'Other' },
        { prefix: 'py-' },
      ),
      key,
    );
    type Listed = { concepts: { id: string; lessons: number }[] };
    const lessonsOf = async (query: string) =>
      (await (await api(`/api/concepts${query}`)).json<Listed>()).concepts.find((c) => c.id === 'joins')?.lessons;
    expect([await lessonsOf(''), await lessonsOf('?course=test-course'), await lessonsOf('?course=other-course')]).toEqual([
      2, 1, 1,
    ]);
    // A concept only the other course teaches is not one of this course's.
    const mine = (await (await api('/api/concepts?course=test-course')).json<Listed>()).concepts.map((c) => c.id);
    expect(mine).toContain('concept-1');
    expect(mine).not.toContain('concept-2');

    const inOther = await (await api('/api/concepts/joins?course=other-course')).json<Concept>();
    expect(inOther.lessons.map((l) => [l.id, l.course, l.href])).toEqual([
      ['py-lesson-3', 'other-course', '/courses/other-course/lessons/py-lesson-3'],
    ]);
    const everywhere = await (await api('/api/concepts/joins')).json<Concept>();
    expect(everywhere.lessons.map((l) => l.id).sort()).toEqual(['lesson-2', 'py-lesson-3']);

    // Bad input: a concept the course does not teach, a course the catalog lacks, a malformed course.
    const notTaught = await api('/api/concepts/concept-2?course=test-course');
    expect(notTaught.status).toBe(404);
    for (const path of ['/api/concepts?course=no-such-course', '/api/concepts/joins?course=no-such-course']) {
      const response = await api(path);
      expect([path, response.status]).toEqual([path, 404]);
      expect((await response.json<Problem>()).errors?.[0]?.field).toBe('query/course');
    }
    const malformed = await api('/api/concepts?course=Not_A_Slug');
    expect(malformed.status).toBe(400);
    expect((await malformed.json<Problem>()).errors?.[0]?.field).toBe('query/course');
  });

  it('names each concept one way: sentence case, with the words the lesson writes in capitals kept so', async () => {
    const key = await givenAuthorKey();
    const body = [
      'A missing value is `NULL`, and `NULL` compares as unknown. A `LIKE` pattern matches text; `LIKE` patterns use `%`.',
      '',
      'Every query starts with `SELECT`, then a list of columns. `SELECT` picks columns and `SELECT` can compute them.',
      'The select list names each column. The select list is what the query returns, and the select list can rename.',
      '',
    ].join('\n');
    await push(await buildCourse(1, { 'lesson-1': { body, concepts: ['null', 'like-pattern', 'select'] } }), key);
    await waitForIngest(['lesson-1']);
    const label = async (id: string) => (await (await api(`/api/concepts/${id}`)).json<Concept>()).label;
    expect(await label('null')).toBe('NULL');
    expect(await label('like-pattern')).toBe('LIKE pattern');
    expect(await label('select')).toBe('SELECT');
    // An extracted phrase starts with a capital too, however the text writes it.
    expect(await label('select-list')).toBe('Select list');
  });

  it('names a concept slug two courses use as each course writes it, in the list, the concept and its neighbours', async () => {
    const key = await givenAuthorKey();
    const keyword = 'Every query starts with `SELECT`. `SELECT` names the columns, and `SELECT` may compute them.\n';
    const plain = 'To select is to choose: we select the rows we want, and select them again later.\n';
    await push(await buildCourse(2, { 'lesson-2': { body: keyword, concepts: ['select', 'joins'] } }), key);
    await waitForIngest(['lesson-1', 'lesson-2']);
    // The other course is pushed and ingested last: the catalog's own label is the one it writes.
    await push(
      await buildCourse(
        2,
        { 'py-lesson-2': { body: plain, concepts: ['select', 'joins'] } },
        { slug: 'other-course', title: 'Other' },
        { prefix: 'py-' },
      ),
      key,
    );
    await waitForIngest(['py-lesson-1', 'py-lesson-2']);
    const label = async (query: string) => (await (await api(`/api/concepts/select${query}`)).json<Concept>()).label;
    expect([await label('?course=test-course'), await label('?course=other-course'), await label('')]).toEqual([
      'SELECT',
      'Select',
      'Select',
    ]);
    type Listed = { concepts: { id: string; label: string }[] };
    const listed = async (course: string) =>
      (await (await api(`/api/concepts?course=${course}`)).json<Listed>()).concepts.find((c) => c.id === 'select')?.label;
    expect([await listed('test-course'), await listed('other-course')]).toEqual(['SELECT', 'Select']);
    // A neighbour is named as the course names it too.
    const joins = await (await api('/api/concepts/joins?course=test-course')).json<Concept>();
    expect(joins.neighbours.prerequisites.find((n) => n.id === 'select')?.label).toBe('SELECT');
  });

  it('lists the concepts authors named first, then extracted ones, each most covered first', async () => {
    await givenCourseAndSource();
    const { concepts } = await (
      await api('/api/concepts')
    ).json<{
      concepts: { id: string; lessons: number; sources: number; authored: boolean }[];
    }>();
    expect(concepts.slice(0, 2)).toEqual([
      { id: 'concept-1', label: 'Concept 1', lessons: 1, sources: 0, authored: true },
      { id: 'concept-2', label: 'Concept 2', lessons: 1, sources: 0, authored: true },
    ]);
    expect(concepts[2]).toMatchObject({ id: 'window-function', lessons: 1, sources: 1, authored: false });
  });

  it('forgets the links of a deleted source and a pruned lesson', async () => {
    const { key, sourceId } = await givenCourseAndSource();
    expect((await api(`/api/admin/sources/${sourceId}`, { method: 'DELETE', key })).status).toBe(204);
    await push(await buildCourse(1), key, { prune: true });
    const concept = await (await api('/api/concepts/window-function')).json<Concept>();
    expect(concept).toMatchObject({ lessons: [], sources: [] });
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM item_concepts WHERE item_id IN ('lesson-2', ?)")
      .bind(sourceId)
      .first<{ n: number }>();
    expect(rows?.n).toBe(0);
  });

  it('places each concept in a graph: prerequisites from lesson prerequisites and concept order, related from shared lessons', async () => {
    const key = await givenAuthorKey();
    // Three lessons in a chain; lesson-2 lists two concepts, the second after the first.
    await push(await buildCourse(3, { 'lesson-2': { concepts: ['concept-2', 'join-condition'] } }), key);
    await waitForIngest(['lesson-1', 'lesson-2', 'lesson-3']);
    const graph = async (id: string) => (await (await api(`/api/concepts/${id}`)).json<Concept>()).neighbours;
    const ids = (list: { id: string; via: string }[]) => list.map((n) => `${n.id}:${n.via}`);

    const two = await graph('concept-2');
    expect(ids(two.prerequisites)).toEqual(['concept-1:lesson_prerequisite']);
    expect(ids(two.dependents)).toEqual(expect.arrayContaining(['concept-3:lesson_prerequisite', 'join-condition:lesson_order']));
    // Neighbours by prerequisite are not listed again as related.
    expect(two.related.map((n) => n.id)).not.toContain('join-condition');
    const join = await graph('join-condition');
    expect(ids(join.prerequisites)).toEqual(['concept-1:lesson_prerequisite', 'concept-2:lesson_order']);
    expect(ids(join.dependents)).toEqual(['concept-3:lesson_prerequisite']);
    expect(await graph('concept-1')).toMatchObject({ prerequisites: [] });
    for (const n of [...two.related, ...join.related]) expect(n.strength).toBeGreaterThan(0);
  });

  it('answers 404 for an unknown concept and 400 for a malformed id', async () => {
    expect((await api('/api/concepts/no-such-concept')).status).toBe(404);
    const bad = await api('/api/concepts/Not%20A%20Slug');
    expect(bad.status).toBe(400);
    expect((await bad.json<Problem>()).errors?.map((e) => e.field)).toEqual(['param/id']);
  });
});
