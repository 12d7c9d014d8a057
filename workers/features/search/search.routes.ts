import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/app-env';
import { problemResponses } from '../../http/problem';
import { validationHook } from '../../http/validation';
import { publicReadLimit } from '../../http/rate-limit';
import { searchChunks } from './search.query';
import { SearchRequestSchema, SearchResponseSchema } from './search.schemas';

export const searchRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(
  createRoute({
    method: 'post',
    path: '/',
    tags: ['Content'],
    summary: 'Search the course: BM25 and vector similarity fused by reciprocal rank',
    middleware: [publicReadLimit] as const,
    request: { body: { required: true, content: { 'application/json': { schema: SearchRequestSchema } } } },
    responses: {
      200: { description: 'Ranked chunks with deep links', content: { 'application/json': { schema: SearchResponseSchema } } },
      ...problemResponses(400, 429),
    },
  }),
  async (c) => {
    const { query, limit, mode, filters } = c.req.valid('json');
    const result = await searchChunks(c.var.deps, {
      query,
      limit,
      modes: mode === 'hybrid' ? ['lexical', 'vector'] : [mode],
      filter: { partSlug: filters.part, chapterSlug: filters.chapter, layer: filters.layer, sourceType: filters.sourceType },
    });
    return c.json(result, 200);
  },
);
