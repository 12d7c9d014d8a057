import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/app-env';
import { problemResponses } from '../../http/problem';
import { validationHook } from '../../http/validation';
import { publicReadLimit } from '../../http/rate-limit';
import type { Deps } from '../../deps';
import { readBook } from '../content/content.cache';
import { askedCourse, lessonPageHref } from '../content/content.catalog';
import { searchChunks } from './search.query';
import { nearLessons } from './search.relevance';
import { SearchRequestSchema, SearchResponseSchema } from './search.schemas';

/** Lessons to offer when nothing matched (see `nearLessons`), from the cached book of the course searched (else the default). */
async function suggestionsFor(deps: Deps, query: string, course: string | undefined) {
  const book = (await readBook(deps, course))?.book;
  if (!book) return [];
  const lessons = book.parts.flatMap((p) => p.chapters.flatMap((ch) => ch.lessons));
  const starts = book.parts.flatMap((p) => p.chapters[0]?.lessons.slice(0, 1) ?? []);
  return nearLessons(query, lessons, starts).map((l) => ({
    lessonSlug: l.slug,
    title: l.title,
    href: lessonPageHref(book.course.slug, l.slug),
  }));
}

export const searchRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(
  createRoute({
    method: 'post',
    path: '/',
    tags: ['Content'],
    summary: 'Search the catalog, or one course: BM25 and vector similarity fused by reciprocal rank',
    description: [
      "A hit must hold one of the query's content words, or be close enough in meaning by an embedder whose",
      'threshold has been measured. Function words ("no", "such", "the") and words naming the course\'s structure',
      '("lesson") are not content words; a query made only of them matches chunks that write each of them in',
      'capitals, as keywords (`NOT IN`). A query that nothing in the course is about returns no hits.',
      'By default each lesson or source appears once, at its best chunk, with `moreMatches` counting its other',
      'matching chunks; `group: chunk` lists every chunk. Snippets are plain text: markdown, code blocks and the',
      'headings in `headingPath` are left out. When nothing matched, `suggestions` offers lessons whose title is one',
      'typo away from a word of the query, else the first lesson of each part.',
    ].join(' '),
    middleware: [publicReadLimit] as const,
    request: { body: { required: true, content: { 'application/json': { schema: SearchRequestSchema } } } },
    responses: {
      200: {
        description: 'Ranked hits with deep links, one per lesson or source unless `group: chunk`; empty when nothing matches',
        content: { 'application/json': { schema: SearchResponseSchema } },
      },
      ...problemResponses(400, 404, 429),
    },
  }),
  async (c) => {
    const { query, limit, mode, group, filters } = c.req.valid('json');
    if (filters.course !== undefined) await askedCourse(c.get('deps'), filters.course, 'json/filters/course');
    const result = await searchChunks(c.get('deps'), {
      query,
      limit,
      group,
      modes: mode === 'hybrid' ? ['lexical', 'vector'] : [mode],
      filter: {
        courseId: filters.course,
        partSlug: filters.part,
        chapterSlug: filters.chapter,
        layer: filters.layer,
        sourceType: filters.sourceType,
      },
    });
    if (result.hits.length > 0) return c.json({ ...result, suggestions: [] }, 200);
    // A query that found nothing is counted for the authors (what the course is missing), after the answer.
    const day = new Date().toISOString().slice(0, 10);
    c.executionCtx.waitUntil(
      c
        .get('deps')
        .search.recordMiss(query, day, filters.course)
        .catch((error: unknown) => c.get('logger').log('warn', 'search.miss_not_recorded', { error: String(error) })),
    );
    return c.json({ ...result, suggestions: await suggestionsFor(c.get('deps'), query, filters.course) }, 200);
  },
);
