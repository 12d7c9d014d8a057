import { z } from '@hono/zod-openapi';
import { SlugSchema } from '../content/content.schemas';

/** Longest active time one heartbeat may credit: a stuck tab cannot inflate time. */
export const MAX_HEARTBEAT_SECONDS = 60;
export const MAX_EVENTS_PER_BATCH = 100;

const base = {
  eventId: z.uuid().openapi({ description: 'Client-generated UUID; the same id is applied once' }),
  occurredAt: z.iso.datetime({ offset: true }).openapi({ description: 'When it happened, on the client (ISO 8601)' }),
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
        answer: z.number().int().min(0).max(20),
        correct: z.boolean(),
      })
      .strict(),
    z
      .object({
        ...base,
        type: z.literal('review.rated'),
        reviewId: z.string().min(1).max(200),
        rating: z.enum(['again', 'hard', 'good', 'easy']),
      })
      .strict(),
    z
      .object({ ...base, type: z.literal('lesson.rated'), lessonSlug: SlugSchema, rating: z.number().int().min(1).max(5) })
      .strict(),
    z
      .object({
        ...base,
        type: z.literal('recommendation.feedback'),
        recommendationId: z.string().min(1).max(200),
        useful: z.boolean(),
      })
      .strict(),
  ])
  .openapi('LearnerEvent');
export type LearnerEvent = z.infer<typeof LearnerEventSchema>;

export const EventBatchSchema = z
  .object({ events: z.array(LearnerEventSchema).min(1).max(MAX_EVENTS_PER_BATCH) })
  .strict()
  .openapi('EventBatch');

/** What the EVENTS queue carries: an event with the learner it belongs to. */
export const EventMessageSchema = z.object({
  learnerId: z.string().min(1).max(100),
  receivedAt: z.iso.datetime({ offset: true }),
  event: LearnerEventSchema,
});
export type EventMessage = z.infer<typeof EventMessageSchema>;
