import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/app-env';
import { AUTHOR_SECURITY, requireAuthor, requireScope } from '../../http/author-auth';
import { problemResponses } from '../../http/problem';
import { validationHook } from '../../http/validation';
import { ingestJobs } from '../../queues/messages';
import { IngestStatusSchema } from './search.schemas';

const RequeuedSchema = z.object({
  requeued: z.array(z.string()).openapi({ description: 'Lesson slugs and source ids queued again' }),
});

export const ingestAdminRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
ingestAdminRoutes.use('*', requireAuthor('content:write'));
ingestAdminRoutes
  .openapi(
    createRoute({
      method: 'get',
      path: '/status',
      tags: ['Authoring'],
      summary: "Each item's ingest state, chunk count, embedders and last error",
      security: AUTHOR_SECURITY,
      responses: {
        200: {
          description: 'Ingest status',
          content: { 'application/json': { schema: IngestStatusSchema } },
        },
        ...problemResponses(401, 403, 429),
      },
    }),
    async (c) => {
      const items = await c.get('deps').search.ingestStatus();
      const count = (status: string) => items.filter((i) => i.status === status).length;
      return c.json(
        {
          embedder: c.get('deps').embedder.id,
          counts: { pending: count('pending'), ingested: count('ingested'), failed: count('failed') },
          items,
        },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/retry-failed',
      middleware: [requireScope('admin')] as const,
      tags: ['Authoring'],
      summary: 'Queue every failed item for ingest again',
      security: AUTHOR_SECURITY,
      responses: {
        200: {
          description: 'What was queued',
          content: { 'application/json': { schema: RequeuedSchema } },
        },
        ...problemResponses(401, 403, 429),
      },
    }),
    async (c) => {
      const { deps, requestId } = c.var;
      const now = new Date().toISOString();
      const items = [
        ...(await deps.content.resetFailed(now)).map((l) => ({
          kind: 'lesson' as const,
          id: l.slug,
          contentHash: l.contentHash,
        })),
        ...(await deps.sources.resetFailed(now)).map((s) => ({ kind: 'source' as const, ...s })),
      ];
      await deps.ingestQueue.sendAll(ingestJobs(items, requestId));
      return c.json({ requeued: items.map((i) => i.id) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/reindex',
      middleware: [requireScope('admin')] as const,
      tags: ['Authoring'],
      summary: "Queue every ingested item whose chunks lack vectors of this Worker's embedder (after changing the embedder)",
      security: AUTHOR_SECURITY,
      responses: {
        200: { description: 'What was queued', content: { 'application/json': { schema: RequeuedSchema } } },
        ...problemResponses(401, 403, 429),
      },
    }),
    async (c) => {
      const { deps, requestId } = c.var;
      const embedder = deps.embedder.id;
      const stale = (await deps.search.ingestStatus()).filter(
        (i) => i.status !== 'failed' && i.chunks > 0 && !i.embedders.includes(embedder),
      );
      await deps.ingestQueue.sendAll(ingestJobs(stale, requestId));
      if (stale.length > 0) deps.logger.log('info', 'ingest.reindex_queued', { count: stale.length, embedder });
      return c.json({ requeued: stale.map((i) => i.id) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/copy-vectors',
      middleware: [requireScope('admin')] as const,
      tags: ['Authoring'],
      summary:
        'Copy one page of recorded vectors into the serving index (Vectorize): after binding an index to existing content, or to repair one',
      security: AUTHOR_SECURITY,
      request: {
        body: {
          required: false,
          content: {
            'application/json': {
              schema: z
                .object({
                  after: z.string().max(200).nullable().default(null).openapi({ description: 'The `next` of the previous page' }),
                  limit: z.number().int().min(1).max(1000).default(1000),
                })
                .strict(),
            },
          },
        },
      },
      responses: {
        200: {
          description: 'What was copied, and the cursor of the next page (null at the end)',
          content: { 'application/json': { schema: z.object({ copied: z.number().int(), next: z.string().nullable() }) } },
        },
        ...problemResponses(400, 401, 403, 429),
      },
    }),
    async (c) => {
      const { after, limit } = c.req.valid('json');
      return c.json(await c.get('deps').vectorIndex.copyRecorded(after, limit), 200);
    },
  );
