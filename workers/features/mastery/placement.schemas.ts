import { z } from '@hono/zod-openapi';
import { courseQuerySchema, SlugSchema } from '../content/content.schemas';

export const PlacementStartSchema = z
  .object({
    restart: z
      .boolean()
      .default(false)
      .openapi({ description: 'Start over even when a test is under way (a finished one can always be retaken)' }),
  })
  .strict();

export const PlacementAnswerBodySchema = z
  .object({
    itemId: z.string().min(1).max(200).openapi({ description: 'The question answered: the one the test asked' }),
    answer: z.number().int().min(0).max(50).openapi({ description: 'Index of the chosen option' }),
  })
  .strict();

/** `?course=`: the course to place the learner in (default: the default course). */
export const PlacementCourseQuerySchema = courseQuerySchema('A course of GET /api/courses; default: the default course');

export const PlacementIdParamSchema = z.object({
  id: z
    .string()
    .regex(/^pl_[A-Za-z0-9_-]{8,64}$/, 'must be a placement id (pl_…)')
    .openapi({ example: 'pl_3f2a9c1e7b' }),
});

const ConceptResultSchema = z.object({
  conceptId: z.string(),
  title: z.string(),
  pKnown: z.number(),
  level: z.enum(['not started', 'learning', 'practising', 'mastered']),
  tested: z.boolean().openapi({ description: 'Whether a question on the concept was asked' }),
});

export const PlacementResultSchema = z.object({
  ability: z.object({ theta: z.number(), se: z.number() }),
  right: z.number().int(),
  answered: z.number().int(),
  concepts: z.array(ConceptResultSchema),
  lessonsUnlocked: z
    .array(z.object({ slug: SlugSchema, title: z.string() }))
    .openapi({ description: 'Lessons whose prerequisites the placement met (they were not met before)' }),
});
export type PlacementResult = z.infer<typeof PlacementResultSchema>;

export const PlacementStateSchema = z
  .object({
    id: z.string(),
    course: z.string().openapi({ description: 'The course the test places the learner in' }),
    status: z.enum(['active', 'finished']),
    answered: z.number().int(),
    maxItems: z.number().int(),
    ability: z.object({ theta: z.number(), se: z.number() }),
    item: z
      .object({
        id: z.string(),
        question: z.string(),
        choices: z.array(z.string()),
        conceptId: z.string(),
        conceptTitle: z.string(),
      })
      .nullable()
      .openapi({ description: 'The question to answer next; null once the test is over' }),
    last: z
      .object({ itemId: z.string(), correct: z.boolean(), answer: z.number().int(), rightAnswer: z.number().int() })
      .nullable()
      .openapi({ description: 'How the previous answer was graded' }),
    result: PlacementResultSchema.nullable(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi('Placement');
export type PlacementState = z.infer<typeof PlacementStateSchema>;
