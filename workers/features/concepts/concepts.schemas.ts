import { z } from '@hono/zod-openapi';
import { SlugSchema } from '../content/content.schemas';

export const ConceptSummarySchema = z
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

export const ConceptSchema = z
  .object({ id: z.string(), label: z.string(), lessons: z.array(ConceptLinkSchema), sources: z.array(ConceptLinkSchema) })
  .openapi('Concept');

export type ConceptSummary = z.infer<typeof ConceptSummarySchema>;

export const ConceptListSchema = z.object({ concepts: z.array(ConceptSummarySchema) });

export const ConceptIdParamSchema = z.object({ id: SlugSchema.openapi({ param: { name: 'id', in: 'path' } }) });
