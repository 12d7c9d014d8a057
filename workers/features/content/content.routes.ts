import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/app-env';
import { AppError, problemResponses } from '../../http/problem';
import { validationHook } from '../../http/validation';
import { readBook } from './content.cache';
import { etagMatches, locateLesson } from './content.domain';
import { BookSchema, HashParamSchema, LessonDetailSchema, SlugParamSchema } from './content.schemas';

const REVALIDATE = 'public, max-age=0, must-revalidate';
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Linked files are author uploads: never let one run script on this origin. */
const ASSET_CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox";

const etagHeader = z.object({ ETag: z.string().openapi({ description: 'Strong validator; send it back in If-None-Match' }) });
const ifNoneMatch = z.object({ 'if-none-match': z.string().optional() });

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
    async (c) => {
      const cached = await readBook(c.var.deps);
      if (!cached) throw new AppError('not_found', 'No course has been pushed yet');
      c.header('ETag', cached.etag);
      c.header('Cache-Control', REVALIDATE);
      if (etagMatches(c.req.valid('header')['if-none-match'], cached.etag)) return c.body(null, 304);
      return c.json(cached.book, 200);
    },
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
      const cached = await readBook(c.var.deps);
      const place = cached && locateLesson(cached.book, slug);
      const record = place && (await c.var.deps.content.lessonRecord(slug));
      if (!place || !record) throw new AppError('not_found', `No lesson "${slug}"`);
      const titles = new Map(
        cached.book.parts.flatMap((p) => p.chapters.flatMap((ch) => ch.lessons.map((l) => [l.slug, l.title]))),
      );
      const { prerequisites, ...lesson } = place.lesson;
      return c.json(
        {
          ...lesson,
          objectives: record.objectives,
          part: place.part,
          chapter: place.chapter,
          prerequisites: prerequisites.map((p) => ({ slug: p, title: titles.get(p) ?? p })),
          prev: place.prev,
          next: place.next,
          quiz: record.quiz,
          ingest: record.ingest,
          updatedAt: record.updatedAt,
        },
        200,
      );
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
      const cached = await readBook(c.var.deps);
      const place = cached && locateLesson(cached.book, slug);
      if (!place) throw new AppError('not_found', `No lesson "${slug}"`);
      const etag = `"${place.lesson.contentHash}"`;
      c.header('ETag', etag);
      c.header('Cache-Control', REVALIDATE);
      if (etagMatches(c.req.valid('header')['if-none-match'], etag)) return c.body(null, 304);
      const markdown = await c.var.deps.blobs.getText(place.lesson.contentHash);
      if (markdown === null) throw new Error(`Lesson ${slug} points at missing blob ${place.lesson.contentHash}`);
      c.header('Content-Type', 'text/markdown; charset=utf-8');
      return c.body(markdown, 200);
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
      const blob = await c.var.deps.blobs.get(hash);
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
