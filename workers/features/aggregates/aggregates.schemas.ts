import { z } from 'zod';
import { SIGNALS } from '../recommendations/ranker.fit';

const MASTERY_LEVELS = ['not started', 'learning', 'practising', 'mastered'] as const;
import { ANSWER_FEEDBACK_REASONS, ANSWER_RATINGS, RECOMMENDATION_ACTIONS } from '../events/events.schemas';

/** Most deltas one AGGREGATES message carries (a message stays far below the 128 KB limit). */
export const MAX_DELTAS_PER_MESSAGE = 100;

const seq = z.number().int().min(1);
const id = z.string().min(1).max(200);

/**
 * A change a learner object sends to the shared aggregates in D1. `seq` is the object's
 * outbox sequence: (learner, seq) names a delta, so a redelivered one is applied once.
 */
export const DeltaSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('attempt'),
    seq,
    eventId: id,
    courseId: id,
    itemId: id,
    conceptId: id,
    lessonSlug: id,
    answer: z.number().int(),
    correct: z.boolean(),
    occurredAt: z.string(),
    /** The learner's ability estimate before this answer (item discrimination); absent in deltas queued before it. */
    ability: z.number().finite().optional(),
    /** BKT's P(right) before this answer, and the learner's onboarding segment (model health). */
    predicted: z.number().min(0).max(1).optional(),
    segment: z.object({ background: z.string().max(40), experience: z.string().max(40) }).optional(),
  }),
  /** A review that scheduled a card, with FSRS's grade (1 again to 4 easy): the review log FSRS weights are fitted from. */
  z.object({
    kind: z.literal('review'),
    seq,
    eventId: id,
    courseId: id,
    itemId: id,
    grade: z.number().int().min(1).max(4),
    reviewedAt: z.string(),
  }),
  /** A review of a card: the recall FSRS predicted before it, and whether the learner recalled. */
  z.object({
    kind: z.literal('recall'),
    seq,
    /** The card's course (absent in deltas queued before it). */
    courseId: id.optional(),
    day: z.iso.date(),
    predicted: z.number().min(0).max(1),
    recalled: z.boolean(),
  }),
  z.object({ kind: z.literal('completion'), seq, courseId: id, lessonSlug: id, completedAt: z.string() }),
  z.object({
    kind: z.literal('feedback'),
    seq,
    recommendationId: id,
    action: z.enum(RECOMMENDATION_ACTIONS),
    /** The course and UTC day, for the learner's daily rollup (absent in deltas queued before it). */
    courseId: id.optional(),
    day: z.iso.date().optional(),
    /** The first reason the item was offered with (absent in deltas queued before it). */
    reason: z.string().max(40).optional(),
  }),
  /** A ranked list offered to a learner: its items counted by their first reason. */
  z.object({
    kind: z.literal('impressions'),
    seq,
    courseId: id,
    day: z.iso.date(),
    impressions: z
      .array(z.object({ reason: z.string().max(40), n: z.number().int().min(1).max(100) }))
      .min(1)
      .max(20),
  }),
  z.object({
    kind: z.literal('answer_feedback'),
    seq,
    courseId: id,
    engine: z.enum(['offline', 'model']),
    rating: z.enum(ANSWER_RATINGS),
    reason: z.enum(ANSWER_FEEDBACK_REASONS).nullable(),
    /** The learner's earlier rating of the same answer, whose count this one replaces. */
    previous: z.object({ rating: z.enum(ANSWER_RATINGS), reason: z.string().nullable() }).nullable(),
    day: z.iso.date().optional(),
  }),
  /** The learner finished onboarding (the funnel's first step). */
  z.object({ kind: z.literal('onboarded'), seq, day: z.iso.date() }),
  /** The learner opened a lesson for the first time (completion and drop-off per lesson). */
  z.object({ kind: z.literal('lesson_seen'), seq, courseId: id, lessonSlug: id, day: z.iso.date() }),
  /** A learner's first exposure to an experiment, in the variant they saw. */
  z.object({ kind: z.literal('exposure'), seq, experimentId: id, variant: id, exposedAt: z.string() }),
  /** A task of a daily plan done or skipped (the first outcome of each task). */
  z.object({
    kind: z.literal('plan_outcome'),
    seq,
    courseId: id,
    day: z.iso.date(),
    outcome: z.enum(['completed', 'skipped']),
    /** The task's category (absent in deltas queued before it). */
    category: z.string().max(40).optional(),
    /** The completion chance the planner gave the task when it made the plan (engagement model health). */
    predicted: z.number().min(0).max(1).optional(),
  }),
  /**
   * A lesson offered to the learner was completed within a week of its first offer, or the
   * week ran out: the completion chance it was ranked with, against what happened.
   */
  z.object({
    kind: z.literal('offer_outcome'),
    seq,
    courseId: id,
    day: z.iso.date(),
    predicted: z.number().min(0).max(1),
    completed: z.boolean(),
  }),
  /** A learner's level on a concept changed (the mastery distribution). */
  z.object({
    kind: z.literal('mastery_level'),
    seq,
    courseId: id,
    conceptId: id,
    from: z.enum(MASTERY_LEVELS),
    to: z.enum(MASTERY_LEVELS),
  }),
  /** A learner took a lesson from a list they were offered: each offered lesson's packed signal values and which one (learning the ranker's weights). */
  z.object({
    kind: z.literal('rank_choice'),
    seq,
    courseId: id,
    day: z.iso.date(),
    chosen: z.number().int().min(0).max(19),
    options: z
      .array(z.array(z.number().finite().min(0).max(1)).length(SIGNALS.length + 1))
      .min(2)
      .max(20),
  }),
  /** The learner's first plan of a local week: their weekly summary falls due at `nextAt` (the week's end). */
  z.object({ kind: z.literal('summary_due'), seq, nextAt: z.iso.datetime() }),
  z.object({
    kind: z.literal('activity'),
    seq,
    courseId: id,
    lessonSlug: id,
    day: z.iso.date(),
    seconds: z.number().int().min(0),
    heartbeats: z.number().int().min(0),
  }),
]);
export type Delta = z.infer<typeof DeltaSchema>;
/** A delta before the outbox numbers it. */
/** Deltas the service itself needs in D1 (not analytics): queued and kept whatever the learner's consent to analytics. */
export const SERVICE_DELTAS: readonly Delta['kind'][] = ['summary_due'];

export type NewDelta = Delta extends infer D ? (D extends Delta ? Omit<D, 'seq'> : never) : never;

/** What the AGGREGATES queue carries: deltas of one learner, packed. */
export const AggregateMessageSchema = z.object({
  learnerId: z.string().min(1).max(100),
  deltas: z.array(DeltaSchema).min(1).max(MAX_DELTAS_PER_MESSAGE),
});
export type AggregateMessage = z.infer<typeof AggregateMessageSchema>;

/** Packs a learner's deltas into as few messages as the per-message limit allows, oldest first. */
export function packDeltas(learnerId: string, deltas: readonly Delta[]): AggregateMessage[] {
  const messages: AggregateMessage[] = [];
  for (let i = 0; i < deltas.length; i += MAX_DELTAS_PER_MESSAGE) {
    messages.push({ learnerId, deltas: deltas.slice(i, i + MAX_DELTAS_PER_MESSAGE) });
  }
  return messages;
}
