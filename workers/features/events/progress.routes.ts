import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/app-env';
import { LEARNER_SECURITY, requireLearner } from '../../http/learner-auth';
import { problemResponses } from '../../http/problem';
import { validationHook } from '../../http/validation';
import { courseQuerySchema, SlugParamSchema } from '../content/content.schemas';
import { lessonProgress, progressOverview } from './progress.reads';
import {
  LessonProgressSchema,
  ProgressSchema,
  TimeSchema,
  WriteResponseSchema,
  WriteSchema,
  type Heartbeat,
} from './progress.schemas';
import { recordProgress } from './progress.writes';

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
      ...problemResponses(400, 401, 404, 409, 429),
    },
  });

/** The fields every progress event shares, from the path and the body (time defaults to `now`). */
const common = (slug: string, body: { eventId: string; occurredAt?: string | undefined }, now: Date) => ({
  lessonSlug: slug,
  eventId: body.eventId,
  occurredAt: body.occurredAt ?? now.toISOString(),
});

export const progressRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(writeRoute('post', '/lessons/{slug}/start', 'Mark a lesson started', WriteSchema), async (c) => {
    const { slug } = c.req.valid('param');
    const now = new Date();
    const event = { type: 'lesson.started' as const, ...common(slug, c.req.valid('json'), now) };
    return c.json(await recordProgress(c.get('deps'), { learnerId: c.get('learnerId'), slug, event, now }), 200);
  })
  .openapi(
    writeRoute('put', '/lessons/{slug}/time', 'Heartbeat: add active seconds (at most 60 per heartbeat count)', TimeSchema),
    async (c) => {
      const { slug } = c.req.valid('param');
      const body = c.req.valid('json') as Heartbeat;
      const now = new Date();
      const event = { type: 'lesson.active_time' as const, seconds: body.seconds, ...common(slug, body, now) };
      return c.json(await recordProgress(c.get('deps'), { learnerId: c.get('learnerId'), slug, event, now }), 200);
    },
  )
  .openapi(writeRoute('post', '/lessons/{slug}/complete', 'Mark a lesson completed', WriteSchema), async (c) => {
    const { slug } = c.req.valid('param');
    const now = new Date();
    const event = { type: 'lesson.completed' as const, ...common(slug, c.req.valid('json'), now) };
    return c.json(await recordProgress(c.get('deps'), { learnerId: c.get('learnerId'), slug, event, now }), 200);
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
        ...problemResponses(400, 401, 404, 429),
      },
    }),
    async (c) => {
      const { slug } = c.req.valid('param');
      return c.json(await lessonProgress(c.get('deps'), { learnerId: c.get('learnerId'), slug }), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['Learners'],
      summary: 'Completion per part and chapter, active time per day and week (8 weeks), streak and last lesson',
      description:
        'Completion, the last lesson and where to continue are for one course: `course`, else the default one. Activity per day and week and the streak count every course.',
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      request: { query: courseQuerySchema('The course whose completion to show (default: the default course)') },
      responses: {
        200: { description: 'Progress', content: { 'application/json': { schema: ProgressSchema } } },
        ...problemResponses(400, 401, 404, 429),
      },
    }),
    async (c) => {
      const { course } = c.req.valid('query');
      return c.json(await progressOverview(c.get('deps'), { learnerId: c.get('learnerId'), now: new Date(), course }), 200);
    },
  );
