import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/app-env';
import { AUTHOR_SECURITY, requireAuthor } from '../../http/author-auth';
import { AppError, problemResponses } from '../../http/problem';
import { byAuthor, rateLimit } from '../../http/rate-limit';
import { validationHook } from '../../http/validation';
import { DeliverySchema, LearnerIdParamSchema, MoveLearnersRequestSchema, MoveLearnersResponseSchema } from './learners.schemas';

/** Learner objects asked at once while moving. */
const MOVE_CONCURRENCY = 10;

export const learnerAdminRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
learnerAdminRoutes.use('*', requireAuthor('admin'));
learnerAdminRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/move',
    tags: ['Operations'],
    summary: "Move learners' rows from the shared D1 database into their own objects (safe to rerun)",
    description:
      'Each learner is moved by their object, which imports the rows in one transaction and then deletes them from D1; ' +
      'a learner is served from the object from then on. A learner who calls first is moved on that call. ' +
      '`npm run learners -- move` repeats this until none remain.',
    security: AUTHOR_SECURITY,
    middleware: [rateLimit({ limit: 'admin', key: byAuthor })] as const,
    request: {
      body: { required: false, content: { 'application/json': { schema: MoveLearnersRequestSchema } } },
    },
    responses: {
      200: { description: 'What moved', content: { 'application/json': { schema: MoveLearnersResponseSchema } } },
      ...problemResponses(400, 401, 403, 429),
    },
  }),
  async (c) => {
    const { deps } = c.var;
    const { limit = 50 } = (c.req.valid('json') as { limit?: number } | undefined) ?? {};
    const ids = await deps.legacyLearners.ids(limit);
    const outcomes: string[] = [];
    for (let i = 0; i < ids.length; i += MOVE_CONCURRENCY) {
      const part = ids.slice(i, i + MOVE_CONCURRENCY);
      outcomes.push(...(await Promise.all(part.map((id) => deps.learner(id).move(id)))));
    }
    const remaining = await deps.legacyLearners.count();
    const result = {
      moved: outcomes.filter((o) => o === 'moved').length,
      cleaned: outcomes.filter((o) => o === 'here').length,
      remaining,
    };
    deps.logger.log('info', 'learners.moved', result);
    return c.json(result, 200);
  },
);

learnerAdminRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/{learnerId}/delivery',
    tags: ['Operations'],
    summary: "What a learner's object has sent to the shared aggregates, and what waits",
    security: AUTHOR_SECURITY,
    middleware: [rateLimit({ limit: 'admin', key: byAuthor })] as const,
    request: { params: LearnerIdParamSchema },
    responses: {
      200: { description: 'Delivery counts', content: { 'application/json': { schema: DeliverySchema } } },
      ...problemResponses(400, 401, 403, 404, 429),
    },
  }),
  async (c) => {
    const { learnerId } = c.req.valid('param');
    const delivery = await c.get('deps').learner(learnerId).delivery(learnerId);
    if (!delivery) throw new AppError('not_found', `No learner ${learnerId}`);
    return c.json(delivery, 200);
  },
);
