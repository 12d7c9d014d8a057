import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/app-env';
import { AUTHOR_SECURITY, requireAuthor } from '../../http/author-auth';
import { problemResponses } from '../../http/problem';
import { validationHook } from '../../http/validation';
import { AggregateMessageSchema, type AggregateMessage } from '../aggregates/aggregates.schemas';
import type { EventMessage } from './events.schemas';

/** Dead letters sent back per request (the queue takes 100 per send; the store pages by 90). */
const REPLAY_PAGE = 500;

export const eventAdminRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
eventAdminRoutes.use('*', requireAuthor('admin'));
eventAdminRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/replay-dlq',
    tags: ['Authoring'],
    summary: 'Send kept dead letters back to their queue, EVENTS or AGGREGATES (a page at a time); applying stays exactly once',
    security: AUTHOR_SECURITY,
    responses: {
      200: {
        description: 'What was sent again, and what is left',
        content: { 'application/json': { schema: z.object({ replayed: z.number().int(), remaining: z.number().int() }) } },
      },
      ...problemResponses(401, 403, 429),
    },
  }),
  async (c) => {
    const { deps } = c.var;
    const letters = await deps.events.deadLetters(REPLAY_PAGE);
    // Sent first, forgotten after: a failure in between replays a letter twice, which
    // the consumer applies once; the reverse order could lose it.
    const aggregates = letters.filter((l) => AggregateMessageSchema.safeParse(l.body).success);
    const events = letters.filter((l) => !aggregates.includes(l));
    await deps.aggregatesQueue.sendAll(aggregates.map((l) => l.body as AggregateMessage));
    await deps.eventsQueue.sendAll(events.map((l) => l.body as EventMessage));
    const remaining = await deps.events.forgetDeadLetters(letters.map((l) => l.id));
    deps.logger.log('info', 'events.dlq_replayed', { replayed: letters.length, remaining });
    return c.json({ replayed: letters.length, remaining }, 200);
  },
);
