import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/app-env';
import { AppError, problemResponses } from '../../http/problem';
import { validationHook } from '../../http/validation';
import { SlugSchema } from '../content/content.schemas';
import { sourceFileUrl } from '../sources/sources.domain';

const ConceptSummarySchema = z
  .object({
    id: z.string(),
    label: z.string(),
    lessons: z.number().int().openapi({ description: 'Lessons that teach it' }),
    sources: z.number().int().openapi({ description: 'Knowledge sources that cover it' }),
    authored: z.boolean().openapi({ description: 'Named by an author in frontmatter; these come first' }),
  })
  .openapi('ConceptSummary');

const ConceptLinkSchema = z.object({
  id: z.string(),
  title: z.string(),
  href: z.string(),
  origin: z
    .enum(['author', 'extracted'])
    .openapi({ description: 'author: named in frontmatter; extracted: a key phrase of the text' }),
  weight: z.number().openapi({ description: 'How central the concept is to the item, 0-1 (1 for author concepts)' }),
});

const ConceptSchema = z
  .object({ id: z.string(), label: z.string(), lessons: z.array(ConceptLinkSchema), sources: z.array(ConceptLinkSchema) })
  .openapi('Concept');

export const conceptRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['Content'],
      summary: 'Concepts the course and its sources teach: those authors named first, then extracted ones; most covered first',
      responses: {
        200: {
          description: 'Concepts',
          content: { 'application/json': { schema: z.object({ concepts: z.array(ConceptSummarySchema) }) } },
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
      request: { params: z.object({ id: SlugSchema.openapi({ param: { name: 'id', in: 'path' } }) }) },
      responses: {
        200: { description: 'The concept', content: { 'application/json': { schema: ConceptSchema } } },
        ...problemResponses(400, 404),
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
