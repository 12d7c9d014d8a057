import { z } from '@hono/zod-openapi';

export const CATEGORIES = ['review', 'learn', 'practice', 'apply', 'reflect', 'warm-up'] as const;
export const ARCHETYPES = ['sprinter', 'builder', 'diver', 'explorer'] as const;
export const MODES = ['light', 'standard', 'intense'] as const;
export const TIMES_OF_DAY = ['morning', 'afternoon', 'evening', 'night'] as const;
export const MAX_VARIATIONS = 500;

const slug = z
  .string()
  .min(1)
  .max(60)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a lowercase slug (a-z, 0-9 and single hyphens)');
const weight = z.number().min(0).max(1);
/** A weight for each of `keys`, 0 (never suits) to 1 (suits best); every key must be given. */
const weights = <K extends readonly [string, ...string[]]>(keys: K) =>
  z.object(Object.fromEntries(keys.map((k) => [k, weight])) as { [P in K[number]]: typeof weight }).strict();

export const CompletesSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('lesson') }).strict(),
    z.object({ kind: z.literal('reviews'), count: z.number().int().min(1).max(100) }).strict(),
    z.object({ kind: z.literal('quiz_answers'), count: z.number().int().min(1).max(50) }).strict(),
    z.object({ kind: z.literal('check_off') }).strict(),
  ])
  .openapi({
    description:
      'What completes the task: completing the bound lesson, doing N due reviews, answering N quiz questions, or the learner ticking it off',
  });

/** One practice-task variation of the library. */
export const VariationSchema = z
  .object({
    id: slug,
    category: z.enum(CATEGORIES),
    group: slug.openapi({
      description: 'Variation group: variations that feel the same to a learner share one (rotation works on groups)',
    }),
    title: z.string().trim().min(1).max(120),
    instructions: z
      .string()
      .trim()
      .min(1)
      .max(1000)
      .openapi({ description: 'May use {count}, {lesson}, {section}, {concept} and {concept2}, as its category allows' }),
    minutes: z.number().int().min(1).max(60),
    difficulty: z.number().int().min(1).max(5),
    archetypes: weights(ARCHETYPES),
    modes: weights(MODES),
    times: z
      .array(z.enum(TIMES_OF_DAY))
      .min(1)
      .max(4)
      .refine((t) => new Set(t).size === t.length, 'lists a time of day twice'),
    completes: CompletesSchema,
    after: z
      .array(slug)
      .min(1)
      .max(20)
      .refine((s) => new Set(s).size === s.length, 'lists a lesson twice')
      .optional()
      .openapi({
        description:
          "Slugs of the lessons the task builds on (a query about joins): it is planned only for a learner who completed every one of them, so never in a course without them (the default course's library serves other courses too)",
      }),
  })
  .strict()
  .openapi('PracticeVariation');
export type Variation = z.infer<typeof VariationSchema>;

/** `PUT /api/admin/practice/library`: the whole library, replacing the current course's one. */
export const LibrarySchema = z
  .object({ variations: z.array(VariationSchema).min(1).max(MAX_VARIATIONS) })
  .strict()
  .openapi('PracticeLibrary');

export const LibraryResponseSchema = z
  .object({
    courseId: z.string(),
    variations: z.number().int(),
    categories: z.record(z.string(), z.number().int()).openapi({ description: 'Variations per category' }),
  })
  .openapi('PracticeLibraryStored');

export const LibraryListSchema = z
  .object({ courseId: z.string().nullable(), variations: z.array(VariationSchema) })
  .openapi('PracticeLibraryList');
