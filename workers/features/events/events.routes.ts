import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/app-env';
import { LEARNER_SECURITY, requireLearner } from '../../http/learner-auth';
import { problemResponses } from '../../http/problem';
import { validationHook } from '../../http/validation';
import { byLearner, rateLimit } from '../../http/rate-limit';
import { EventBatchSchema } from './events.schemas';

export const eventRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(
  createRoute({
    method: 'post',
    path: '/',
    tags: ['Learners'],
    summary: 'Record learner events (up to 100); each is applied once by its eventId, through the EVENTS queue',
    security: LEARNER_SECURITY,
    middleware: [requireLearner, rateLimit({ limit: 'eventBatch', key: byLearner })] as const,
    request: { body: { required: true, content: { 'application/json': { schema: EventBatchSchema } } } },
    responses: {
      202: {
        description: 'Queued; applied shortly, once each',
        content: { 'application/json': { schema: z.object({ accepted: z.number().int() }) } },
      },
      ...problemResponses(400, 401, 429),
    },
  }),
  async (c) => {
    const { events } = c.req.valid('json');
    const { deps, learnerId } = c.var;
    const receivedAt = new Date().toISOString();
    await deps.eventsQueue.sendAll(events.map((event) => ({ learnerId, receivedAt, event })));
    return c.json({ accepted: events.length }, 202);
  },
);
