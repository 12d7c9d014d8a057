import { env } from 'cloudflare:test';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { api, buildCourse, DELIVERY, flushLearners, givenAuthorKey, givenLearner, learnerSql, push } from '../../test/builders';
import { sha256Hex } from '../../platform/sha256';
import { MAX_BLOB_BYTES, type LessonInput } from './content.schemas';

let key: string;
beforeEach(async () => {
  key = await givenAuthorKey();
});

async function lessonCount(): Promise<number> {
  return (await env.DB.prepare('SELECT COUNT(*) AS n FROM lessons').first<{ n: number }>())?.n ?? -1;
}

describe('author key authentication', () => {
  it('rejects a request without a key with 401, a challenge and a problem body', async () => {
    const res = await api('/api/admin/ingest/status');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
    expect(await res.json()).toMatchObject({ code: 'unauthorized', status: 401 });
  });

  it('rejects an unknown, malformed or revoked key with 401', async () => {
    const revoked = await givenAuthorKey({ revoked: true });
    for (const bad of [`lek_${'x'.repeat(43)}`, 'not-a-key', revoked]) {
      const res = await api('/api/admin/ingest/status', { key: bad });
      expect(res.status, bad).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(await res.json(), bad).toMatchObject({ code: 'unauthorized', detail: 'The author key is unknown or revoked' });
    }
  });

  it('rejects a key without the content:write scope with 403', async () => {
    const readOnly = await givenAuthorKey({ scopes: [] });
    const res = await api('/api/admin/ingest/status', { key: readOnly });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'forbidden' });
  });

  it('accepts an admin key for content writes', async () => {
    const admin = await givenAuthorKey({ scopes: ['admin'] });
    expect((await api('/api/admin/ingest/status', { key: admin })).status).toBe(200);
  });
});

describe('manifest flow: plan, upload, commit', () => {
  it('uploads everything on the first push and nothing on an identical second push', async () => {
    const fixture = await buildCourse(3);
    const first = await push(fixture, key);
    expect(first.missing).toHaveLength(3);
    expect(first.result.summary).toMatchObject({ added: ['lesson-1', 'lesson-2', 'lesson-3'], changed: [], removed: [] });
    expect(first.result.enqueued).toBe(3);

    const second = await push(fixture, key);
    expect(second.missing).toEqual([]);
    expect(second.result.summary).toMatchObject({ added: [], changed: [], unchanged: ['lesson-1', 'lesson-2', 'lesson-3'] });
    expect(second.result).toMatchObject({ version: first.result.version, enqueued: 0 });
  });

  it('stores a course with many quiz items (more rows than one statement can bind)', async () => {
    const quiz = Array.from({ length: 30 }, (_, i) => ({
      question: `Question ${i}?`,
      choices: ['a', 'b', 'c', 'd'],
      answer: i % 4,
      explanation: `Because ${i}.`,
      concept: 'concept-1',
      difficulty: 1 + (i % 5),
    }));
    await push(await buildCourse(4, { 'lesson-1': { quiz }, 'lesson-2': { quiz: quiz.slice(0, 12) } }), key);
    const stored = await env.DB.prepare('SELECT count(*) AS n, sum(difficulty) AS d FROM quiz_items').first<{
      n: number;
      d: number;
    }>();
    // 30 + 12 authored items, plus one each in lessons 3 and 4 (without a difficulty).
    expect(stored).toEqual({ n: 44, d: 90 + 33 });
  });

  it('uploads only the changed lesson, and counts a metadata-only edit as changed without an upload', async () => {
    await push(await buildCourse(3), key);
    const bodyEdit = await push(await buildCourse(3, { 'lesson-2': { body: 'New text.\n' } }), key);
    expect(bodyEdit.missing).toHaveLength(1);
    expect(bodyEdit.result.summary).toMatchObject({ changed: ['lesson-2'], unchanged: ['lesson-1', 'lesson-3'] });
    const metaEdit = await push(await buildCourse(3, { 'lesson-2': { body: 'New text.\n', minutes: 25 } }), key);
    expect(metaEdit.missing).toEqual([]);
    expect(metaEdit.result.summary.changed).toEqual(['lesson-2']);
    expect(metaEdit.result.version).toBe(bodyEdit.result.version + 1);
  });

  it('keeps lessons missing from the tree unless prune is set, then removes them', async () => {
    await push(await buildCourse(4), key);
    const three = await buildCourse(4);
    three.manifest.lessons = three.manifest.lessons.slice(0, 3);
    const kept = await push(three, key);
    expect(kept.result.summary).toMatchObject({ kept: ['lesson-4'], removed: [] });
    expect(await lessonCount()).toBe(4);
    const pruned = await push(three, key, { prune: true });
    expect(pruned.result.summary).toMatchObject({ removed: ['lesson-4'], kept: [] });
    expect(await lessonCount()).toBe(3);
    const quiz = await env.DB.prepare(`SELECT COUNT(*) AS n FROM quiz_items WHERE lesson_slug = 'lesson-4'`).first<{
      n: number;
    }>();
    expect(quiz?.n).toBe(0);
  });

  it('refuses to commit before every blob is uploaded, and writes nothing', async () => {
    const fixture = await buildCourse(2);
    const res = await api('/api/admin/content/commit', { method: 'POST', key, json: fixture.manifest });
    expect(res.status).toBe(409);
    const problem = await res.json<{ code: string; errors: unknown[] }>();
    expect(problem.code).toBe('missing_blobs');
    expect(problem.errors).toHaveLength(2);
    expect(await lessonCount()).toBe(0);
  });
});

describe('a catalog of courses', () => {
  const other = (count = 2, prefix = 'py-') => buildCourse(count, {}, { slug: 'other-course', title: 'Other' }, { prefix });
  const courseRows = async () =>
    (await env.DB.prepare('SELECT id, version FROM courses ORDER BY rowid').all<{ id: string; version: number }>()).results;

  it('adds a second course beside the first; a push of either changes only that course, and the first stays the default', async () => {
    await push(await buildCourse(2), key);
    const added = await push(await other(3), key);
    expect(added.result.summary).toMatchObject({ added: ['py-lesson-1', 'py-lesson-2', 'py-lesson-3'], removed: [] });
    expect(await courseRows()).toEqual([
      { id: 'test-course', version: 1 },
      { id: 'other-course', version: 1 },
    ]);
    // Pruning the second course removes only its own missing lessons.
    const pruned = await push(await other(2), key, { prune: true });
    expect(pruned.result.summary).toMatchObject({ removed: ['py-lesson-3'], unchanged: ['py-lesson-1'] });
    expect(await lessonCount()).toBe(4);
    // Both are in the catalog, the default first; each course's book has only its own lessons.
    const catalog = await (await api('/api/courses')).json<{ courses: { slug: string; lessonCount: number }[] }>();
    expect(catalog.courses.map((c) => [c.slug, c.lessonCount])).toEqual([
      ['test-course', 2],
      ['other-course', 2],
    ]);
    const slugs = (book: { parts: { chapters: { lessons: { slug: string }[] }[] }[] }) =>
      book.parts.flatMap((p) => p.chapters.flatMap((c) => c.lessons.map((l) => l.slug)));
    const book = async (path: string) => (await api(path)).json<{ course: { slug: string }; parts: never[] }>();
    expect(slugs(await book('/api/courses/other-course/book'))).toEqual(['py-lesson-1', 'py-lesson-2']);
    expect(slugs(await book('/api/courses/test-course/book'))).toEqual(['lesson-1', 'lesson-2']);
    // The routes without a course name keep serving the first course pushed.
    expect((await book('/api/content/book')).course.slug).toBe('test-course');
    const lesson = await api('/api/courses/other-course/lessons/py-lesson-1');
    expect(lesson.status).toBe(200);
    // A lesson is found only under its own course.
    const elsewhere = await api('/api/courses/test-course/lessons/py-lesson-1');
    expect(elsewhere.status).toBe(404);
    // The routes without a course name find a lesson of any course (slugs are unique across the catalog).
    expect((await api('/api/content/lessons/py-lesson-1')).status).toBe(200);
    const text = await api('/api/content/lessons/py-lesson-2/content');
    expect([text.status, await text.text()]).toEqual([200, expect.stringContaining('py-lesson-2')]);
    // A learner's progress in a lesson is kept under that lesson's course; recommendations rank the default course.
    const { token, learnerId } = await givenLearner({ goals: ['basics'] });
    const started = await api('/api/progress/lessons/py-lesson-1/start', {
      method: 'POST',
      key: token,
      json: { eventId: crypto.randomUUID() },
    });
    expect(started.status).toBe(200);
    expect(await learnerSql(learnerId, 'SELECT course_id, lesson_slug FROM lesson_progress')).toEqual([
      { course_id: 'other-course', lesson_slug: 'py-lesson-1' },
    ]);
    // The progress overview is the default course's, and names every course the learner has opened a lesson of.
    const progress = await (
      await api('/api/progress', { key: token })
    ).json<{
      courses: unknown[];
      lessonStates: unknown[];
      continueLesson: { course: string; slug: string };
    }>();
    expect(progress.courses).toEqual([{ course: 'other-course', started: 1, completed: 0 }]);
    // Its lesson states include the other course's lessons, after the default course's (its outline marks them).
    expect(progress.lessonStates).toEqual([{ slug: 'py-lesson-1', state: 'started' }]);
    expect(progress.continueLesson).toMatchObject({ course: 'test-course', slug: 'lesson-1' });
    // Recommendations follow the learner to the course they worked in last; the default course's on asking.
    type Recs = { course: string; items: { lessonSlug: string }[] };
    const recs = await (await api('/api/recommendations?limit=10', { key: token })).json<Recs>();
    expect(recs.course).toBe('other-course');
    expect(recs.items.length).toBeGreaterThan(0);
    expect(recs.items.every((i) => i.lessonSlug.startsWith('py-'))).toBe(true);
    const asked = await (await api('/api/recommendations?limit=10&course=test-course', { key: token })).json<Recs>();
    expect(asked.items.length).toBeGreaterThan(0);
    expect(asked.items.every((i) => i.lessonSlug.startsWith('lesson-'))).toBe(true);
    // An update of the first course leaves the second one as it was.
    await push(await buildCourse(3), key);
    expect(await courseRows()).toEqual([
      { id: 'test-course', version: 2 },
      { id: 'other-course', version: 2 },
    ]);
  });

  it('removes a course only when the removal repeats its slug, saying how many learners have progress in it', async () => {
    await push(await buildCourse(2), key);
    await push(await other(2), key);
    const { token, learnerId } = await givenLearner({ goals: ['basics'] });
    await api('/api/progress/lessons/py-lesson-1/complete', {
      method: 'POST',
      key: token,
      json: { eventId: crypto.randomUUID() },
    });
    await flushLearners(learnerId);
    const summary = async () => api('/api/admin/content/courses/other-course', { key });
    await vi.waitFor(async () => {
      expect(await (await summary()).json()).toEqual({
        slug: 'other-course',
        title: 'Other',
        version: 1,
        lessons: 2,
        learnersWithProgress: 1,
        removed: false,
      });
    }, DELIVERY);
    // Without the slug repeated, or with another one: 400 naming the field; nothing goes.
    for (const query of ['', '?confirm=test-course', '?confirm=NOT%20A%20SLUG']) {
      const refused = await api(`/api/admin/content/courses/other-course${query}`, { method: 'DELETE', key });
      expect(refused.status, query).toBe(400);
      expect((await refused.json<{ errors: { field: string }[] }>()).errors[0]?.field, query).toBe('query/confirm');
    }
    expect((await api('/api/admin/content/courses/other-course', { method: 'DELETE' })).status).toBe(401);
    expect(await lessonCount()).toBe(4);
    const removed = await api('/api/admin/content/courses/other-course?confirm=other-course', { method: 'DELETE', key });
    expect(await removed.json()).toMatchObject({ slug: 'other-course', lessons: 2, learnersWithProgress: 1, removed: true });
    expect(await courseRows()).toEqual([{ id: 'test-course', version: 1 }]);
    expect(await lessonCount()).toBe(2);
    const leftovers = await env.DB.prepare(
      "SELECT (SELECT count(*) FROM chapters WHERE course_id = 'other-course') + (SELECT count(*) FROM parts WHERE course_id = 'other-course') + (SELECT count(*) FROM quiz_items WHERE lesson_slug LIKE 'py-%') + (SELECT count(*) FROM chunks WHERE item_id LIKE 'py-%') AS n",
    ).first<{ n: number }>();
    expect(leftovers?.n).toBe(0);
    const catalog = await (await api('/api/courses')).json<{ courses: { slug: string }[] }>();
    expect(catalog.courses.map((c) => c.slug)).toEqual(['test-course']);
    expect((await api('/api/courses/other-course/book')).status).toBe(404);
    expect((await api('/api/content/lessons/py-lesson-1')).status).toBe(404);
    expect((await summary()).status).toBe(404);
    // The learner's own record of it stays theirs.
    expect(await learnerSql(learnerId, "SELECT count(*) AS n FROM lesson_progress WHERE course_id = 'other-course'")).toEqual([
      { n: 1 },
    ]);
    // Removing the default course makes the next one the default; its slugs are free again.
    await push(await other(2), key);
    await api('/api/admin/content/courses/test-course?confirm=test-course', { method: 'DELETE', key });
    expect((await (await api('/api/content/book')).json<{ course: { slug: string } }>()).course.slug).toBe('other-course');
    await push(await buildCourse(2, {}, { slug: 'third-course', title: 'Third' }), key);
    expect((await courseRows()).map((r) => r.id)).toEqual(['other-course', 'third-course']);
  });

  it('refuses lesson slugs and quiz ids another course holds, naming the field and the course, and writes nothing', async () => {
    await push(await buildCourse(2), key);
    const clash = await buildCourse(2, {}, { slug: 'other-course', title: 'Other' });
    const res = await api('/api/admin/content/plan', { method: 'POST', key, json: clash.manifest });
    expect(res.status).toBe(422);
    const problem = await res.json<{ code: string; errors: { field: string; message: string }[] }>();
    expect(problem.code).toBe('invalid_manifest');
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        { field: 'json/lessons/0/slug', message: expect.stringContaining('a lesson of the course "test-course"') as string },
        {
          field: 'json/lessons/1/quiz/0/id',
          message: expect.stringContaining('a quiz item of the course "test-course"') as string,
        },
      ]),
    );
    // Through the commit too: nothing of the second course is written.
    const commit = await api('/api/admin/content/commit', { method: 'POST', key, json: clash.manifest });
    expect(commit.status).toBe(422);
    expect(await courseRows()).toEqual([{ id: 'test-course', version: 1 }]);
    expect(await lessonCount()).toBe(2);
  });
});

describe('bad manifests get a problem naming each field and change nothing', () => {
  it.each([
    ['a duplicate slug', { 'lesson-2': { slug: 'lesson-1', prerequisites: [] } }, 'json/lessons/1/slug', 'duplicate lesson slug'],
    [
      'an unknown prerequisite',
      { 'lesson-2': { prerequisites: ['ghost'] } },
      'json/lessons/1/prerequisites/0',
      'unknown prerequisite "ghost"',
    ],
    [
      'a prerequisite cycle',
      { 'lesson-1': { prerequisites: ['lesson-3'] } },
      'json/lessons/0/prerequisites',
      'prerequisite cycle',
    ],
    [
      'a quiz answer out of range',
      { 'lesson-1': { quiz: [{ question: 'Q', choices: ['a', 'b'], answer: 5, explanation: '' }] } },
      'json/lessons/0/quiz/0/answer',
      'out of range',
    ],
    ['an unknown chapter', { 'lesson-1': { chapterSlug: 'nowhere' } }, 'json/lessons/0/chapterSlug', 'unknown chapter'],
    [
      'a prerequisite listed twice',
      { 'lesson-3': { prerequisites: ['lesson-2', 'lesson-2'] } },
      'json/lessons/2/prerequisites/1',
      'listed twice',
    ],
    [
      'a quiz id used by another lesson',
      { 'lesson-2': { quiz: [{ id: 'lesson-1-q1', question: 'Q', choices: ['a', 'b'], answer: 0, explanation: '' }] } },
      'json/lessons/1/quiz/0/id',
      'already used in lesson "lesson-1"',
    ],
  ] satisfies [string, Record<string, Partial<LessonInput>>, string, string][])(
    'rejects %s with 422',
    async (_name, overrides, field, message) => {
      const fixture = await buildCourse(3, overrides);
      const res = await api('/api/admin/content/plan', { method: 'POST', key, json: fixture.manifest });
      expect(res.status).toBe(422);
      const problem = await res.json<{ code: string; errors: { field: string; message: string }[] }>();
      expect(problem.code).toBe('invalid_manifest');
      expect(problem.errors).toContainEqual({ field, message: expect.stringContaining(message) as string });
      expect(await lessonCount()).toBe(0);
    },
  );

  it('rejects a schema violation with 400 validation_failed listing the fields', async () => {
    const fixture = await buildCourse(2);
    const bad = { ...fixture.manifest, lessons: [{ ...fixture.manifest.lessons[0], layer: 'L4', minutes: 0 }] };
    const res = await api('/api/admin/content/commit', { method: 'POST', key, json: bad });
    expect(res.status).toBe(400);
    const problem = await res.json<{ code: string; errors: { field: string }[] }>();
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors.map((e) => e.field).sort()).toEqual(['json/lessons/0/layer', 'json/lessons/0/minutes']);
    expect(await lessonCount()).toBe(0);
  });

  it('rejects a body that is not JSON with 400', async () => {
    const res = await api('/api/admin/content/plan', {
      method: 'POST',
      key,
      body: '{not json',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });
});

describe('PUT /api/admin/content/blobs/{hash}', () => {
  it('refuses bytes whose SHA-256 differs from the path with 422, storing nothing', async () => {
    const hash = await sha256Hex('expected');
    const res = await api(`/api/admin/content/blobs/${hash}`, {
      method: 'PUT',
      key,
      body: 'tampered',
      headers: { 'content-type': 'text/markdown' },
    });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ code: 'hash_mismatch', errors: [{ field: 'param/hash' }] });
    expect(await env.CONTENT.head(`blobs/${hash}`)).toBeNull();
  });

  it('refuses an unsupported content type with 415', async () => {
    const hash = await sha256Hex('x');
    const res = await api(`/api/admin/content/blobs/${hash}`, {
      method: 'PUT',
      key,
      body: 'x',
      headers: { 'content-type': 'application/x-msdownload' },
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ code: 'unsupported_media_type', errors: [{ field: 'header/content-type' }] });
  });

  it('refuses a blob over the size limit with 413', async () => {
    const big = new Uint8Array(MAX_BLOB_BYTES + 1);
    const res = await api(`/api/admin/content/blobs/${await sha256Hex(big)}`, {
      method: 'PUT',
      key,
      body: big,
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'payload_too_large' });
  });

  it('answers 200 created:false for a blob it already holds', async () => {
    const hash = await sha256Hex('same');
    const put = () =>
      api(`/api/admin/content/blobs/${hash}`, { method: 'PUT', key, body: 'same', headers: { 'content-type': 'text/markdown' } });
    expect((await put()).status).toBe(201);
    const again = await put();
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ hash, size: 4, created: false });
  });
});

describe('commits that race or half-fail', () => {
  it('repairs a commit whose book refresh and queue send were lost when the same tree is pushed again', async () => {
    const fixture = await buildCourse(2);
    await push(fixture, key);
    await env.CACHE.delete('book:current');
    await env.DB.prepare(
      `UPDATE lessons SET ingest_status = 'pending', updated_at = '2020-01-01T00:00:00.000Z' WHERE slug = 'lesson-2'`,
    ).run();
    const again = await push(fixture, key);
    expect(again.missing).toEqual([]);
    expect(again.result.enqueued).toBe(1);
    expect(await env.CACHE.get('book:current')).not.toBeNull();
  });

  it('drops the old text statistics when a lesson body changes', async () => {
    await push(await buildCourse(1), key);
    await env.DB.prepare(
      `UPDATE lessons SET ingest_status = 'ingested', word_count = 999, outline = '[]' WHERE slug = 'lesson-1'`,
    ).run();
    await push(await buildCourse(1, { 'lesson-1': { body: 'New text.\n' } }), key);
    const row = await env.DB.prepare(`SELECT word_count FROM lessons WHERE slug = 'lesson-1'`).first<{
      word_count: number | null;
    }>();
    expect([null, 2]).toContain(row?.word_count);
  });

  it('refuses with 409 stale_push a commit planned against a version another push has moved, and writes nothing', async () => {
    await push(await buildCourse(2), key);
    // Two authors plan against version 1 from their own copies.
    const mine = await buildCourse(2, { 'lesson-1': { title: 'Mine' } });
    const theirs = await buildCourse(2, { 'lesson-2': { title: 'Theirs' } });
    const plan = await api('/api/admin/content/plan', { method: 'POST', key, json: mine.manifest });
    expect(await plan.json()).toMatchObject({ version: 1 });
    await push(theirs, key, { baseVersion: 1 });

    const commit = await api('/api/admin/content/commit', { method: 'POST', key, json: { ...mine.manifest, baseVersion: 1 } });
    expect(commit.status).toBe(409);
    expect(commit.headers.get('content-type')).toBe('application/problem+json');
    expect(await commit.json()).toMatchObject({
      code: 'stale_push',
      detail: expect.stringContaining('Pull the latest course, then push again') as unknown,
      errors: [{ field: 'json/baseVersion', message: 'is 1; the course is at version 2' }],
    });
    const titles = await env.DB.prepare('SELECT slug, title FROM lessons ORDER BY slug').all<{ slug: string; title: string }>();
    expect(titles.results.map((r) => r.title)).toEqual(['Lesson 1', 'Theirs']);

    // Planned again against the version that moved, the same push goes through.
    expect((await push(mine, key, { baseVersion: 2 })).result.version).toBe(3);
  });

  it('accepts a first push with baseVersion 0 and refuses one with a base version the course never had', async () => {
    expect((await push(await buildCourse(1), key, { baseVersion: 0 })).result.version).toBe(1);
    const ahead = await api('/api/admin/content/commit', {
      method: 'POST',
      key,
      json: { ...(await buildCourse(1, { 'lesson-1': { title: 'x' } })).manifest, baseVersion: 7 },
    });
    expect(ahead.status).toBe(409);
  });

  it('plans a prune with how many learners completed a lesson it would remove', async () => {
    await push(await buildCourse(3), key);
    await env.DB.prepare(
      `INSERT INTO lesson_completions (learner_id, course_id, lesson_slug, completed_at) VALUES
       ('lrn_a', 'test-course', 'lesson-3', '2026-01-01T00:00:00.000Z'), ('lrn_b', 'test-course', 'lesson-3', '2026-01-01T00:00:00.000Z'),
       ('lrn_b', 'test-course', 'lesson-1', '2026-01-01T00:00:00.000Z')`,
    ).run();
    const smaller = await buildCourse(2);
    const pruned = await api('/api/admin/content/plan', { method: 'POST', key, json: { ...smaller.manifest, prune: true } });
    expect(await pruned.json()).toMatchObject({ summary: { removed: ['lesson-3'] }, learnersWithProgress: 2 });
    const kept = await api('/api/admin/content/plan', { method: 'POST', key, json: smaller.manifest });
    expect(await kept.json()).toMatchObject({ summary: { removed: [], kept: ['lesson-3'] }, learnersWithProgress: 0 });
  });

  it('records each push as a course version', async () => {
    await push(await buildCourse(2), key);
    await push(await buildCourse(2, { 'lesson-1': { title: 'Renamed' } }), key);
    const { results } = await env.DB.prepare('SELECT version, added, changed FROM course_versions ORDER BY version').all();
    expect(results).toEqual([
      { version: 1, added: 2, changed: 0 },
      { version: 2, added: 0, changed: 1 },
    ]);
  });
});
