import { z } from '@hono/zod-openapi';
import { courseQuerySchema, SlugSchema } from '../content/content.schemas';

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
  course: z.string().nullable().openapi({ description: "The lesson's course; null for a knowledge source" }),
  href: z.string(),
  origin: z
    .enum(['author', 'extracted'])
    .openapi({ description: 'author: named in frontmatter; extracted: a key phrase of the text' }),
  weight: z.number().openapi({ description: 'How central the concept is to the item, 0-1 (1 for author concepts)' }),
});

const NeighbourSchema = z.object({
  id: z.string(),
  label: z.string(),
  via: z.enum(['lesson_prerequisite', 'lesson_order', 'co_occurrence']).openapi({
    description:
      "lesson_prerequisite: taught in a lesson the other concept's lesson needs; lesson_order: listed before it in a lesson; co_occurrence: shares lessons or sources",
  }),
  strength: z
    .number()
    .openapi({ description: 'For co-occurrence, the shared lessons and sources weighted by centrality; else 1' }),
});

export const ConceptSchema = z
  .object({
    id: z.string(),
    label: z.string(),
    lessons: z.array(ConceptLinkSchema),
    sources: z.array(ConceptLinkSchema),
    neighbours: z
      .object({
        prerequisites: z.array(NeighbourSchema).openapi({ description: 'Concepts to know first' }),
        dependents: z.array(NeighbourSchema).openapi({ description: 'Concepts that build on this one' }),
        related: z.array(NeighbourSchema).openapi({ description: 'At most 8 concepts that share lessons or sources with it' }),
      })
      .openapi({ description: "The concept's neighbours in the concept graph" }),
    linked: z.array(z.object({ course: z.string(), courseTitle: z.string(), id: z.string(), label: z.string() })).openapi({
      description:
        "With `course`: the same concept in other courses, as an author linked them (the course index's `concept-links`); a graded answer on one moves the learner's mastery of all. Empty without `course`.",
    }),
  })
  .openapi('Concept');

export type ConceptSummary = z.infer<typeof ConceptSummarySchema>;

export const ConceptListSchema = z.object({ concepts: z.array(ConceptSummarySchema) });

/** `?course=`: one course's concepts. */
export const ConceptCourseQuerySchema = courseQuerySchema(
  "Only what this course's lessons teach (a slug of `GET /api/courses`); knowledge sources belong to every course. Default: the whole catalog",
);

export const ConceptIdParamSchema = z.object({ id: SlugSchema.openapi({ param: { name: 'id', in: 'path' } }) });
