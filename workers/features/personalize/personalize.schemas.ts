import { z } from '@hono/zod-openapi';
import { SlugSchema } from '../content/content.schemas';

export const ENGINES = ['model', 'offline', 'original'] as const;
export type Engine = (typeof ENGINES)[number];

export const PersonalizeRequestSchema = z.strictObject({ lessonSlug: SlugSchema }).openapi('PersonalizeRequest');

export const UsageSchema = z
  .object({
    promptTokens: z.number().int(),
    completionTokens: z.number().int(),
    estimatedCostUsd: z.number(),
  })
  .openapi('ModelUsage');
export type Usage = z.infer<typeof UsageSchema>;

export const PersonalizedLessonSchema = z
  .object({
    lessonSlug: z.string(),
    markdown: z.string(),
    cached: z.boolean(),
    engine: z.enum(ENGINES).openapi({ description: '`original` when adaptation failed and the lesson is shown as written' }),
    model: z.string().nullable(),
    promptVersion: z.string(),
    contentHash: z.string(),
    preferencesHash: z.string(),
    usage: UsageSchema.nullable().openapi({ description: 'Tokens of the generation that produced this text; null offline' }),
    degraded: z.boolean().openapi({ description: 'True when the preferred engine failed and a fallback was served' }),
    notice: z.string().nullable().openapi({ description: 'Why the learner sees a fallback, in words for the learner' }),
    adaptations: z.array(z.string()).openapi({ description: 'What was changed for this learner' }),
  })
  .openapi('PersonalizedLesson');
export type PersonalizedLesson = z.infer<typeof PersonalizedLessonSchema>;

/** What KV holds under a personalization key: the text and how it was produced. */
export const CachedAdaptationSchema = z.object({
  markdown: z.string(),
  engine: z.enum(['model', 'offline']),
  model: z.string().nullable(),
  promptVersion: z.string(),
  usage: UsageSchema.nullable(),
  adaptations: z.array(z.string()),
  createdAt: z.string(),
});
export type CachedAdaptation = z.infer<typeof CachedAdaptationSchema>;

/** Server-sent events of `POST /api/personalize/stream`, in order: meta, delta*, (replace)?, done | error. */
export const StreamEventSchemas = {
  meta: z.object({
    cached: z.boolean(),
    engine: z.enum(ENGINES),
    model: z.string().nullable(),
    contentHash: z.string(),
    preferencesHash: z.string(),
  }),
  delta: z.object({ text: z.string() }),
  replace: z.object({ markdown: z.string(), reason: z.string() }),
  done: PersonalizedLessonSchema,
  error: z.object({ status: z.number().int(), detail: z.string(), code: z.string() }),
} as const;
