import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/app-env';
import { AUTHOR_SECURITY, requireAuthor } from '../../http/author-auth';
import { problemResponses } from '../../http/problem';
import { validationHook } from '../../http/validation';
import { IngestStatusSchema } from './search.schemas';

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
          content: {
            'application/json': {
              schema: z.object({
                requeued: z.array(z.string()).openapi({ description: 'Lesson slugs and source ids queued again' }),
              }),
            },
          },
        },
        ...problemResponses(401, 403),
      },
    }),
    async (c) => {
      const { deps, requestId } = c.var;
      const now = new Date().toISOString();
      const lessons = await deps.content.resetFailed(now);
      const sources = await deps.sources.resetFailed(now);
      await deps.ingestQueue.sendAll([
        ...lessons.map((l) => ({ type: 'lesson.ingest' as const, lessonSlug: l.slug, contentHash: l.contentHash, requestId })),
        ...sources.map((s) => ({ type: 'source.ingest' as const, sourceId: s.id, contentHash: s.contentHash, requestId })),
      ]);
      return c.json({ requeued: [...lessons.map((l) => l.slug), ...sources.map((s) => s.id)] }, 200);
    },
  );
