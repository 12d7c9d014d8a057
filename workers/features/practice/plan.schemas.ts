import { z } from '@hono/zod-openapi';
import {
  OccurredAtSchema,
  PLAN_OUTCOME_FIELDS,
  PlanIdSchema,
  PlanItemIdSchema,
  SKIP_REASON_ONLY_WHEN_SKIPPED,
  SKIP_REASONS,
} from '../events/events.schemas';
import { isTimeZone, TIME_ZONE_MESSAGE } from '../../platform/time-zone';
import { ARCHETYPES, CATEGORIES, CompletesSchema, MODES, TIMES_OF_DAY } from './practice.schemas';

export const TodayQuerySchema = z.object({
  timeZone: z.string().min(1).max(64).refine(isTimeZone, TIME_ZONE_MESSAGE).optional().openapi({
    description:
      "The device's IANA time zone, used when the learner has none in their preferences and made no plan within the last day (else that plan's zone holds; without either, UTC): it decides the plan's local date and time of day. The first plan of a day keeps the zone it was made in",
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
    difficulty: z.number().int().optional().openapi({ description: '1 (easy) to 5 (hard)' }),
    reasons: z.array(z.string()),
    completionChance: z.number().min(0).max(1).optional().openapi({
      description:
        "The predicted chance you complete it, when the plan was made: your completion rate for its variation, group and category, leaning on the course's learners where your history is thin",
    }),
    status: z.enum(['open', 'completed', 'skipped']),
    rating: z.number().int().optional().openapi({ description: "The learner's rating (1-5), once given" }),
    skipReason: z.enum(SKIP_REASONS).optional().openapi({ description: 'Why the learner skipped it, when they said' }),
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
    course: z.string().openapi({
      description:
        "The course the plan practises: one plan a day, in the course the learner last worked in (else their goal's, else the default course), since its tasks come from that course's library and learner model",
    }),
    timeZone: z.string(),
    phase: z.enum(['discovery', 'establishment', 'mastery']),
    mode: z.enum(MODES),
    archetype: z.enum(ARCHETYPES),
    reasons: z
      .object({
        phase: z.string(),
        mode: z.string(),
        archetype: z.string(),
        time: z.string().optional(),
        minutes: z.string().optional(),
      })
      .openapi({ description: 'Why the phase, mode, archetype, the time of day tasks suit and the minutes are what they are' }),
    minutes: z.number().int().openapi({ description: 'Minutes of all tasks together' }),
    items: z.array(PlanItemSchema),
  })
  .openapi('DailyPlan');
export type Plan = z.infer<typeof PlanSchema>;
/** A `Plan` written as JSON: the body of `GET /api/plans/today`, as the learner's object returns it. */
export type PlanJson = string & { readonly planJson: true };

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

const chosen = <T extends z.ZodType>(value: T) => z.object({ value, reason: z.string() });

export const PracticeProfileSchema = z
  .object({
    date: z.string().openapi({ description: "The learner's local date the profile is read on" }),
    timeZone: z.string(),
    plannedDays: z.number().int().openapi({
      description:
        "Days with a plan before today, since the learner's first plan (the phase counts these; `consistency.evidence.plannedDays` counts only its window)",
    }),
    affinity: z
      .array(
        z.object({
          category: z.enum(CATEGORIES),
          value: z.number().openapi({ description: 'In [0, 1], smoothed towards 0.5 (five pseudo-observations)' }),
          evidence: z.object({
            completed: z.number().int(),
            skipped: z.number().int(),
            leftOpen: z.number().int().openapi({ description: 'Tasks of past days neither done nor skipped' }),
            rated: z.number().int(),
            meanRating: z.number().nullable(),
          }),
        }),
      )
      .openapi({ description: 'How much the learner takes to each category of task' }),
    varietySeeking: z
      .object({
        value: z.number().nullable().openapi({
          description:
            'In [0, 1]: completion rate of variations new to the learner over the sum of new and proven rates (0.5 no preference; null before 10 tasks)',
        }),
        evidence: z.object({
          newOffered: z.number().int(),
          newCompleted: z.number().int(),
          provenOffered: z.number().int(),
          provenCompleted: z.number().int(),
        }),
      })
      .openapi({ description: 'Whether the learner takes to new variations or prefers proven ones' }),
    consistency: z
      .object({
        value: z
          .number()
          .nullable()
          .openapi({ description: 'Days practised over days planned in the window (null: no plans yet)' }),
        evidence: z.object({
          windowDays: z.number().int(),
          plannedDays: z.number().int().openapi({
            description: 'Days with a plan in the last `windowDays` days (today only once practised)',
          }),
          practisedDays: z.number().int(),
          streak: z.number().int().openapi({ description: 'Practised plan days in a row up to today' }),
        }),
      })
      .openapi({ description: 'Days practised over days planned (last 14 days), and the streak' }),
    preferredTime: z
      .object({
        value: z.enum(TIMES_OF_DAY).nullable(),
        evidence: z.object({ sessions: z.record(z.enum(TIMES_OF_DAY), z.number().int()) }),
      })
      .openapi({
        description: 'The time of day the learner practises most (sessions: local days with activity at that time, last 28 days)',
      }),
    sessionMinutes: z
      .object({
        value: z.number().int().nullable(),
        evidence: z.object({ practisedDays: z.number().int(), minutesCompleted: z.number().int() }),
      })
      .openapi({ description: 'Mean minutes of completed tasks per practised day (null before 3 days)' }),
    archetype: chosen(z.enum(ARCHETYPES)),
    phase: chosen(z.enum(['discovery', 'establishment', 'mastery'])),
    mode: chosen(z.enum(MODES)),
  })
  .openapi('PracticeProfile');
export type PracticeProfile = z.infer<typeof PracticeProfileSchema>;
