import { z } from '@hono/zod-openapi';
import { courseQuerySchema, SlugSchema } from '../content/content.schemas';
import { OccurredAtSchema, RECOMMENDATION_ACTIONS } from '../events/events.schemas';
import { GOAL_TYPES } from './path.domain';

/** Most items a list holds; a request asks for a prefix of it. */
export const MAX_RECOMMENDATIONS = 20;

/** Why an item is listed: a stable code and a sentence for the learner. */
export const ReasonSchema = z.object({ code: z.string(), text: z.string() });

/** One thing to do next, with the reasons it is listed. */
export const RecommendationSchema = z
  .object({
    id: z.string().openapi({ example: 'lesson:inner-joins' }),
    kind: z.enum(['lesson', 'review', 'quiz']),
    lessonSlug: z.string(),
    title: z.string(),
    score: z.number(),
    reasons: z.array(ReasonSchema),
    completionChance: z.number().min(0).max(1).optional().openapi({
      description:
        'Lessons: the chance the learner completes it within a week of this offer, from their history and other learners (empirical Bayes); weighs in the score',
    }),
  })
  .openapi('Recommendation');

/** A learner's ranked lists as cached in KV, one per variant. */
export const CachedSchema = z.record(
  z.string().openapi({ description: '`<course asked for, or empty>:<standard | skips>`' }),
  z.object({ course: z.string().nullable(), items: z.array(RecommendationSchema) }),
);
export type Cached = z.infer<typeof CachedSchema>;

/** `?course=`: the course the learner model ranks over (see `rankedCourse`). */
export const RankedCourseQuerySchema = courseQuerySchema(
  "The course to rank over (a slug of `GET /api/courses`); default: the course the learner last worked in, else their goal's, else the default course",
);

/** The course a ranking or path is of. */
const RankedCourseSchema = z.string().nullable().openapi({
  description: 'The course ranked over (see the `course` query parameter); null before any course is pushed',
});

/** `GET /api/recommendations`: how many items, and whether to offer lessons past unmet prerequisites. */
export const RecommendationsQuerySchema = RankedCourseQuerySchema.extend({
  limit: z.coerce.number().int().min(1).max(MAX_RECOMMENDATIONS).default(5),
  allowSkips: z
    .enum(['true', 'false'])
    .default('false')
    .openapi({ description: 'Also offer lessons whose prerequisites are not done yet' }),
});

/** `GET /api/recommendations`: the ranked items, and whether they came from the cache. */
export const RecommendationListSchema = z.object({
  course: RankedCourseSchema,
  items: z.array(RecommendationSchema),
  cached: z.boolean(),
});

/** `POST /api/recommendations/{id}/feedback`: the recommendation in the path. */
export const RecommendationParamSchema = z.object({
  id: z
    .string()
    .regex(/^(lesson|review|quiz):[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a recommendation id like lesson:<slug>')
    .max(130)
    .openapi({ param: { name: 'id', in: 'path' } }),
});

/** `POST /api/recommendations/{id}/feedback`: what the learner did with it. */
export const FeedbackBodySchema = z
  .object({
    eventId: z.uuid().openapi({ description: 'Client-generated UUID: a repeated request counts once' }),
    occurredAt: OccurredAtSchema.optional().openapi({ description: 'Defaults to now; within 7 days before and 5 minutes after' }),
    action: z.enum(RECOMMENDATION_ACTIONS).openapi({
      description: 'What the learner did; `restored` undoes a dismissal (the item may be suggested again at once)',
    }),
    rating: z.number().int().min(1).max(5).optional(),
  })
  .strict();
export type FeedbackBody = z.infer<typeof FeedbackBodySchema>;

/** `POST /api/recommendations/{id}/feedback`: whether the feedback was new. */
export const FeedbackResultSchema = z.object({ applied: z.boolean() });

/** Whether a date is today or later somewhere: UTC's yesterday is still today west of UTC. */
function notPast(date: string): boolean {
  return date >= new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
}

/** `PUT /api/learners/me/goal`. */
export const GoalBodySchema = z
  .object({
    type: z.enum(GOAL_TYPES),
    id: SlugSchema.openapi({ description: 'The concept id, lesson slug or part slug' }),
    targetDate: z.iso
      .date()
      .refine(notPast, 'must be today or later (in your time zone)')
      .optional()
      .openapi({ description: 'When the learner wants to be there (YYYY-MM-DD), today or later' }),
    course: SlugSchema.optional().openapi({
      description:
        'The course the goal is in (a slug of `GET /api/courses`); needed only when the part or concept is in several courses and the default course is not one of them',
    }),
  })
  .strict();
export type GoalBody = z.infer<typeof GoalBodySchema>;

/** A learner's goal: a concept, a lesson or a part, with an optional target date, in a course. */
export const GoalSchema = z
  .object({
    type: z.enum(GOAL_TYPES),
    id: z.string(),
    targetDate: z.string().nullable(),
    course: z.string().nullable().openapi({ description: 'The course the goal is in (null: set before goals had one)' }),
  })
  .openapi('LearningGoal');

/** `GET /api/learners/me/goal`. */
export const GoalResponseSchema = z.object({ goal: z.union([GoalSchema, z.null()]) });

/** `GET /api/learning-path`: the learner's local date. */
export const LearningPathQuerySchema = RankedCourseQuerySchema.extend({
  today: z.iso
    .date()
    .optional()
    .openapi({ description: "The learner's local date (YYYY-MM-DD), for the target-date check; defaults to UTC's" }),
});

/** `GET /api/learning-path`: the ordered steps to the goal, their time at the learner's pace, and the pace. */
export const LearningPathSchema = z
  .object({
    course: RankedCourseSchema,
    goal: z.union([GoalSchema.omit({ course: true }).extend({ source: z.enum(['goal', 'onboarding']) }), z.null()]).openapi({
      description: 'The goal the path leads to (set, else the first part chosen at onboarding); null: none yet',
    }),
    status: z.enum(['on_the_way', 'reached', 'goal_removed', 'no_goal']).openapi({
      description:
        'on_the_way: steps remain; reached: every lesson the goal needs is done; goal_removed: the goal is no longer in the course (choose another); no_goal: none set or chosen at onboarding',
    }),
    message: z.string().openapi({ description: 'What the status means for the learner, in a sentence' }),
    steps: z.array(z.object({ lessonSlug: z.string(), title: z.string(), minutes: z.number().int(), reason: z.string() })),
    totalMinutes: z.number().int(),
    daysNeeded: z.number().int(),
    reachableByTarget: z.boolean().nullable(),
    pace: z.object({
      minutesPerDay: z.number(),
      speed: z.number(),
      source: z.enum(['activity', 'onboarding', 'default']),
    }),
    concepts: z
      .array(
        z.object({
          concept: z.string(),
          title: z.string(),
          pKnown: z.number(),
          status: z.enum(['mastered', 'expected', 'out_of_reach']),
          date: z
            .string()
            .nullable()
            .openapi({ description: 'Local date (YYYY-MM-DD) mastery is expected; null unless expected' }),
          lessonSlug: z
            .string()
            .nullable()
            .openapi({ description: 'The path step that teaches it; null when its lessons are done' }),
          answersNeeded: z.number().int().openapi({ description: 'Answers the knowledge-tracing model expects before mastery' }),
          minutes: z
            .number()
            .int()
            .openapi({ description: 'Study minutes until then: the path up to its lesson, then 1 per answer' }),
        }),
      )
      .openapi({
        description:
          "Each goal concept's expected mastery date at the learner's pace (the goal itself for a concept goal, else the concepts its lessons assess)",
      }),
  })
  .openapi('LearningPath');

/** `POST /api/admin/recommendations/refresh`: how many lesson pairs co-completion has. */
export const PairsSchema = z.object({ pairs: z.number().int() });

const WeightValuesSchema = z.record(z.string(), z.number()).openapi({ description: 'A weight per ranking signal' });

const RankerFitSchema = z
  .object({
    changed: z.boolean(),
    choices: z.number().int(),
    sharpness: z.number(),
    heldOut: z.object({
      choices: z.number().int(),
      logLoss: z.object({ current: z.number(), fitted: z.number() }),
      top1: z.object({ current: z.number(), fitted: z.number() }),
    }),
    signals: z.array(z.object({ signal: z.string(), current: z.number(), estimate: z.number(), next: z.number() })),
    reason: z.string(),
  })
  .openapi('RankerFit');

export const RankerWeightsSchema = z
  .object({
    handSet: WeightValuesSchema,
    courses: z.array(
      z.object({
        courseId: z.string(),
        /** The newest refit's weights: what "learned" ranks with. */
        learned: WeightValuesSchema,
        history: z.array(
          z.object({ version: z.number().int(), fittedAt: z.string(), weights: WeightValuesSchema, fit: RankerFitSchema }),
        ),
      }),
    ),
  })
  .openapi('RankerWeights');

export const RefitResultSchema = z
  .object({
    refits: z.array(
      z.object({
        courseId: z.string(),
        choices: z.number().int(),
        version: z.number().int().nullable(),
        changed: z.boolean(),
        reason: z.string(),
      }),
    ),
  })
  .openapi('RankerRefits');
