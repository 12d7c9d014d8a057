import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../http/app-env';
import { AppError } from '../../http/problem';
import { publicReadLimit } from '../../http/rate-limit';
import { readBook } from './content.cache';
import type { Book, CachedBook } from './content.schemas';
import type { Deps } from '../../deps';

/** The full text is kept per course version for this long, after which it is rebuilt from R2 on request. */
const FULL_TTL_SECONDS = 7 * 86_400;

/** A lesson's markdown as text, served by the API. */
const lessonText = (origin: string, slug: string) => `${origin}/api/content/lessons/${slug}/content`;

/**
 * The course as llms.txt (llmstxt.org): its title, summary as the blockquote, how to
 * reach it, then one section per part listing its lessons as links to their markdown
 * with their summaries.
 */
export function llmsIndex(book: Book, origin: string): string {
  const lines = [
    `# ${book.course.title}`,
    '',
    `> ${book.course.summary.replace(/\s+/g, ' ').trim() || `${book.lessonCount} lessons`}`,
    '',
    `${book.lessonCount} lessons in ${book.parts.length} parts, version ${book.version}. Each link is a lesson's markdown; ` +
      `${origin}/llms-full.txt has every lesson in one file. Search the course with POST ${origin}/api/search and ask it ` +
      `questions with POST ${origin}/api/answers (a learner token from POST ${origin}/api/learners); the API is described at ${origin}/api/openapi.json.`,
  ];
  for (const part of book.parts) {
    lines.push('', `## ${part.title}`, '');
    for (const chapter of part.chapters) {
      for (const lesson of chapter.lessons) {
        const summary = lesson.summary.replace(/\s+/g, ' ').trim();
        lines.push(`- [${lesson.title}](${lessonText(origin, lesson.slug)})${summary ? `: ${summary}` : ''}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Every lesson's markdown in course order, each under its title and the link to it. */
export function llmsFull(book: Book, origin: string, bodies: ReadonlyMap<string, string>): string {
  const sections = [`# ${book.course.title}`, '', `> ${book.course.summary.replace(/\s+/g, ' ').trim()}`];
  for (const part of book.parts) {
    sections.push('', `## ${part.title}`);
    for (const chapter of part.chapters) {
      for (const lesson of chapter.lessons) {
        sections.push(
          '',
          `### ${lesson.title}`,
          '',
          `Source: ${lessonText(origin, lesson.slug)}`,
          '',
          (bodies.get(lesson.slug) ?? '').trim(),
        );
      }
    }
  }
  return `${sections.join('\n')}\n`;
}

const fullKey = (cached: CachedBook, origin: string) => `llms-full:${cached.etag}:${origin}`;

/**
 * Builds `/llms-full.txt` for a version of the course (every lesson's markdown, read
 * from R2) and keeps it in KV: a push does it for the origin it was pushed to, so the
 * first reader after a push does not wait for it; another origin builds its own once.
 */
export async function storeLlmsFull(deps: Pick<Deps, 'blobs' | 'cache'>, cached: CachedBook, origin: string): Promise<string> {
  const lessons = cached.book.parts.flatMap((p) => p.chapters.flatMap((ch) => ch.lessons));
  const bodies = new Map(
    await Promise.all(lessons.map(async (l) => [l.slug, (await deps.blobs.getText(l.contentHash)) ?? ''] as const)),
  );
  const text = llmsFull(cached.book, origin, bodies);
  await deps.cache.putJson(fullKey(cached, origin), text, { ttlSeconds: FULL_TTL_SECONDS });
  return text;
}

/** `/llms.txt` and `/llms-full.txt`, from the current course (the full text cached per course version). */
export const llmsRoutes = new Hono<AppEnv>()
  .use('*', publicReadLimit)
  .get('/llms.txt', async (c) => {
    const cached = await readBook(c.get('deps'));
    if (!cached) throw new AppError('not_found', 'No course has been pushed yet');
    c.header('Content-Type', 'text/markdown; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=300');
    return c.body(llmsIndex(cached.book, new URL(c.req.url).origin), 200);
  })
  .get('/llms-full.txt', async (c) => {
    const { deps } = c.var;
    const cached = await readBook(deps);
    if (!cached) throw new AppError('not_found', 'No course has been pushed yet');
    const origin = new URL(c.req.url).origin;
    const text = (await deps.cache.getJson(fullKey(cached, origin), z.string())) ?? (await storeLlmsFull(deps, cached, origin));
    c.header('Content-Type', 'text/markdown; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=300');
    return c.body(text, 200);
  });
