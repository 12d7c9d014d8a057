import { z } from '@hono/zod-openapi';
import {
  OccurredAtSchema,
  PLAN_OUTCOME_FIELDS,
  PlanIdSchema,
  PlanItemIdSchema,
  SKIP_REASON_ONLY_WHEN_SKIPPED,
} from '../events/events.schemas';
import { ARCHETYPES, CATEGORIES, CompletesSchema, MODES } from './practice.schemas';

/** Whether `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const TodayQuerySchema = z.object({
  timeZone: z
    .string()
    .min(1)
    .max(64)
    .refine(isTimeZone, 'must be an IANA time zone, such as Europe/London or America/New_York')
    .optional()
    .openapi({
      description:
        "The learner's IANA time zone (default UTC): it decides the plan's local date and time of day. The first plan of a day keeps the zone it was made in",
    }),
});

export const PlanItemSchema = z
  .object({
    id: z.string(),
    category: z.enum(CATEGORIES),
    variationId: z.string(),
    title: z.string(),
    instructions: z.string(),
    minutes: z.number().int(),
    reasons: z.array(z.string()),
    status: z.enum(['open', 'completed', 'skipped']),
    binding: z
      .object({
        lessonSlug: z.string().optional(),
        conceptId: z.string().optional(),
        concept2Id: z.string().optional(),
        count: z.number().int().optional(),
      })
      .openapi({ description: 'The lesson, concepts and count the task is bound to' }),
    completes: CompletesSchema,
  })
  .openapi('PlanItem');

export const PlanSchema = z
  .object({
    id: z.string().openapi({ description: '`plan_<date>`: one plan per learner and local date' }),
    date: z.string().openapi({ description: 'The local date (YYYY-MM-DD) in `timeZone`' }),
    timeZone: z.string(),
    phase: z.enum(['discovery', 'establishment', 'mastery']),
    mode: z.enum(MODES),
    archetype: z.enum(ARCHETYPES),
    reasons: z
      .object({ phase: z.string(), mode: z.string(), archetype: z.string() })
      .openapi({ description: 'Why the phase, mode and archetype are what they are' }),
    minutes: z.number().int().openapi({ description: 'Minutes of all tasks together' }),
    items: z.array(PlanItemSchema),
  })
  .openapi('DailyPlan');
export type Plan = z.infer<typeof PlanSchema>;

export const PlanItemParamSchema = z.object({
  planId: PlanIdSchema.openapi({ param: { name: 'planId', in: 'path' } }),
  itemId: PlanItemIdSchema.openapi({ param: { name: 'itemId', in: 'path' } }),
});

/** `POST /api/plans/{planId}/items/{itemId}/feedback`: what the learner did with a task. */
export const PlanFeedbackSchema = z
  .object({
    eventId: z.uuid().openapi({ description: 'Client-generated UUID: a repeated request counts once' }),
    occurredAt: OccurredAtSchema.optional(),
    ...PLAN_OUTCOME_FIELDS,
  })
  .strict()
  .refine(...SKIP_REASON_ONLY_WHEN_SKIPPED)
  .openapi('PlanFeedback');

export const PlanFeedbackResultSchema = z.object({ applied: z.boolean() }).openapi('PlanFeedbackResult');
