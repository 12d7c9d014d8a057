import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/app-env';
import { AppError, problemResponses } from '../../http/problem';
import { validationHook } from '../../http/validation';
import { publicReadLimit } from '../../http/rate-limit';
import { sourceFileUrl } from '../sources/sources.domain';
import { ConceptIdParamSchema, ConceptListSchema, ConceptSchema } from './concepts.schemas';

export const conceptRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['Content'],
      summary: 'Concepts the course and its sources teach: those authors named first, then extracted ones; most covered first',
      middleware: [publicReadLimit] as const,
      responses: {
        200: {
          description: 'Concepts',
          content: { 'application/json': { schema: ConceptListSchema } },
        },
      },
    }),
    async (c) => c.json({ concepts: await c.var.deps.concepts.list() }, 200),
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      tags: ['Content'],
      summary: 'One concept with the lessons and sources that teach it',
      middleware: [publicReadLimit] as const,
      request: { params: ConceptIdParamSchema },
      responses: {
        200: { description: 'The concept', content: { 'application/json': { schema: ConceptSchema } } },
        ...problemResponses(400, 404, 429),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const concept = await c.var.deps.concepts.get(id);
      if (!concept) throw new AppError('not_found', `No concept ${id}`);
      return c.json(
        {
          ...concept,
          lessons: concept.lessons.map((l) => ({ ...l, href: `/lessons/${l.id}` })),
          sources: concept.sources.map((s) => ({ ...s, href: sourceFileUrl(s.id) })),
        },
        200,
      );
    },
  );
