import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/app-env';
import { AppError, problemResponses } from '../../http/problem';
import { validationHook } from '../../http/validation';
import type { Context } from 'hono';
import { publicReadLimit } from '../../http/rate-limit';
import { readBook, readCatalog } from './content.cache';
import { etagMatches, locateLesson } from './content.domain';
import {
  BookSchema,
  CatalogSchema,
  CourseParamSchema,
  HashParamSchema,
  LessonDetailSchema,
  SlugParamSchema,
  type CachedBook,
  type LessonDetail,
} from './content.schemas';

const REVALIDATE = 'public, max-age=0, must-revalidate';
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Linked files are author uploads: never let one run script on this origin. */
const ASSET_CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox";

const etagHeader = z.object({ ETag: z.string().openapi({ description: 'Strong validator; send it back in If-None-Match' }) });
const ifNoneMatch = z.object({ 'if-none-match': z.string().optional() });

/**
 * The cached book of the deployment's default course, or of `course` when a route names
 * one: 404 when nothing was pushed or the catalog has no such course. One KV read when cached.
 */
async function courseBook(c: Context<AppEnv>, course?: string): Promise<CachedBook> {
  const cached = await readBook(c.get('deps'), course);
  if (!cached) throw new AppError('not_found', course === undefined ? 'No course has been pushed yet' : `No course "${course}"`);
  return cached;
}

/**
 * The book holding lesson `slug` for the routes without a course name: the default
 * course's (one KV read), else the course the lesson belongs to (lesson slugs are unique
 * across the catalog, so `/lessons/{slug}` finds a lesson of any course; one D1 query more).
 */
async function bookOfLesson(c: Context<AppEnv>, slug: string): Promise<CachedBook> {
  const cached = await courseBook(c);
  if (locateLesson(cached.book, slug)) return cached;
  const course = await c.get('deps').content.lessonCourse(slug);
  return (course !== null && course !== cached.book.course.slug && (await readBook(c.get('deps'), course))) || cached;
}

/** The book with its ETag (304 when `ifNoneMatch` holds it). */
function sendBook(c: Context<AppEnv>, cached: CachedBook, ifNoneMatch: string | undefined) {
  c.header('ETag', cached.etag);
  c.header('Cache-Control', REVALIDATE);
  if (etagMatches(ifNoneMatch, cached.etag)) return c.body(null, 304);
  return c.json(cached.book, 200);
}

/** One lesson of the book: its place, prerequisites with titles, quiz and ingest state (404 when the book has none). */
async function lessonDetail(c: Context<AppEnv>, cached: CachedBook, slug: string): Promise<LessonDetail> {
  const place = locateLesson(cached.book, slug);
  const record = place && (await c.get('deps').content.lessonRecord(slug));
  if (!place || !record) throw new AppError('not_found', `No lesson "${slug}"`);
  const titles = new Map(cached.book.parts.flatMap((p) => p.chapters.flatMap((ch) => ch.lessons.map((l) => [l.slug, l.title]))));
  const { prerequisites, ...lesson } = place.lesson;
  return {
    ...lesson,
    objectives: record.objectives,
    course: { slug: cached.book.course.slug, title: cached.book.course.title },
    part: place.part,
    chapter: place.chapter,
    prerequisites: prerequisites.map((p) => ({ slug: p, title: titles.get(p) ?? p })),
    prev: place.prev,
    next: place.next,
    quiz: record.quiz,
    ingest: record.ingest,
    updatedAt: record.updatedAt,
  };
}

/** A lesson's markdown with its content hash as ETag (304 when `ifNoneMatch` holds it). */
async function sendLessonContent(c: Context<AppEnv>, cached: CachedBook, slug: string, ifNoneMatch: string | undefined) {
  const place = locateLesson(cached.book, slug);
  if (!place) throw new AppError('not_found', `No lesson "${slug}"`);
  const etag = `"${place.lesson.contentHash}"`;
  c.header('ETag', etag);
  c.header('Cache-Control', REVALIDATE);
  if (etagMatches(ifNoneMatch, etag)) return c.body(null, 304);
  const markdown = await c.get('deps').blobs.getText(place.lesson.contentHash);
  if (markdown === null) throw new Error(`Lesson ${slug} points at missing blob ${place.lesson.contentHash}`);
  c.header('Content-Type', 'text/markdown; charset=utf-8');
  return c.body(markdown, 200);
}

export const contentRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'get',
      path: '/book',
      tags: ['Content'],
      summary: 'The whole course: parts, chapters and lessons in reading order',
      request: { headers: ifNoneMatch },
      responses: {
        200: { description: 'The book', headers: etagHeader, content: { 'application/json': { schema: BookSchema } } },
        304: { description: 'Not modified since the ETag sent' },
        ...problemResponses(404),
      },
    }),
    async (c) => sendBook(c, await courseBook(c), c.req.valid('header')['if-none-match']),
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/lessons/{slug}',
      tags: ['Content'],
      summary: 'One lesson: metadata, prerequisites, neighbours, quiz questions and ingest state',
      request: { params: SlugParamSchema },
      responses: {
        200: { description: 'The lesson', content: { 'application/json': { schema: LessonDetailSchema } } },
        ...problemResponses(400, 404),
      },
    }),
    async (c) => {
      const { slug } = c.req.valid('param');
      return c.json(await lessonDetail(c, await bookOfLesson(c, slug), slug), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/lessons/{slug}/content',
      tags: ['Content'],
      summary: "A lesson's markdown body; the ETag is its SHA-256",
      request: { params: SlugParamSchema, headers: ifNoneMatch },
      responses: {
        200: { description: 'Markdown', headers: etagHeader, content: { 'text/markdown': { schema: z.string() } } },
        304: { description: 'Not modified since the ETag sent' },
        ...problemResponses(400, 404),
      },
    }),
    async (c) => {
      const { slug } = c.req.valid('param');
      return sendLessonContent(c, await bookOfLesson(c, slug), slug, c.req.valid('header')['if-none-match']);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/assets/{hash}',
      tags: ['Content'],
      summary: 'A file a lesson links to (figure, download), by SHA-256; immutable',
      request: { params: HashParamSchema },
      responses: {
        200: {
          description: 'The file',
          content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } },
        },
        ...problemResponses(400, 404),
      },
    }),
    async (c) => {
      const { hash } = c.req.valid('param');
      const blob = await c.get('deps').blobs.get(hash);
      if (!blob) throw new AppError('not_found', `No file ${hash}`);
      return c.body(blob.body, 200, {
        'Content-Type': blob.contentType,
        'Content-Length': String(blob.size),
        'Cache-Control': IMMUTABLE,
        ETag: `"${hash}"`,
        'Content-Security-Policy': ASSET_CSP,
        'X-Content-Type-Options': 'nosniff',
      });
    },
  );

/**
 * The catalog, and every content route addressed by course (`/api/courses/{course}/...`).
 * The unaddressed routes under /api/content keep serving the deployment's course.
 */
export const catalogRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['Content'],
      summary: 'The catalog: every course with its title, summary, lesson count, minutes, layers and languages',
      description: 'Read from the cached books (no D1 query when cached). A deployment with nothing pushed has an empty catalog.',
      middleware: [publicReadLimit] as const,
      responses: {
        200: { description: 'The courses', content: { 'application/json': { schema: CatalogSchema } } },
        ...problemResponses(429),
      },
    }),
    async (c) => {
      const courses = await readCatalog(c.get('deps'));
      c.header('Cache-Control', REVALIDATE);
      return c.json({ courses }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/{course}/book',
      tags: ['Content'],
      summary: "A course's parts, chapters and lessons in reading order",
      middleware: [publicReadLimit] as const,
      request: { params: CourseParamSchema, headers: ifNoneMatch },
      responses: {
        200: { description: 'The book', headers: etagHeader, content: { 'application/json': { schema: BookSchema } } },
        304: { description: 'Not modified since the ETag sent' },
        ...problemResponses(400, 404, 429),
      },
    }),
    async (c) => sendBook(c, await courseBook(c, c.req.valid('param').course), c.req.valid('header')['if-none-match']),
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/{course}/lessons/{slug}',
      tags: ['Content'],
      summary: 'One lesson of a course: metadata, prerequisites, neighbours, quiz questions and ingest state',
      middleware: [publicReadLimit] as const,
      request: { params: CourseParamSchema.merge(SlugParamSchema) },
      responses: {
        200: { description: 'The lesson', content: { 'application/json': { schema: LessonDetailSchema } } },
        ...problemResponses(400, 404, 429),
      },
    }),
    async (c) => {
      const { course, slug } = c.req.valid('param');
      return c.json(await lessonDetail(c, await courseBook(c, course), slug), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/{course}/lessons/{slug}/content',
      tags: ['Content'],
      summary: "A lesson's markdown body, by course; the ETag is its SHA-256",
      middleware: [publicReadLimit] as const,
      request: { params: CourseParamSchema.merge(SlugParamSchema), headers: ifNoneMatch },
      responses: {
        200: { description: 'Markdown', headers: etagHeader, content: { 'text/markdown': { schema: z.string() } } },
        304: { description: 'Not modified since the ETag sent' },
        ...problemResponses(400, 404, 429),
      },
    }),
    async (c) => {
      const { course, slug } = c.req.valid('param');
      return sendLessonContent(c, await courseBook(c, course), slug, c.req.valid('header')['if-none-match']);
    },
  );
