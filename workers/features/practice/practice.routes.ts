import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { courseQuerySchema } from '../content/content.schemas';
import { askedCourse } from '../content/content.catalog';
import { libraryFor } from './practice.library';
import type { AppEnv } from '../../http/app-env';
import { AUTHOR_SECURITY, requireAuthor } from '../../http/author-auth';
import { AppError, problemResponses } from '../../http/problem';
import { publicReadLimit } from '../../http/rate-limit';
import { validationHook } from '../../http/validation';
import { checkLibrary } from './practice.domain';
import { CATEGORIES, LibraryListSchema, LibraryResponseSchema, LibrarySchema } from './practice.schemas';

/** `?course=`: the course whose library it is (default: the default course). */
const LibraryCourseQuerySchema = courseQuerySchema(
  'A course of `GET /api/courses`; default: the default course (whose library serves courses without one)',
);

/** `PUT /api/admin/practice/library`: authors replace a course's practice-task library. */
export const practiceAdminRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
practiceAdminRoutes.use('*', requireAuthor('content:write'));

practiceAdminRoutes.openapi(
  createRoute({
    method: 'put',
    path: '/library',
    tags: ['Practice'],
    summary: "Replace a course's practice-task library (all variations at once; nothing is written on any error)",
    security: AUTHOR_SECURITY,
    request: {
      query: LibraryCourseQuerySchema,
      body: { content: { 'application/json': { schema: LibrarySchema } }, required: true },
    },
    responses: {
      200: { description: 'Stored', content: { 'application/json': { schema: LibraryResponseSchema } } },
      ...problemResponses(400, 401, 403, 404, 413, 429),
    },
  }),
  async (c) => {
    const { variations } = c.req.valid('json');
    const problems = checkLibrary(variations);
    if (problems.length > 0) {
      throw new AppError('validation_failed', `${problems.length} problem(s) in the practice library`, {
        errors: problems.map((p) => ({
          field: `json/${p.path.join('/')}`,
          message: p.also === undefined ? p.message : `${p.message} (also variation ${p.also + 1})`,
        })),
      });
    }
    const course = await askedCourse(c.get('deps'), c.req.valid('query').course);
    if (!course) throw new AppError('not_found', 'There is no course yet: push a course before its practice library');
    await c.get('deps').practice.replaceLibrary(course.id, variations, new Date().toISOString());
    c.get('deps').logger.log('info', 'practice.library_replaced', { course: course.id, variations: variations.length });
    const categories = Object.fromEntries(CATEGORIES.map((k) => [k, variations.filter((v) => v.category === k).length]));
    return c.json({ courseId: course.id, variations: variations.length, categories }, 200);
  },
);

/** `GET /api/practice/library`: the library a course's plans draw from, for authors, developers and agents. */
export const practiceRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
practiceRoutes.use('*', publicReadLimit);

practiceRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/library',
    tags: ['Practice'],
    summary: "The practice-task library a course's plans draw from, in the order it was pushed",
    description:
      "The course's own library, else the default course's (`courseId` says whose): a course pushed without a library plans from the default one.",
    request: { query: LibraryCourseQuerySchema },
    responses: {
      200: { description: 'The library (empty before any push)', content: { 'application/json': { schema: LibraryListSchema } } },
      ...problemResponses(400, 404, 429),
    },
  }),
  async (c) => {
    const course = await askedCourse(c.get('deps'), c.req.valid('query').course);
    return c.json(await libraryFor(c.get('deps'), course?.id ?? null), 200);
  },
);
