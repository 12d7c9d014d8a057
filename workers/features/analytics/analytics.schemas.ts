import { z } from '@hono/zod-openapi';
import { courseQuerySchema } from '../content/content.schemas';

/** `?fresh=true` computes a read now instead of serving the snapshot the cron keeps (at most 15 minutes old). */
export const FreshSchema = z
  .enum(['true', 'false'])
  .default('false')
  .transform((v) => v === 'true')
  .openapi({ description: 'true: compute now instead of serving the snapshot (at most 15 minutes old)' });

/** `?course=`: the figures of one course (a course slug, removed courses included); none: every course. */
export const AnalyticsCourseQuerySchema = courseQuerySchema(
  "One course's figures (a course slug; a removed course's rollups still answer); default: every course",
);

export const OverviewQuerySchema = AnalyticsCourseQuerySchema.extend({
  days: z.coerce.number().int().min(7).max(90).default(30).openapi({ description: 'Days of the daily series (7 to 90)' }),
  fresh: FreshSchema,
});

export const OverviewSchema = z
  .object({
    today: z.string(),
    computedAt: z.string().openapi({ description: 'When these figures were computed' }),
    activeLearners: z
      .object({ day: z.number().int(), week: z.number().int(), month: z.number().int() })
      .openapi({ description: 'Distinct active learners today, in the last 7 and the last 30 days (UTC)' }),
    daily: z.array(z.object({ day: z.string(), learners: z.number().int() })),
    funnel: z.array(
      z.object({
        step: z.enum(['onboarded', 'first_lesson', 'first_completion', 'returned']),
        learners: z.number().int(),
        share: z.number().openapi({ description: 'Of the largest step' }),
      }),
    ),
    retention: z
      .array(z.object({ cohort: z.string(), learners: z.number().int(), weeks: z.array(z.number()) }))
      .openapi({ description: 'Per week of first activity (Monday), the share active in each week since (week 0 first)' }),
  })
  .openapi('AnalyticsOverview');

export const LessonFiguresSchema = z
  .object({
    courseId: z.string(),
    lessonSlug: z.string(),
    title: z.string(),
    started: z.number().int(),
    completed: z.number().int(),
    completionRate: z.number(),
    dropOff: z.number().openapi({ description: 'Share of those who opened it and have not completed it' }),
    activeMinutes: z.number(),
    minutesPerStarter: z.number(),
  })
  .openapi('LessonFigures');

export const ItemAnalysisSchema = z
  .object({
    itemId: z.string(),
    lessonSlug: z.string(),
    question: z.string(),
    answers: z.number().int(),
    difficulty: z.number().openapi({ description: 'Share answered right (higher is easier)' }),
    discrimination: z
      .number()
      .nullable()
      .openapi({ description: "Point-biserial correlation of a right answer with the learner's ability before answering" }),
    choices: z.array(z.object({ answer: z.number().int(), text: z.string(), key: z.boolean(), share: z.number() })),
    flags: z.array(
      z.enum([
        'too_easy',
        'too_hard',
        'low_discrimination',
        'negative_discrimination',
        'distractor_beats_key',
        'unused_distractor',
      ]),
    ),
    notes: z.array(z.string()),
  })
  .openapi('ItemAnalysis');

export const ModelHealthQuerySchema = AnalyticsCourseQuerySchema.extend({
  days: z.coerce.number().int().min(7).max(180).default(28).openapi({ description: 'Days looked at (7 to 180)' }),
});

const FiguresSchema = z.object({
  predictions: z.number().int(),
  observed: z.number(),
  meanPredicted: z.number(),
  auc: z.number().nullable(),
  logLoss: z.number().nullable(),
});

export const ModelHealthSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    models: z.array(
      z.object({
        model: z.enum(['bkt', 'fsrs', 'engagement', 'lesson_engagement']),
        predicts: z.string(),
        overall: FiguresSchema,
        weekly: z.array(FiguresSchema.extend({ week: z.string() })),
        calibration: z.array(
          z.object({ bin: z.number().int(), predictions: z.number().int(), meanPredicted: z.number(), observed: z.number() }),
        ),
        drift: z.string().nullable().openapi({ description: 'Set when the last 7 days drifted from the 21 before' }),
      }),
    ),
    segments: z.array(FiguresSchema.extend({ segment: z.string() })),
    recommendations: z.object({
      accepted: z.number().int(),
      dismissed: z.number().int(),
      completed: z.number().int(),
      acceptance: z.number().nullable(),
      hitRate: z.number().nullable(),
      weeklyAccepted: z.array(z.object({ week: z.string(), accepted: z.number().int() })),
    }),
    mastery: z
      .array(
        z.object({
          courseId: z.string(),
          conceptId: z.string(),
          title: z.string(),
          learning: z.number().int(),
          practising: z.number().int(),
          mastered: z.number().int(),
        }),
      )
      .openapi({ description: 'Per concept, the learners who answered on it at each mastery level now' }),
  })
  .openapi('ModelHealth');

export const EngagementSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    plans: z.array(z.object({ category: z.string(), done: z.number().int(), skipped: z.number().int(), completion: z.number() })),
    answers: z.array(
      z.object({
        engine: z.string(),
        up: z.number().int(),
        down: z.number().int(),
        helpfulness: z.number().nullable().openapi({ description: 'Thumbs up over all thumbs' }),
        reasons: z.array(z.object({ reason: z.string(), up: z.number().int(), down: z.number().int() })),
      }),
    ),
    recommendations: z
      .array(
        z.object({
          reason: z
            .string()
            .openapi({ description: "The first reason an item was offered with (its code, as in a recommendation's reasons)" }),
          impressions: z.number().int(),
          accepted: z.number().int(),
          dismissed: z.number().int(),
          acceptance: z.number().nullable().openapi({ description: 'Accepted over impressions' }),
        }),
      )
      .openapi({ description: 'Items offered in freshly ranked lists, and what learners did with them, by reason' }),
    searchMisses: z.array(z.object({ query: z.string(), searches: z.number().int(), lastDay: z.string() })).openapi({
      description:
        'Search queries that found nothing (normalized), most frequent first (at most 50); with `course`, searches kept to that course',
    }),
    budgetHits: z
      .array(z.object({ feature: z.string(), reason: z.enum(['learner_spent', 'platform_spent']), hits: z.number().int() }))
      .openapi({
        description:
          'Model requests answered offline because a daily budget was spent, by feature and budget; with `course`, those about that course',
      }),
  })
  .openapi('Engagement');
