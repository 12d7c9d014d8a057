import { env } from 'cloudflare:test';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { api, buildCourse, givenAuthorKey, push } from '../../test/builders';
import { consoleErrors } from '../../test/console';
import { createR2BlobStore } from '../../platform/blob-store';
import type { Book, CourseCard, LessonDetail } from './content.schemas';

let key: string;
beforeEach(async () => {
  key = await givenAuthorKey();
});

describe('GET /api/content/book', () => {
  it('is a 404 problem before any course was pushed', async () => {
    const res = await api('/api/content/book');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('returns parts, chapters and lessons in reading order', async () => {
    await push(await buildCourse(4), key);
    const book = await (await api('/api/content/book')).json<Book>();
    expect(book.course).toEqual({ slug: 'test-course', title: 'Test course', summary: 'For tests', language: null });
    expect(book.lessonCount).toBe(4);
    expect(book.parts.map((p) => [p.slug, p.chapters.map((c) => [c.slug, c.lessons.map((l) => l.slug)])])).toEqual([
      [
        'basics',
        [
          ['first-steps', ['lesson-1']],
          ['next-steps', ['lesson-2']],
        ],
      ],
      ['deeper', [['going-further', ['lesson-3', 'lesson-4']]]],
    ]);
    expect(book.parts[1]?.chapters[0]?.lessons[0]).toMatchObject({
      layer: 'L2',
      prerequisites: ['lesson-2'],
      concepts: ['concept-3'],
      minutes: 10,
      difficulty: 2,
    });
  });

  it('answers a matching If-None-Match with 304 and no body', async () => {
    await push(await buildCourse(2), key);
    const first = await api('/api/content/book');
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const again = await api('/api/content/book', { headers: { 'if-none-match': etag ?? '' } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('serves the cached copy without reading D1 once it is cached', async () => {
    await push(await buildCourse(2), key);
    // Drop D1's content rows behind the API's back: a cache hit must not notice.
    await env.DB.batch([
      env.DB.prepare('DELETE FROM lessons'),
      env.DB.prepare('DELETE FROM chapters'),
      env.DB.prepare('DELETE FROM parts'),
      env.DB.prepare('DELETE FROM courses'),
    ]);
    const book = await (await api('/api/content/book')).json<Book>();
    expect(book.lessonCount).toBe(2);
  });

  it('changes its ETag when a push changes the course', async () => {
    const fixture = await buildCourse(2);
    await push(fixture, key);
    const before = (await api('/api/content/book')).headers.get('etag');
    await push(await buildCourse(2, { 'lesson-2': { title: 'Renamed' } }), key);
    const after = await api('/api/content/book', { headers: { 'if-none-match': before ?? '' } });
    expect(after.status).toBe(200);
    const titles = (await after.json<Book>()).parts.flatMap((p) => p.chapters.flatMap((c) => c.lessons.map((l) => l.title)));
    expect(titles).toEqual(['Lesson 1', 'Renamed']);
  });
});

describe('GET /api/content/lessons/{slug}', () => {
  it('returns metadata, prerequisites with titles and neighbours across chapters and parts', async () => {
    await push(await buildCourse(4), key);
    const lesson = await (await api('/api/content/lessons/lesson-2')).json<LessonDetail>();
    expect(lesson).toMatchObject({
      slug: 'lesson-2',
      title: 'Lesson 2',
      course: { slug: 'test-course', title: 'Test course' },
      part: { slug: 'basics', title: 'Basics' },
      chapter: { slug: 'next-steps', title: 'Next steps' },
      prerequisites: [{ slug: 'lesson-1', title: 'Lesson 1' }],
      prev: { slug: 'lesson-1', title: 'Lesson 1' },
      next: { slug: 'lesson-3', title: 'Lesson 3' },
      objectives: ['Do thing 2'],
    });
    const first = await (await api('/api/content/lessons/lesson-1')).json<LessonDetail>();
    const last = await (await api('/api/content/lessons/lesson-4')).json<LessonDetail>();
    expect(first.prev).toBeNull();
    expect(last.next).toBeNull();
  });

  it('shows quiz questions but never their answers', async () => {
    await push(await buildCourse(1), key);
    const lesson = await (await api('/api/content/lessons/lesson-1')).json<LessonDetail>();
    expect(lesson.quiz).toEqual([{ id: 'lesson-1-q1', question: 'Q1?', choices: ['a', 'b', 'c'], concept: 'concept-1' }]);
    expect(JSON.stringify(lesson)).not.toContain('because');
  });

  it('is a 404 problem for an unknown slug and a 400 naming the field for a malformed one', async () => {
    await push(await buildCourse(1), key);
    const unknown = await api('/api/content/lessons/no-such-lesson');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'not_found', detail: 'No lesson "no-such-lesson"' });
    const malformed = await api('/api/content/lessons/Not_A_Slug');
    expect(malformed.status).toBe(400);
    const problem = await malformed.json<{ code: string; errors: { field: string }[] }>();
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors.map((e) => e.field)).toEqual(['param/slug']);
  });
});

describe('GET /api/content/lessons/{slug}/content', () => {
  it('returns the markdown with its SHA-256 as ETag, and 304 when it is unchanged', async () => {
    const fixture = await buildCourse(1);
    await push(fixture, key);
    const hash = fixture.manifest.lessons[0]?.contentHash;
    const res = await api('/api/content/lessons/lesson-1/content');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    expect(res.headers.get('etag')).toBe(`"${hash}"`);
    expect(await res.text()).toBe(fixture.bodies.get(hash ?? ''));
    const again = await api('/api/content/lessons/lesson-1/content', { headers: { 'if-none-match': `W/"${hash}"` } });
    expect(again.status).toBe(304);
  });

  it('serves the new text right after a re-push', async () => {
    await push(await buildCourse(1), key);
    await push(await buildCourse(1, { 'lesson-1': { body: 'Rewritten lesson text.\n' } }), key);
    expect(await (await api('/api/content/lessons/lesson-1/content')).text()).toBe('Rewritten lesson text.\n');
  });

  it('is a 404 problem for an unknown lesson', async () => {
    const res = await api('/api/content/lessons/missing/content');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });
});

describe('GET /api/content/assets/{hash}', () => {
  it('serves an uploaded file immutably, with a sandboxing CSP', async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>';
    const bytes = new TextEncoder().encode(svg);
    const hash = [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))]
      .map((b) => b.toString(16).padStart(2, '0'))
      .join('');
    const put = await api(`/api/admin/content/blobs/${hash}`, {
      method: 'PUT',
      key,
      body: svg,
      headers: { 'content-type': 'image/svg+xml' },
    });
    expect(put.status).toBe(201);
    const res = await api(`/api/content/assets/${hash}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/svg+xml');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toBe(svg);
  });

  it('is a 404 problem for an unknown hash', async () => {
    const res = await api(`/api/content/assets/${'0'.repeat(64)}`);
    expect(res.status).toBe(404);
  });
});

describe('an unexpected failure', () => {
  it('is a 500 problem that hides the cause, logged once with the request id', async () => {
    const logged = consoleErrors.expect();
    const fixture = await buildCourse(1, { 'lesson-1': { body: `Unique text ${crypto.randomUUID()}\n` } });
    await push(fixture, key);
    // The push's llms-full.txt build has read the body (into this isolate's memo).
    await vi.waitFor(async () => expect((await env.CACHE.list({ prefix: 'llms-full:' })).keys).toHaveLength(1), {
      timeout: 5000,
      interval: 50,
    });
    // Storage lost the body behind the API's back: not a 404, a fault. Deleted through the store, so this
    // isolate's memo of bodies (which the push's llms-full.txt build may have filled) forgets it too.
    await createR2BlobStore(env.CONTENT).delete([fixture.manifest.lessons[0]?.contentHash ?? '']);
    const res = await api('/api/content/lessons/lesson-1/content');
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const problem = await res.json<{ code: string; detail: string; requestId: string }>();
    expect(problem.code).toBe('internal_error');
    expect(problem.detail).not.toContain('blob');
    const lines = logged.map((l) => JSON.parse(l) as { event: string; requestId: string; status?: number; error?: string });
    const unexpected = lines.filter((l) => l.event === 'unexpected_error');
    expect(unexpected).toHaveLength(1);
    expect(unexpected[0]).toMatchObject({
      requestId: problem.requestId,
      error: expect.stringContaining('missing blob') as string,
    });
    expect(lines.filter((l) => l.event === 'request')).toMatchObject([{ requestId: problem.requestId, status: 500 }]);
  });
});

describe('the catalog and course-addressed routes', () => {
  it('lists no course before a push, then each course with its figures and links', async () => {
    expect(await (await api('/api/courses')).json()).toEqual({ courses: [] });
    await push(await buildCourse(4, {}, { language: 'en' }), key);
    const { courses } = await (await api('/api/courses')).json<{ courses: CourseCard[] }>();
    const book = await (await api('/api/content/book')).json<Book>();
    const lessons = book.parts.flatMap((p) => p.chapters.flatMap((c) => c.lessons));
    expect(courses).toEqual([
      {
        slug: 'test-course',
        title: 'Test course',
        summary: 'For tests',
        languages: ['en'],
        version: book.version,
        parts: 2,
        outline: book.parts.map((p) => ({ slug: p.slug, title: p.title })),
        lessonCount: 4,
        minutes: lessons.reduce((sum, l) => sum + l.minutes, 0),
        layers: [...new Set(lessons.map((l) => l.layer))].sort(),
        links: { book: '/api/courses/test-course/book', lessons: '/api/courses/test-course/lessons/{slug}' },
      },
    ]);
  });

  it('serves a course by its slug as the unaddressed routes serve the deployment course, with the same ETags', async () => {
    await push(await buildCourse(4), key);
    const plain = await api('/api/content/book');
    const addressed = await api('/api/courses/test-course/book');
    expect(addressed.status).toBe(200);
    expect(addressed.headers.get('etag')).toBe(plain.headers.get('etag'));
    expect(await addressed.json()).toEqual(await plain.json());
    const etag = addressed.headers.get('etag') ?? '';
    expect((await api('/api/courses/test-course/book', { headers: { 'if-none-match': etag } })).status).toBe(304);
    const lesson = await (await api('/api/courses/test-course/lessons/lesson-2')).json<LessonDetail>();
    expect(lesson).toEqual(await (await api('/api/content/lessons/lesson-2')).json());
    const markdown = await api('/api/courses/test-course/lessons/lesson-2/content');
    expect(markdown.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    expect(await markdown.text()).toBe(await (await api('/api/content/lessons/lesson-2/content')).text());
  });

  it('is a 404 problem for a course the catalog lacks or its unknown lesson, and a 400 naming a malformed course', async () => {
    await push(await buildCourse(2), key);
    for (const path of ['/api/courses/other-course/book', '/api/courses/other-course/lessons/lesson-1']) {
      const response = await api(path);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ detail: 'No course "other-course"' });
    }
    const missing = await api('/api/courses/test-course/lessons/lesson-9/content');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ detail: 'No lesson "lesson-9"' });
    const malformed = await api('/api/courses/Not_A_Slug/book');
    expect(malformed.status).toBe(400);
    expect((await malformed.json<{ errors: { field: string }[] }>()).errors.map((e) => e.field)).toEqual(['param/course']);
  });

  it('refuses a push whose language is no language code, naming the field, and writes nothing', async () => {
    const fixture = await buildCourse(2, {}, { language: 'English (UK)' });
    const plan = await api('/api/admin/content/plan', { method: 'POST', key, json: fixture.manifest });
    expect(plan.status).toBe(400);
    expect((await plan.json<{ errors: { field: string }[] }>()).errors.map((e) => e.field)).toEqual(['json/course/language']);
    expect(await (await api('/api/courses')).json()).toEqual({ courses: [] });
  });
});
