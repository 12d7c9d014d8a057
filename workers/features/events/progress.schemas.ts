import { z } from '@hono/zod-openapi';
import { OccurredAtSchema } from './events.schemas';

/** A progress write: the event's id, and when it happened (now when left out). */
export const WriteSchema = z
  .object({
    eventId: z.uuid().openapi({ description: 'Client-generated UUID: a repeated request counts once' }),
    occurredAt: OccurredAtSchema.optional().openapi({ description: 'Defaults to now; within 7 days before and 5 minutes after' }),
  })
  .strict();

/** `PUT /api/progress/lessons/{slug}/time`: a heartbeat. */
export const TimeSchema = WriteSchema.extend({
  seconds: z
    .number()
    .int()
    .min(1)
    .max(3600)
    .openapi({ description: 'Active seconds since the last heartbeat; at most 60 count' }),
}).strict();
export type Heartbeat = z.infer<typeof TimeSchema>;

/** The learner's progress in one lesson. */
export const LessonProgressSchema = z
  .object({
    lessonSlug: z.string(),
    startedAt: z.string().nullable(),
    completedAt: z.string().nullable(),
    activeSeconds: z.number().int(),
    lastActivityAt: z.string().nullable(),
  })
  .openapi('LessonProgress');

/** What a progress write answers: whether it was new, and the lesson's progress after it. */
export const WriteResponseSchema = z.object({
  applied: z.boolean().openapi({ description: 'false when this eventId was applied before' }),
  progress: LessonProgressSchema,
});

/** Lessons in a part or chapter, and how many of them are completed. */
export const CompletionSchema = z.object({
  slug: z.string(),
  title: z.string(),
  lessons: z.number().int(),
  completed: z.number().int(),
});

/** `GET /api/progress`: completion per part and chapter, activity per day and week, streak and last lesson. */
export const ProgressSchema = z
  .object({
    course: z.string().nullable().openapi({
      description:
        'The course whose lessons, parts and last lesson this is (`?course=`, else the default one); null before any push',
    }),
    lessons: z.object({ total: z.number().int(), started: z.number().int(), completed: z.number().int() }),
    parts: z.array(CompletionSchema.extend({ chapters: z.array(CompletionSchema) })),
    days: z.array(z.object({ day: z.string(), activeSeconds: z.number().int(), events: z.number().int() })),
    weeks: z.array(z.object({ week: z.string().openapi({ description: 'Monday (UTC)' }), activeSeconds: z.number().int() })),
    streakDays: z.number().int(),
    lastLesson: z.object({ slug: z.string(), title: z.string(), lastActivityAt: z.string().nullable() }).nullable(),
    lessonStates: z.array(z.object({ slug: z.string(), state: z.enum(['started', 'completed']) })).openapi({
      description:
        "Each lesson the learner has opened, started or completed: this course's in course order, then other courses' lessons",
    }),
    courses: z.array(z.object({ course: z.string(), started: z.number().int(), completed: z.number().int() })).openapi({
      description:
        'Every course of the catalog the learner has opened a lesson of: lessons opened or started, and completed (lessons, parts and the last lesson are `course`; days, weeks and the streak every course)',
    }),
    continueLesson: z
      .union([
        z.object({
          course: z.string(),
          slug: z.string(),
          title: z.string(),
          lastActivityAt: z.string().nullable(),
          reason: z.enum(['in_progress', 'next', 'first']),
        }),
        z.null(),
      ])
      .openapi({
        description:
          'Where to pick up: the last lesson opened while unfinished (in_progress), else the next unfinished one in course order (next); the course’s first lesson before any is opened (first); null once all are done',
      }),
  })
  .openapi('Progress');
