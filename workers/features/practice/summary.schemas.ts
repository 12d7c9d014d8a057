import { z } from '@hono/zod-openapi';
import { CATEGORIES, TIMES_OF_DAY } from './practice.schemas';

export const WeekSchema = z
  .string()
  .regex(/^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/, 'must be an ISO week, such as 2026-W48')
  .openapi({ description: 'An ISO week of the learner’s local calendar (Monday to Sunday)', example: '2026-W48' });

const ConceptRefSchema = z.object({ id: z.string(), title: z.string(), pKnown: z.number() });

/** One learner's summary of one local week, built after the week ends. */
export const WeeklySummarySchema = z
  .object({
    week: WeekSchema,
    start: z.string().openapi({ description: 'Monday of the week (YYYY-MM-DD, local)' }),
    end: z.string().openapi({ description: 'Sunday of the week (YYYY-MM-DD, local)' }),
    timeZone: z.string(),
    builtAt: z.string(),
    complete: z.boolean().openapi({ description: 'False for the week so far (built on read, not stored)' }),
    minutes: z.number().int().openapi({ description: 'Minutes of the plan tasks completed in the week' }),
    activeMinutes: z.number().int().openapi({ description: 'Minutes active on lessons in the week (heartbeats)' }),
    days: z
      .array(
        z.object({
          date: z.string(),
          planned: z.number().int(),
          completed: z.number().int(),
          minutes: z.number().int(),
        }),
      )
      .openapi({ description: 'The seven days, Monday first: tasks planned and completed, and their minutes' }),
    tasks: z.object({
      planned: z.number().int(),
      completed: z.number().int(),
      skipped: z.number().int(),
      byCategory: z.array(z.object({ category: z.enum(CATEGORIES), planned: z.number().int(), completed: z.number().int() })),
    }),
    streak: z.number().int().openapi({ description: 'Practised days in a row at the end of the week' }),
    concepts: z
      .object({ mastered: z.array(ConceptRefSchema), slipping: z.array(ConceptRefSchema) })
      .openapi({ description: 'Concepts newly mastered since the last summary, and those whose mastery fell' }),
    reviews: z.object({
      done: z.number().int().openapi({ description: 'Reviews rated in the week' }),
      overdue: z.number().int().openapi({ description: 'Cards due before the week ended and still not reviewed' }),
      keptUp: z.boolean(),
    }),
    bestTime: z
      .object({
        value: z.enum(TIMES_OF_DAY).nullable(),
        sessions: z.record(z.enum(TIMES_OF_DAY), z.number().int()),
      })
      .openapi({ description: 'The time of day the learner practised most in the week (sessions: days with activity then)' }),
    insights: z
      .array(
        z.object({
          text: z.string(),
          numbers: z.record(z.string(), z.number()).openapi({ description: 'The numbers the sentence states' }),
        }),
      )
      .min(2)
      .max(4)
      .openapi({ description: '2 to 4 sentences on the week, each with the numbers behind it' }),
    phrasedBy: z.string().nullable().optional().openapi({
      description:
        'The model that phrased the sentences (each checked to state exactly its numbers); absent or null: written offline',
    }),
  })
  .openapi('WeeklySummary');
export type WeeklySummary = z.infer<typeof WeeklySummarySchema>;

export const SummariesQuerySchema = z.object({ week: WeekSchema.optional() });

export const SummariesSchema = z
  .object({ summaries: z.array(WeeklySummarySchema).openapi({ description: 'Newest first' }) })
  .openapi('WeeklySummaries');
