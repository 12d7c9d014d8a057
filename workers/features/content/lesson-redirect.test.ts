import { describe, expect, it } from 'vitest';
import { api, givenTwoCourses } from '../../test/builders';

const visit = (path: string) => api(path, { redirect: 'manual' });

describe('the old lesson addresses (/lessons/<slug>)', () => {
  it("redirect (301) to the lesson under its course's address, for the default course and any other, keeping the query", async () => {
    await givenTwoCourses();
    for (const [path, to] of [
      ['/lessons/lesson-2', '/courses/test-course/lessons/lesson-2'],
      ['/lessons/lesson-2/', '/courses/test-course/lessons/lesson-2'],
      ['/lessons/py-lesson-1?tab=personalized', '/courses/other-course/lessons/py-lesson-1?tab=personalized'],
    ] as const) {
      const response = await visit(path);
      expect([path, response.status, response.headers.get('location')]).toEqual([path, 301, to]);
      // Kept an hour, not for ever: a removed course's slugs may come back in another.
      expect(response.headers.get('cache-control')).toBe('public, max-age=3600');
    }
  });

  it('serve the lesson page for a slug no course has, or a malformed one (it says the lesson is not found), and never redirect', async () => {
    await givenTwoCourses();
    for (const path of ['/lessons/no-such-lesson', '/lessons/Not_A_Slug', `/lessons/${'a'.repeat(200)}`]) {
      const response = await visit(path);
      expect([path, response.status, response.headers.get('location')]).toEqual([path, 200, null]);
      expect(response.headers.get('content-type')).toContain('text/html');
      expect(await response.text()).toContain('<astro-island');
    }
  });

  it('serve the lesson page before any course is pushed', async () => {
    const response = await visit('/lessons/lesson-1');
    expect(response.status).toBe(200);
    expect(response.headers.get('location')).toBeNull();
  });
});
