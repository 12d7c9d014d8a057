import { z } from '@hono/zod-openapi';
import { courseQuerySchema, SlugSchema } from '../content/content.schemas';
import type { MasteryLevel } from './mastery.bkt';
import { CARD_STATES, REVIEW_RATINGS } from './mastery.domain';

const MASTERY_LEVELS = ['not started', 'learning', 'practising', 'mastered'] as const satisfies readonly MasteryLevel[];

/** A concept's BKT mastery as the API shows it. */
export const MasterySchema = z
  .object({
    concept: z.string(),
    title: z.string(),
    pKnown: z.number().openapi({ description: 'BKT probability that the concept is known' }),
    level: z.enum(MASTERY_LEVELS),
    attempts: z.number().int(),
    correct: z.number().int(),
  })
  .openapi('ConceptMastery');

/** A review card's FSRS schedule as the API shows it. */
export const CardSchema = z
  .object({
    due: z.string(),
    state: z.enum(CARD_STATES),
    stability: z.number().openapi({ description: 'Days until recall falls to 90%' }),
    difficulty: z.number(),
    reps: z.number().int(),
    lapses: z.number().int(),
    scheduledDays: z.number().int(),
  })
  .openapi('ReviewCard');

const EventIdSchema = z.uuid().openapi({ description: 'Client-generated UUID: a repeated request grades once' });

/** `GET /api/quizzes/{lessonSlug}/next`: the lesson in the path. */
export const QuizLessonParamSchema = z.object({ lessonSlug: SlugSchema.openapi({ param: { name: 'lessonSlug', in: 'path' } }) });

/** A quiz item as a learner is asked it (without its key). */
export const QuizItemSchema = z.object({
  id: z.string(),
  question: z.string(),
  choices: z.array(z.string()),
  concept: z.string().nullable(),
});

/** `GET /api/quizzes/{lessonSlug}/next`: the next item (null once every item was answered correctly) and the ability. */
export const NextQuizItemSchema = z.object({
  lessonSlug: z.string(),
  item: QuizItemSchema.nullable(),
  ability: z.object({ theta: z.number(), se: z.number() }),
  answered: z.number().int().openapi({ description: 'Items answered correctly at least once' }),
  total: z.number().int(),
  retry: z.boolean().openapi({
    description:
      'True once every item has been answered: the item is a retry of a missed one (never the one just answered while another is open)',
  }),
});

/** `POST /api/quizzes/attempts`: one answer to grade. */
export const AttemptSchema = z
  .object({
    eventId: EventIdSchema,
    itemId: z.string().min(1).max(200),
    answer: z.number().int().min(0).max(20).openapi({ description: 'Zero-based index of the chosen answer' }),
  })
  .strict();
export type Attempt = z.infer<typeof AttemptSchema>;

/** `POST /api/reviews/{id}`: an answer, a rating or both. */
export const ReviewBodySchema = z
  .object({
    eventId: EventIdSchema,
    answer: z.number().int().min(0).max(20).optional().openapi({ description: 'The chosen answer, graded when sent' }),
    rating: z
      .enum(REVIEW_RATINGS)
      .optional()
      .openapi({ description: 'How well it was recalled; defaults to good for a right answer, again for a wrong one' }),
  })
  .strict()
  .refine((b) => b.answer !== undefined || b.rating !== undefined, {
    message: 'send an answer, a rating or both',
    path: ['rating'],
  });
export type ReviewBody = z.infer<typeof ReviewBodySchema>;

/** `POST /api/quizzes/attempts`: the grading. */
export const GradedSchema = z.object({
  applied: z.boolean().openapi({ description: 'false when this eventId was graded before' }),
  correct: z.boolean(),
  answer: z.number().int().openapi({ description: 'Index of the correct choice' }),
  explanation: z.string(),
  mastery: MasterySchema.nullable(),
});

/** `POST /api/reviews/{id}`: the review (graded when it carried an answer) and the new schedule. */
export const ReviewResultSchema = GradedSchema.extend({
  correct: z.boolean().nullable(),
  answer: z.number().int().nullable(),
  rating: z.enum(REVIEW_RATINGS),
  card: CardSchema,
});

/** `POST /api/reviews/{id}`: the item under review. */
export const ItemParamSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: 'id', in: 'path' }, description: 'The quiz item under review' }),
});

/** `GET /api/reviews/due`: how many due cards to list. */
export const DueQuerySchema = courseQuerySchema(
  "Only this course's cards (a slug of `GET /api/courses`); default: every course's",
).extend({
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

/** A card due for review, with its item. */
export const DueCardSchema = z.object({
  id: z.string(),
  itemId: z.string(),
  course: z
    .string()
    .openapi({ description: "The course of the item's lesson; its page is `/courses/<course>/lessons/<lessonSlug>`" }),
  lessonSlug: z.string(),
  lessonTitle: z.string(),
  question: z.string(),
  choices: z.array(z.string()),
  concept: z.string(),
  due: z.string(),
  state: z.enum(CARD_STATES),
  reps: z.number().int(),
  lapses: z.number().int(),
  retrievability: z.number().openapi({ description: 'FSRS probability of recall now' }),
});

/** `GET /api/reviews/due`: due cards, soonest first, and how many are scheduled later. */
export const DueReviewsSchema = z.object({
  due: z.array(DueCardSchema),
  upcoming: z.number().int(),
  nextDue: z.string().nullable(),
});

/** `GET /api/learners/me/mastery`: every assessed concept, weakest first. */
const ConceptCourseSchema = z.string().openapi({
  description: 'The course the concept belongs to (a slug two courses use is two concepts unless an author links them)',
});

export const ConceptMasteryListSchema = z.object({
  concepts: z.array(MasterySchema.extend({ course: ConceptCourseSchema, updatedAt: z.string().nullable() })),
});

/** A concept's predicted chance of a correct answer, now, in 7 days and in 30 days without review. */
export const ConceptPredictionSchema = z.object({
  concept: z.string(),
  course: ConceptCourseSchema,
  title: z.string(),
  pKnown: z.number(),
  now: z.number(),
  in7Days: z.number(),
  in30Days: z.number(),
  retrievabilityNow: z.number().nullable(),
  retrievabilityIn7Days: z.number().nullable(),
  retrievabilityIn30Days: z.number().nullable(),
});

/** `GET /api/learners/me/predictions`. */
export const PredictionsSchema = z.object({ concepts: z.array(ConceptPredictionSchema) });

/** `POST /api/admin/mastery/fit-bkt`: the optional body. */
export const FitBktBodySchema = z
  .object({
    fitForget: z.boolean().default(false).openapi({ description: 'Fit the forget probability too' }),
    dryRun: z.boolean().default(false).openapi({ description: 'Report the fit without storing it' }),
  })
  .strict();

/** What `POST /api/admin/mastery/fit-bkt` answers (and `npm run fit -- bkt` prints). */
export const BktFitResponseSchema = z
  .object({
    fitted: z.array(
      z.object({
        course: z.string().openapi({ description: 'The course whose answers were fitted: each course fits its concepts apart' }),
        concept: z.string(),
        learners: z.number().int(),
        attempts: z.number().int(),
        prior: z.number(),
        learn: z.number(),
        guess: z.number(),
        slip: z.number(),
        forget: z.number(),
        logLikelihood: z.number(),
        iterations: z.number().int(),
      }),
    ),
    skipped: z.array(
      z.object({
        course: z.string(),
        concept: z.string(),
        attempts: z.number().int(),
        reason: z.enum(['too_few_answers', 'not_finite']).openapi({
          description: 'Fewer answers than a fit needs, or a fit that did not converge to finite numbers (not stored)',
        }),
      }),
    ),
    stored: z.boolean(),
  })
  .openapi('BktFit');

/** `POST /api/admin/mastery/fit-kt` and `fit-irt`: the optional body. */
export const FitDryRunBodySchema = z
  .object({ dryRun: z.boolean().default(false).openapi({ description: 'Report the fit without storing it' }) })
  .strict();

const HeldOutScoresSchema = z.object({
  auc: z.number().nullable().openapi({ description: 'Null when the held-out answers are all right or all wrong' }),
  rmse: z.number(),
  logLoss: z.number(),
});

/** What `POST /api/admin/mastery/fit-kt` answers (and `npm run fit -- kt` prints). */
export const KtFitResponseSchema = z
  .object({
    courses: z.array(
      z.object({
        course: z.string(),
        attempts: z.number().int(),
        learners: z.number().int(),
        heldOutLearners: z.number().int(),
        chosen: z.enum(['bkt', 'pfa']).openapi({ description: 'The model new answers in the course update mastery with' }),
        reason: z.enum(['held_out_log_loss', 'too_few_answers']),
        bkt: HeldOutScoresSchema.nullable().openapi({ description: 'BKT on the held-out learners' }),
        pfa: HeldOutScoresSchema.nullable().openapi({ description: 'PFA on the held-out learners' }),
        weights: z
          .object({
            intercept: z.number(),
            success: z.number(),
            failure: z.number(),
            totalSuccess: z.number(),
            totalFailure: z.number(),
            concepts: z.number().int(),
          })
          .nullable()
          .openapi({ description: "PFA's shared weights refitted on every learner, and how many concepts have terms" }),
      }),
    ),
    stored: z.boolean(),
  })
  .openapi('KtFit');

const RecallScoresSchema = z
  .object({
    reviews: z.number().int(),
    logLoss: z.number(),
    rmseBins: z
      .number()
      .openapi({ description: 'RMSE between mean predicted and observed recall in 20 bins of predicted recall' }),
    auc: z.number().nullable().openapi({ description: 'Null when the later reviews were all recalled or all forgotten' }),
    predicted: z.number().openapi({ description: 'Mean predicted recall' }),
    observed: z.number().openapi({ description: 'Observed recall rate (graded above again)' }),
  })
  .openapi('RecallScores');

const PooledRecallSchema = z.object({ logLoss: z.number(), rmseBins: z.number() });

/** What `POST /api/admin/mastery/fit-fsrs` answers (and `npm run fit -- fsrs` prints). */
export const FsrsFitResponseSchema = z
  .object({
    courses: z.array(
      z.object({
        course: z.string(),
        reviews: z.number().int(),
        learners: z.number().int(),
        cards: z.number().int(),
        predictedReviews: z
          .number()
          .int()
          .openapi({ description: "Reviews a day or more after the card's previous one: what recall is predicted for" }),
        reason: z.enum(['later_reviews', 'too_few_reviews']),
        trainReviews: z.number().int(),
        testReviews: z.number().int(),
        splitAt: z.string().nullable().openapi({ description: 'Reviews from this time on were predicted, not fitted on' }),
        prior: RecallScoresSchema.nullable().openapi({ description: 'The default weights on the later reviews' }),
        fitted: RecallScoresSchema.nullable().openapi({
          description: 'The weights fitted on the earlier reviews, on the later ones',
        }),
        weights: z
          .array(z.number())
          .nullable()
          .openapi({ description: "The course's 21 weights, refitted on every review; null when the defaults predicted better" }),
        learnerFits: z.object({
          eligible: z.number().int().openapi({ description: 'Learners with enough reviews of their own' }),
          evaluated: z.number().int(),
          improved: z
            .number()
            .int()
            .openapi({ description: "Learners whose own weights beat the course's on their later reviews" }),
          leftForLater: z.number().int().openapi({ description: "Eligible learners beyond this run's limit" }),
          testReviews: z.number().int(),
          prior: PooledRecallSchema.nullable().openapi({ description: "The course's weights on the learners' later reviews" }),
          fitted: PooledRecallSchema.nullable().openapi({ description: "Each learner's own fit on their later reviews" }),
        }),
      }),
    ),
    stored: z.boolean(),
  })
  .openapi('FsrsFit');

/** What `POST /api/admin/mastery/fit-irt` answers (and `npm run fit -- irt` prints). */
export const IrtFitResponseSchema = z
  .object({
    courses: z.array(
      z.object({
        course: z.string(),
        items: z.array(
          z.object({
            item: z.string(),
            answers: z.number().int().openapi({ description: "Learners' first answers to the item" }),
            pCorrect: z.number(),
            priorB: z.number().openapi({ description: "The author's difficulty on the ability scale" }),
            a: z.number().openapi({ description: 'Discrimination (1 unless fitted)' }),
            b: z.number().openapi({ description: 'Difficulty on the ability scale' }),
            discriminationFitted: z.boolean(),
            pointBiserial: z.number().nullable(),
            flags: z.array(z.enum(['everyone_right', 'everyone_wrong', 'negative_discrimination', 'too_few_answers'])),
          }),
        ),
      }),
    ),
    stored: z.boolean(),
  })
  .openapi('IrtFit');
