import { env } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { api, buildCourse, givenAuthorKey, lessonBody, push } from '../../test/builders';

describe('llms.txt', () => {
  it('describes the current course for language models, with every lesson in full in llms-full.txt, following pushes', async () => {
    expect((await api('/llms.txt')).status).toBe(404);
    const key = await givenAuthorKey();
    await push(await buildCourse(4), key);
    // The push built the full text for its origin: the first reader finds it ready.
    await vi.waitFor(async () => expect((await env.CACHE.list({ prefix: 'llms-full:' })).keys).toHaveLength(1), {
      timeout: 5000,
      interval: 50,
    });
    const index = await api('/llms.txt');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toContain('text/markdown');
    const text = await index.text();
    expect(text).toMatch(/^# .+\n\n> .+\n/);
    expect(text).toContain('\n## ');
    expect(text).toMatch(/- \[Lesson 1\]\(https?:\/\/[^)]+\/api\/content\/lessons\/lesson-1\/content\): Summary of lesson 1\n/);
    expect(text.match(/^- \[/gm)).toHaveLength(4);

    const full = await (await api('/llms-full.txt')).text();
    for (let i = 1; i <= 4; i++) expect(full).toContain(`Intro to lesson-${i}.`);

    await push(await buildCourse(4, { 'lesson-2': { body: lessonBody('lesson-2', '\n\nA new closing line.') } }), key);
    expect(await (await api('/llms-full.txt')).text()).toContain('A new closing line.');
  });
});
