import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/app-env';
import { AUTHOR_SECURITY, requireAuthor } from '../../http/author-auth';
import { problemResponses } from '../../http/problem';
import { validationHook } from '../../http/validation';

const IngestItemSchema = z
  .object({
    kind: z.enum(['lesson']),
    id: z.string(),
    contentHash: z.string(),
    status: z.enum(['pending', 'ingested', 'failed']),
    error: z.string().nullable(),
    chunks: z.number().int(),
    embedders: z.array(z.string()),
    updatedAt: z.string(),
  })
  .openapi('IngestItem');

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
          content: {
            'application/json': {
              schema: z.object({
                embedder: z.string().openapi({ description: 'The embedder this Worker indexes and searches with' }),
                counts: z.object({ pending: z.number().int(), ingested: z.number().int(), failed: z.number().int() }),
                items: z.array(IngestItemSchema),
              }),
            },
          },
        },
        ...problemResponses(401, 403),
      },
    }),
    async (c) => {
      const items = await c.var.deps.search.ingestStatus();
      const count = (status: string) => items.filter((i) => i.status === status).length;
      return c.json(
        {
          embedder: c.var.deps.embedder.id,
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
      tags: ['Authoring'],
      summary: 'Queue every failed item for ingest again',
      security: AUTHOR_SECURITY,
      responses: {
        200: {
          description: 'What was queued',
          content: { 'application/json': { schema: z.object({ requeued: z.array(z.string()) }) } },
        },
        ...problemResponses(401, 403),
      },
    }),
    async (c) => {
      const failed = await c.var.deps.content.resetFailed(new Date().toISOString());
      await c.var.deps.ingestQueue.sendAll(
        failed.map((l) => ({
          type: 'lesson.ingest' as const,
          lessonSlug: l.slug,
          contentHash: l.contentHash,
          requestId: c.var.requestId,
        })),
      );
      return c.json({ requeued: failed.map((l) => l.slug) }, 200);
    },
  );
