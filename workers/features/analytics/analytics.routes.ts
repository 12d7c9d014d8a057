import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/app-env';
import { AUTHOR_SECURITY, requireAuthor } from '../../http/author-auth';
import { problemResponses } from '../../http/problem';
import { validationHook } from '../../http/validation';
import { overviewRead } from './analytics.snapshots';
import {
  AnalyticsCourseQuerySchema,
  EngagementSchema,
  ItemAnalysisSchema,
  LessonFiguresSchema,
  ModelHealthQuerySchema,
  ModelHealthSchema,
  OverviewQuerySchema,
  OverviewSchema,
} from './analytics.schemas';

/** `/api/admin/analytics`: learning analytics from the rollups (admin scope). */
export const analyticsAdminRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
analyticsAdminRoutes.use('*', requireAuthor('admin'));
analyticsAdminRoutes
  .openapi(
    createRoute({
      method: 'get',
      path: '/overview',
      tags: ['Analytics'],
      summary: 'Active learners (day, week, month), the daily series, the funnel and retention by weekly cohort',
      description:
        'From the learners’ daily rollup (learners who consented to analytics only), served from the snapshot the cron computes every 10 minutes (`fresh=true` computes now). Funnel: onboarded, opened a first lesson, completed one, came back on another day.',
      security: AUTHOR_SECURITY,
      request: { query: OverviewQuerySchema },
      responses: {
        200: { description: 'The overview', content: { 'application/json': { schema: OverviewSchema } } },
        ...problemResponses(400, 401, 403, 429),
      },
    }),
    async (c) => {
      const { days, course, fresh } = c.req.valid('query');
      return c.json(await overviewRead(c.get('deps'), { days, course, fresh, now: new Date() }), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/engagement',
      tags: ['Analytics'],
      summary: 'Daily-plan completion by task category, and answer helpfulness by engine with the reasons given',
      security: AUTHOR_SECURITY,
      request: { query: OverviewQuerySchema },
      responses: {
        200: { description: 'Engagement', content: { 'application/json': { schema: EngagementSchema } } },
        ...problemResponses(400, 401, 403, 429),
      },
    }),
    async (c) => {
      const { days, course } = c.req.valid('query');
      return c.json(await c.get('deps').analytics.engagement(new Date().toISOString().slice(0, 10), days, course), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/lessons',
      tags: ['Analytics'],
      summary: 'Per lesson: learners who opened and completed it, completion rate, drop-off, active minutes',
      security: AUTHOR_SECURITY,
      request: { query: AnalyticsCourseQuerySchema },
      responses: {
        200: {
          description: 'Lessons in course order',
          content: { 'application/json': { schema: z.object({ lessons: z.array(LessonFiguresSchema) }) } },
        },
        ...problemResponses(400, 401, 403, 429),
      },
    }),
    async (c) => c.json({ lessons: await c.get('deps').analytics.lessons(c.req.valid('query').course) }, 200),
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/items',
      tags: ['Analytics'],
      summary: 'Quiz item analysis: difficulty, point-biserial discrimination, distractor choice rates, flagged items',
      description: `Over learners' evidence answers (a repeat soon after a graded answer is not evidence). Items with at least 20 answers are flagged when too easy (> 95% right), too hard (< 20%), weakly or negatively discriminating, when a distractor is picked more than the key, or when a distractor is almost never picked.`,
      security: AUTHOR_SECURITY,
      request: { query: AnalyticsCourseQuerySchema },
      responses: {
        200: {
          description: 'Items in course order',
          content: { 'application/json': { schema: z.object({ items: z.array(ItemAnalysisSchema) }) } },
        },
        ...problemResponses(400, 401, 403, 429),
      },
    }),
    async (c) => c.json({ items: await c.get('deps').analytics.items(c.req.valid('query').course) }, 200),
  );

/** `GET /api/admin/models/performance`: how well the learner model predicts (admin scope). */
export const modelHealthRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
modelHealthRoutes.use('*', requireAuthor('admin'));
modelHealthRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/performance',
    tags: ['Analytics'],
    summary:
      "The learner model's health: BKT and FSRS AUC, log-loss and calibration, by week and by onboarding segment, with drift alerts",
    description:
      "BKT's P(right) before each evidence answer and FSRS's predicted recall before each review, against what happened, from daily binned rollups; recommendation acceptance (accepted over accepted and dismissed) and hit rate (completed over accepted). A drift note appears when the last 7 days' AUC fell by 0.05, log-loss rose by 15% or the mean prediction strayed 10 points from the observed rate. With `course`, the predictions, recommendation totals, weekly acceptances and mastery of that course (predictions recorded before courses were kept count for none; a recommendation counts for its lesson's course, and one of a removed lesson for none).",
    security: AUTHOR_SECURITY,
    request: { query: ModelHealthQuerySchema },
    responses: {
      200: { description: 'Model health', content: { 'application/json': { schema: ModelHealthSchema } } },
      ...problemResponses(400, 401, 403, 429),
    },
  }),
  async (c) => {
    const { days, course } = c.req.valid('query');
    return c.json(await c.get('deps').analytics.modelHealth(new Date().toISOString().slice(0, 10), days, course), 200);
  },
);
