import { z } from '@hono/zod-openapi';
import { isTimeZone, TIME_ZONE_MESSAGE } from '../../platform/time-zone';
import { SlugSchema } from '../content/content.schemas';
import { TIMES_OF_DAY } from '../practice/practice.schemas';

export const LEARNER_ID = /^lrn_[A-Za-z0-9_-]{16,64}$/;

export const EXPERIENCE = ['none', 'basic', 'working', 'expert'] as const;
export const BACKGROUNDS = ['student', 'software', 'data', 'business', 'science', 'other'] as const;
export const STYLES = ['visual', 'analytical', 'hands-on', 'mixed'] as const;
export const DOMAINS = ['general', 'retail', 'finance', 'health', 'sports', 'science', 'games'] as const;
export const SESSION_MINUTES = { min: 5, max: 240 } as const;
export const MAX_GOALS = 20;

/**
 * What a learner told us about themselves. Strict: an unknown field is a 400, never
 * stored. Goals are part slugs of the course (checked against the current book).
 */
export const PreferencesSchema = z
  .strictObject({
    experience: z.enum(EXPERIENCE).openapi({ description: 'Experience with the subject' }),
    background: z.enum(BACKGROUNDS),
    goals: z
      .array(SlugSchema)
      .min(1)
      .max(MAX_GOALS)
      .refine((goals) => new Set(goals).size === goals.length, 'must not repeat a goal')
      .openapi({ description: 'Course parts the learner wants to reach (part slugs)' }),
    style: z.enum(STYLES),
    sessionMinutes: z.number().int().min(SESSION_MINUTES.min).max(SESSION_MINUTES.max),
    exampleDomain: z.enum(DOMAINS),
    timeZone: z.string().min(1).max(64).refine(isTimeZone, TIME_ZONE_MESSAGE).optional().openapi({
      description: "The learner's IANA time zone: it decides the local date of daily plans and weekly summaries (UTC when unset)",
    }),
    preferredTime: z
      .enum(TIMES_OF_DAY)
      .optional()
      .openapi({ description: 'When the learner likes to practise; unset, plans follow when they do practise' }),
    dailyMinutes: z
      .number()
      .int()
      .min(SESSION_MINUTES.min)
      .max(SESSION_MINUTES.max)
      .optional()
      .openapi({ description: 'Minutes a day for the daily plan (sessionMinutes when unset)' }),
  })
  .openapi('Preferences');
export type Preferences = z.infer<typeof PreferencesSchema>;

/**
 * The preferences a learner may set per course (how they learn that subject); goals, time
 * zone and daily practice stay the learner's own across courses.
 */
export const COURSE_PREFERENCE_FIELDS = ['experience', 'background', 'style', 'sessionMinutes', 'exampleDomain'] as const;
/** A course's own preferences: only the fields that differ from the learner's own. */
export const CoursePreferencesSchema = PreferencesSchema.pick({
  experience: true,
  background: true,
  style: true,
  sessionMinutes: true,
  exampleDomain: true,
}).partial();
export type CoursePreferences = z.infer<typeof CoursePreferencesSchema>;

export const QuestionOptionSchema = z.object({
  id: z.string(),
  label: z.string(),
  description: z.string().optional(),
  /** For goal options: the course part and the concepts it teaches. */
  partSlug: z.string().optional(),
  concepts: z.array(z.string()).optional(),
});

export const QuestionSchema = z
  .object({
    id: z.enum(['experience', 'background', 'goals', 'style', 'sessionMinutes', 'exampleDomain']),
    type: z.enum(['single', 'multi', 'number']),
    prompt: z.string(),
    help: z.string().optional(),
    options: z.array(QuestionOptionSchema).openapi({ description: 'Empty for number questions' }),
    min: z.number().int().optional(),
    max: z.number().int().optional(),
    step: z.number().int().optional(),
    unit: z.string().optional(),
    default: z.number().int().optional(),
  })
  .openapi('OnboardingQuestion');
export type Question = z.infer<typeof QuestionSchema>;

export const QuestionnaireSchema = z.object({ questions: z.array(QuestionSchema) }).openapi('Questionnaire');

export const OnboardingRequestSchema = z
  .strictObject({
    answers: z
      .record(z.string(), z.union([z.string(), z.array(z.string()), z.number()]))
      .openapi({ description: 'questionId → option id, list of option ids, or number' }),
  })
  .openapi('OnboardingAnswers');

export const ConsentInputSchema = z
  .object({
    model: z.boolean().openapi({
      description:
        "Lessons may be adapted by a language model with this learner's profile (when one is configured); false: the offline engine",
    }),
    analytics: z.boolean().openapi({
      description:
        "This learner's activity may feed shared statistics, analytics and experiments; false: it stays in their own record",
    }),
  })
  .strict()
  .openapi('ConsentInput');

export const ConsentSchema = ConsentInputSchema.extend({
  updatedAt: z
    .string()
    .nullable()
    .openapi({ description: 'When a choice last changed; null while the defaults (both true) stand' }),
}).openapi('Consent');
export type Consent = z.infer<typeof ConsentSchema>;
export type ConsentInput = z.infer<typeof ConsentInputSchema>;

export const LearnerSchema = z
  .object({
    learnerId: z.string(),
    createdAt: z.string(),
    onboarded: z.boolean(),
    preferences: z.union([PreferencesSchema, z.null()]),
    consent: ConsentSchema,
    notices: z.array(z.string()).openapi({
      description:
        'What changed for the learner since they last looked (a goal the course no longer has was dropped); each said once',
    }),
  })
  .openapi('Learner');
export type Learner = z.infer<typeof LearnerSchema>;

export const NewLearnerSchema = z
  .object({
    learnerId: z.string(),
    token: z.string().openapi({ description: 'Send as `Authorization: Bearer <token>`' }),
    expiresAt: z.string(),
  })
  .openapi('LearnerToken');
export type NewLearner = z.infer<typeof NewLearnerSchema>;

/** Most learners one move request handles (a CLI loops until none remain). */
export const MAX_MOVE_BATCH = 200;

export const MoveLearnersRequestSchema = z
  .object({
    limit: z.number().int().min(1).max(MAX_MOVE_BATCH).default(50).openapi({ description: 'Learners to move in this request' }),
  })
  .strict()
  .openapi('MoveLearnersRequest');

export const MoveLearnersResponseSchema = z
  .object({
    moved: z.number().int().openapi({ description: 'Learners whose rows went from D1 into their object now' }),
    cleaned: z.number().int().openapi({ description: 'Learners already in their object whose leftover D1 rows were deleted' }),
    remaining: z.number().int().openapi({ description: 'Learners still in D1 after this request' }),
  })
  .openapi('MoveLearnersResponse');
export type MoveLearnersResponse = z.infer<typeof MoveLearnersResponseSchema>;

export const LearnerIdParamSchema = z.object({
  learnerId: z
    .string()
    .regex(LEARNER_ID, 'must be a learner id (lrn_…)')
    .openapi({ param: { name: 'learnerId', in: 'path' }, example: 'lrn_0123456789abcdefABCDEF' }),
});

export const DeliverySchema = z
  .object({
    pendingDeltas: z.number().int().openapi({ description: 'Deltas in the outbox, not yet accepted by the AGGREGATES queue' }),
    pendingActivity: z
      .number()
      .int()
      .openapi({ description: 'Lesson-days of heartbeat seconds summed, waiting for the next flush' }),
    messagesSent: z.number().int(),
    deltasSent: z.number().int(),
    lastSentAt: z.string().nullable(),
  })
  .openapi('LearnerDelivery');
