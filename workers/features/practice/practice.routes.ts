import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/app-env';
import { AUTHOR_SECURITY, requireAuthor } from '../../http/author-auth';
import { AppError, problemResponses } from '../../http/problem';
import { publicReadLimit } from '../../http/rate-limit';
import { validationHook } from '../../http/validation';
import { checkLibrary } from './practice.domain';
import { CATEGORIES, LibraryListSchema, LibraryResponseSchema, LibrarySchema } from './practice.schemas';

/** `PUT /api/admin/practice/library`: authors replace the current course's practice-task library. */
export const practiceAdminRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
practiceAdminRoutes.use('*', requireAuthor('content:write'));

practiceAdminRoutes.openapi(
  createRoute({
    method: 'put',
    path: '/library',
    tags: ['Practice'],
    summary: "Replace the current course's practice-task library (all variations at once; nothing is written on any error)",
    security: AUTHOR_SECURITY,
    request: { body: { content: { 'application/json': { schema: LibrarySchema } }, required: true } },
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
    const course = await c.var.deps.content.currentCourse();
    if (!course) throw new AppError('not_found', 'There is no course yet: push a course before its practice library');
    await c.var.deps.practice.replaceLibrary(course.id, variations, new Date().toISOString());
    c.var.deps.logger.log('info', 'practice.library_replaced', { course: course.id, variations: variations.length });
    const categories = Object.fromEntries(CATEGORIES.map((k) => [k, variations.filter((v) => v.category === k).length]));
    return c.json({ courseId: course.id, variations: variations.length, categories }, 200);
  },
);

/** `GET /api/practice/library`: the current course's library, for authors, developers and agents. */
export const practiceRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
practiceRoutes.use('*', publicReadLimit);

practiceRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/library',
    tags: ['Practice'],
    summary: "The current course's practice-task library, in the order it was pushed",
    responses: {
      200: { description: 'The library (empty before any push)', content: { 'application/json': { schema: LibraryListSchema } } },
      ...problemResponses(429),
    },
  }),
  async (c) => {
    const course = await c.var.deps.content.currentCourse();
    const variations = course ? await c.var.deps.practice.library(course.id) : [];
    return c.json({ courseId: course?.id ?? null, variations }, 200);
  },
);
