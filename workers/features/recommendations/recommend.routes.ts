import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/app-env';
import { AUTHOR_SECURITY, requireAuthor } from '../../http/author-auth';
import { LEARNER_SECURITY, requireLearner } from '../../http/learner-auth';
import { problemResponses } from '../../http/problem';
import { validationHook } from '../../http/validation';
import { setGoal } from './path.goal';
import { learningPath } from './path.plan';
import { sendFeedback } from './recommend.feedback';
import { recommendationsFor } from './recommend.ranking';
import {
  FeedbackBodySchema,
  FeedbackResultSchema,
  GoalBodySchema,
  GoalResponseSchema,
  GoalSchema,
  LearningPathQuerySchema,
  LearningPathSchema,
  PairsSchema,
  RecommendationListSchema,
  RecommendationParamSchema,
  RecommendationsQuerySchema,
} from './recommend.schemas';

export const recommendationRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['Learners'],
      summary: 'What to do next, ranked, each with the reasons',
      description:
        'Next lessons (prerequisites completed or mastered, unless `allowSkips`), due reviews and unfinished quizzes, ' +
        'ranked by goal, layer progression, mastery gaps, due reviews, co-completion by other learners, similarity ' +
        'to the last lesson and course order, diversified by MMR, with at most one exploration slot in five. ' +
        'Cached per learner until one of their events changes it.',
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      request: { query: RecommendationsQuerySchema },
      responses: {
        200: {
          description: 'Ranked recommendations',
          content: { 'application/json': { schema: RecommendationListSchema } },
        },
        ...problemResponses(400, 401, 429),
      },
    }),
    async (c) => {
      const { limit, allowSkips } = c.req.valid('query');
      const input = { learnerId: c.var.learnerId, limit, allowSkips: allowSkips === 'true', now: new Date() };
      return c.json(await recommendationsFor(c.var.deps, input), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/{id}/feedback',
      tags: ['Learners'],
      summary: 'Accept, dismiss or complete a recommendation (a dismissed one stays away for 7 days)',
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      request: {
        params: RecommendationParamSchema,
        body: { required: true, content: { 'application/json': { schema: FeedbackBodySchema } } },
      },
      responses: {
        200: {
          description: 'Whether the feedback was new',
          content: { 'application/json': { schema: FeedbackResultSchema } },
        },
        ...problemResponses(400, 401, 404, 409, 429),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const feedback = c.req.valid('json');
      const input = { learnerId: c.var.learnerId, recommendationId: id, feedback, now: new Date() };
      return c.json(await sendFeedback(c.var.deps, input), 200);
    },
  );

export const goalRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'put',
      path: '/goal',
      tags: ['Learners'],
      summary: 'Set the learning goal: a concept, a lesson or a part, with an optional target date',
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      request: { body: { required: true, content: { 'application/json': { schema: GoalBodySchema } } } },
      responses: {
        200: { description: 'The goal', content: { 'application/json': { schema: GoalSchema } } },
        ...problemResponses(400, 401, 429),
      },
    }),
    async (c) => {
      const goal = c.req.valid('json');
      return c.json(await setGoal(c.var.deps, { learnerId: c.var.learnerId, goal, now: new Date() }), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/goal',
      tags: ['Learners'],
      summary: 'The learning goal, or null',
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      responses: {
        200: { description: 'The goal', content: { 'application/json': { schema: GoalResponseSchema } } },
        ...problemResponses(401, 429),
      },
    }),
    async (c) => {
      return c.json({ goal: await c.var.deps.recommend.goal(c.var.learnerId) }, 200);
    },
  );

export const learningPathRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags: ['Learners'],
    summary: "The ordered steps to the learner's goal, with time estimates and whether the target date is reachable",
    description:
      'Without a set goal, the first part chosen at onboarding is the goal. Steps respect prerequisites, skip ' +
      "lessons completed or whose concepts are mastered, and scale the author's minutes by the learner's measured speed. " +
      'A learner with no goal, or whose goal the course no longer has, gets an empty path and a status saying so.',
    security: LEARNER_SECURITY,
    middleware: [requireLearner] as const,
    request: { query: LearningPathQuerySchema },
    responses: {
      200: {
        description: 'The path',
        content: { 'application/json': { schema: LearningPathSchema } },
      },
      ...problemResponses(400, 401, 429),
    },
  }),
  async (c) => {
    const { today } = c.req.valid('query');
    return c.json(await learningPath(c.var.deps, { learnerId: c.var.learnerId, today, now: new Date() }), 200);
  },
);

export const recommendationAdminRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
recommendationAdminRoutes.use('*', requireAuthor('admin'));
recommendationAdminRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/refresh',
    tags: ['Authoring'],
    summary: 'Recompute lesson co-completion from all learners now (the cron job does it every 10 minutes)',
    security: AUTHOR_SECURITY,
    responses: {
      200: {
        description: 'How many lesson pairs there are',
        content: { 'application/json': { schema: PairsSchema } },
      },
      ...problemResponses(401, 403, 429),
    },
  }),
  async (c) => c.json({ pairs: await c.var.deps.recommend.refreshPairs() }, 200),
);
