import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../../http/app-env';
import { LEARNER_SECURITY, ofLearner, requireLearner } from '../../http/learner-auth';
import { problemResponses } from '../../http/problem';
import { validationHook } from '../../http/validation';
import { SlugParamSchema } from '../content/content.schemas';
import { applyEvent, appliedOrThrow } from '../learners/learner.client';
import type { LearnerEvent } from './events.schemas';
import { joinProgress, summarizeProgress } from './progress.domain';

const WriteSchema = z
  .object({
    eventId: z.uuid().openapi({ description: 'Client-generated UUID: a repeated request counts once' }),
    occurredAt: z.iso.datetime({ offset: true }).optional().openapi({ description: 'Defaults to now' }),
  })
  .strict();
const TimeSchema = WriteSchema.extend({
  seconds: z
    .number()
    .int()
    .min(1)
    .max(3600)
    .openapi({ description: 'Active seconds since the last heartbeat; at most 60 count' }),
}).strict();

const LessonProgressSchema = z
  .object({
    lessonSlug: z.string(),
    startedAt: z.string().nullable(),
    completedAt: z.string().nullable(),
    activeSeconds: z.number().int(),
    lastActivityAt: z.string().nullable(),
  })
  .openapi('LessonProgress');
const WriteResponseSchema = z.object({
  applied: z.boolean().openapi({ description: 'false when this eventId was applied before' }),
  progress: LessonProgressSchema,
});

const CompletionSchema = z.object({
  slug: z.string(),
  title: z.string(),
  lessons: z.number().int(),
  completed: z.number().int(),
});
const ProgressSchema = z
  .object({
    lessons: z.object({ total: z.number().int(), started: z.number().int(), completed: z.number().int() }),
    parts: z.array(CompletionSchema.extend({ chapters: z.array(CompletionSchema) })),
    days: z.array(z.object({ day: z.string(), activeSeconds: z.number().int(), events: z.number().int() })),
    weeks: z.array(z.object({ week: z.string().openapi({ description: 'Monday (UTC)' }), activeSeconds: z.number().int() })),
    streakDays: z.number().int(),
    lastLesson: z.object({ slug: z.string(), title: z.string(), lastActivityAt: z.string().nullable() }).nullable(),
  })
  .openapi('Progress');

/** Days of activity the overview returns (8 weeks). */
const OVERVIEW_DAYS = 56;

/** Applies one progress event now (not through the queue), so the next read shows it. */
async function write(c: Context<AppEnv>, slug: string, event: LearnerEvent) {
  const { deps, learnerId } = c.var;
  const outcome = await applyEvent(deps, { learnerId, receivedAt: new Date().toISOString(), event });
  const { result, progress } = await appliedOrThrow(deps, learnerId, outcome, `No lesson ${slug}`);
  if (!progress) throw new Error(`a lesson event of ${slug} came back without progress`);
  return c.json({ applied: result === 'applied', progress }, 200);
}

const writeRoute = (method: 'post' | 'put', path: string, summary: string, schema: typeof WriteSchema | typeof TimeSchema) =>
  createRoute({
    method,
    path,
    tags: ['Learners'],
    summary,
    security: LEARNER_SECURITY,
    middleware: [requireLearner] as const,
    request: { params: SlugParamSchema, body: { required: true, content: { 'application/json': { schema } } } },
    responses: {
      200: {
        description: 'The lesson progress after the write',
        content: { 'application/json': { schema: WriteResponseSchema } },
      },
      ...problemResponses(400, 401, 404, 409),
    },
  });

/** The fields every progress event shares, from the path and the body (time defaults to now). */
const common = (slug: string, body: { eventId: string; occurredAt?: string | undefined }) => ({
  lessonSlug: slug,
  eventId: body.eventId,
  occurredAt: body.occurredAt ?? new Date().toISOString(),
});

export const progressRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(writeRoute('post', '/lessons/{slug}/start', 'Mark a lesson started', WriteSchema), async (c) => {
    const { slug } = c.req.valid('param');
    return write(c, slug, { type: 'lesson.started', ...common(slug, c.req.valid('json')) });
  })
  .openapi(
    writeRoute('put', '/lessons/{slug}/time', 'Heartbeat: add active seconds (at most 60 per heartbeat count)', TimeSchema),
    async (c) => {
      const { slug } = c.req.valid('param');
      const body = c.req.valid('json') as z.infer<typeof TimeSchema>;
      return write(c, slug, { type: 'lesson.active_time', seconds: body.seconds, ...common(slug, body) });
    },
  )
  .openapi(writeRoute('post', '/lessons/{slug}/complete', 'Mark a lesson completed', WriteSchema), async (c) => {
    const { slug } = c.req.valid('param');
    return write(c, slug, { type: 'lesson.completed', ...common(slug, c.req.valid('json')) });
  })
  .openapi(
    createRoute({
      method: 'get',
      path: '/lessons/{slug}',
      tags: ['Learners'],
      summary: "The learner's progress in one lesson",
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      request: { params: SlugParamSchema },
      responses: {
        200: { description: 'Lesson progress', content: { 'application/json': { schema: LessonProgressSchema } } },
        ...problemResponses(400, 401),
      },
    }),
    async (c) => {
      const { slug } = c.req.valid('param');
      const { deps, learnerId } = c.var;
      return c.json(ofLearner(await deps.learner(learnerId).lessonProgress(learnerId, slug)), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['Learners'],
      summary: 'Completion per part and chapter, active time per day and week (8 weeks), streak and last lesson',
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      responses: {
        200: { description: 'Progress', content: { 'application/json': { schema: ProgressSchema } } },
        ...problemResponses(401),
      },
    }),
    async (c) => {
      const today = new Date().toISOString().slice(0, 10);
      const since = new Date(Date.now() - OVERVIEW_DAYS * 86_400_000).toISOString().slice(0, 10);
      const { deps, learnerId } = c.var;
      const [outline, progress] = await Promise.all([deps.outline(), deps.learner(learnerId).progress(learnerId, since)]);
      const mine = ofLearner(progress);
      return c.json(summarizeProgress(joinProgress(outline, mine.lessons, mine.days), today), 200);
    },
  );
