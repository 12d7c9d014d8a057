import { z } from '@hono/zod-openapi';
import { SlugSchema } from '../content/content.schemas';
import { REVIEW_RATINGS } from '../mastery/mastery.domain';

/** Longest active time one heartbeat may credit: a stuck tab cannot inflate time. */
export const MAX_HEARTBEAT_SECONDS = 60;
/** Most active time one learner is credited in one UTC day (12 hours): no client can pile up more. */
export const MAX_DAILY_ACTIVE_SECONDS = 12 * 3600;
export const MAX_EVENTS_PER_BATCH = 100;
/** `restored` undoes a dismissal: the item may be suggested again and the dismissal leaves the shared statistics. */
export const RECOMMENDATION_ACTIONS = ['accepted', 'dismissed', 'completed', 'restored'] as const;
export const ANSWER_RATINGS = ['up', 'down'] as const;
/** Why a learner rated an answer as they did: what was right with it, or what was wrong. */
export const ANSWER_FEEDBACK_REASONS = [
  'helpful',
  'clear',
  'wrong',
  'not_in_sources',
  'unclear',
  'incomplete',
  'off_topic',
  'other',
] as const;

export const PLAN_OUTCOMES = ['completed', 'skipped'] as const;
export const SKIP_REASONS = ['no_time', 'too_hard', 'too_easy', 'not_interested', 'other'] as const;
export const PlanIdSchema = z
  .string()
  .regex(/^plan_\d{4}-\d{2}-\d{2}$/, 'must be plan_<YYYY-MM-DD>')
  .openapi({ description: 'A daily plan: plan_<local date>' });
export const PlanItemIdSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}-\d{1,2}$/, 'must be a task id of the plan (<YYYY-MM-DD>-<n>)')
  .openapi({ description: 'A task of the plan' });

/** What the learner did with a task of a plan: in the feedback route's body and the `plan.feedback` event alike. */
export const PLAN_OUTCOME_FIELDS = {
  outcome: z.enum(PLAN_OUTCOMES),
  skipReason: z.enum(SKIP_REASONS).optional().openapi({ description: 'Why it was skipped (only with outcome skipped)' }),
  rating: z.number().int().min(1).max(5).optional().openapi({ description: 'How it went, 1 to 5' }),
};
export const SKIP_REASON_ONLY_WHEN_SKIPPED: [
  (f: { outcome: string; skipReason?: string }) => boolean,
  { message: string; path: string[] },
] = [
  (f) => f.skipReason === undefined || f.outcome === 'skipped',
  { message: 'a skip reason goes with outcome skipped', path: ['skipReason'] },
];

/** How far back and ahead of its receipt an event's `occurredAt` may be: a clock cannot be forged into the record. */
export const OCCURRED_WINDOW = { pastMs: 7 * 86_400_000, futureMs: 5 * 60_000 } as const;
const WINDOW_MESSAGE = 'must be within 7 days before and 5 minutes after the time it is received';

/** Whether `occurredAt` lies in the window around `reference` (epoch ms). */
export function withinWindow(occurredAt: string, reference: number): boolean {
  const at = Date.parse(occurredAt);
  return at >= reference - OCCURRED_WINDOW.pastMs && at <= reference + OCCURRED_WINDOW.futureMs;
}

/** An optional client time on a route (defaults to now), checked against the time of the request. */
export const OccurredAtSchema = z.iso
  .datetime({ offset: true })
  .refine((at) => withinWindow(at, Date.now()), WINDOW_MESSAGE)
  .openapi({ description: 'When it happened, on the client (ISO 8601), within 7 days before and 5 minutes after now' });

const base = {
  eventId: z.uuid().openapi({ description: 'Client-generated UUID; the same id is applied once' }),
  occurredAt: z.iso.datetime({ offset: true }).openapi({
    description: 'When it happened, on the client (ISO 8601), within 7 days before and 5 minutes after its receipt',
  }),
};

export const LearnerEventSchema = z
  .discriminatedUnion('type', [
    z.object({ ...base, type: z.literal('lesson.started'), lessonSlug: SlugSchema }).strict(),
    z
      .object({
        ...base,
        type: z.literal('lesson.active_time'),
        lessonSlug: SlugSchema,
        seconds: z.number().int().min(1).max(3600),
      })
      .strict(),
    z.object({ ...base, type: z.literal('lesson.completed'), lessonSlug: SlugSchema }).strict(),
    z
      .object({
        ...base,
        type: z.literal('quiz.attempted'),
        itemId: z.string().min(1).max(200),
        answer: z.number().int().min(0).max(20).openapi({ description: 'Zero-based choice; the server grades it' }),
      })
      .strict(),
    z
      .object({
        ...base,
        type: z.literal('review.rated'),
        reviewId: z.string().min(1).max(200).openapi({ description: 'The quiz item under review' }),
        rating: z
          .enum(REVIEW_RATINGS)
          .optional()
          .openapi({ description: 'Recall; defaults to good for a right answer, again for a wrong one' }),
        answer: z.number().int().min(0).max(20).optional().openapi({ description: 'The choice given, graded when present' }),
      })
      .strict()
      .refine((e) => e.rating !== undefined || e.answer !== undefined, {
        message: 'send an answer, a rating or both',
        path: ['rating'],
      }),
    z
      .object({ ...base, type: z.literal('lesson.rated'), lessonSlug: SlugSchema, rating: z.number().int().min(1).max(5) })
      .strict(),
    z
      .object({
        ...base,
        type: z.literal('recommendation.feedback'),
        recommendationId: z.string().min(1).max(200),
        action: z.enum(RECOMMENDATION_ACTIONS),
        rating: z.number().int().min(1).max(5).optional().openapi({ description: 'How useful it was, 1 to 5' }),
      })
      .strict(),
    z
      .object({
        ...base,
        type: z.literal('answer.feedback'),
        answerId: z
          .string()
          .min(1)
          .max(400)
          .openapi({ description: 'The answerId of an answer this learner was given (POST /api/answers, a conversation)' }),
        rating: z
          .enum(ANSWER_RATINGS)
          .openapi({ description: 'Thumbs up or down; a later rating of the same answer replaces it' }),
        reason: z.enum(ANSWER_FEEDBACK_REASONS).optional(),
      })
      .strict(),
    z
      .object({
        ...base,
        type: z.literal('plan.feedback'),
        planId: PlanIdSchema,
        itemId: PlanItemIdSchema,
        ...PLAN_OUTCOME_FIELDS,
      })
      .strict()
      .refine(...SKIP_REASON_ONLY_WHEN_SKIPPED),
  ])
  .openapi('LearnerEvent');
export type LearnerEvent = z.infer<typeof LearnerEventSchema>;

export const EventBatchSchema = z
  .object({ events: z.array(LearnerEventSchema).min(1).max(MAX_EVENTS_PER_BATCH) })
  .strict()
  .superRefine((batch, ctx) => {
    const now = Date.now();
    batch.events.forEach((event, i) => {
      if (!withinWindow(event.occurredAt, now)) {
        ctx.addIssue({ code: 'custom', path: ['events', i, 'occurredAt'], message: WINDOW_MESSAGE });
      }
    });
  })
  .openapi('EventBatch');

/** What the EVENTS queue carries: an event with the learner it belongs to. */
export const EventMessageSchema = z
  .object({
    learnerId: z.string().min(1).max(100),
    receivedAt: z.iso.datetime({ offset: true }),
    event: LearnerEventSchema,
  })
  // Against the receipt, not the consumer's clock: a message may be delivered (or replayed) days later.
  .refine((m) => withinWindow(m.event.occurredAt, Date.parse(m.receivedAt)), {
    message: WINDOW_MESSAGE,
    path: ['event', 'occurredAt'],
  });
export type EventMessage = z.infer<typeof EventMessageSchema>;

/** The events that grade an answer or schedule a review: they change the learner model. */
export type ModelEvent = Extract<LearnerEvent, { type: 'quiz.attempted' | 'review.rated' }>;
