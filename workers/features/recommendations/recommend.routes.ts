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
import { WEIGHTS } from './recommend.domain';
import { refitRanker } from './ranker.weights';

/** Refits shown per course. */
const WEIGHT_HISTORY = 30;
import {
  FeedbackBodySchema,
  FeedbackResultSchema,
  GoalBodySchema,
  GoalResponseSchema,
  GoalSchema,
  LearningPathQuerySchema,
  LearningPathSchema,
  PairsSchema,
  RankerWeightsSchema,
  RefitResultSchema,
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
        ...problemResponses(400, 401, 404, 429),
      },
    }),
    async (c) => {
      const { course, limit, allowSkips } = c.req.valid('query');
      const input = { learnerId: c.get('learnerId'), course, limit, allowSkips: allowSkips === 'true', now: new Date() };
      return c.json(await recommendationsFor(c.get('deps'), input), 200);
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
      const input = { learnerId: c.get('learnerId'), recommendationId: id, feedback, now: new Date() };
      return c.json(await sendFeedback(c.get('deps'), input), 200);
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
      return c.json(await setGoal(c.get('deps'), { learnerId: c.get('learnerId'), goal, now: new Date() }), 200);
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
      return c.json({ goal: await c.get('deps').recommend.goal(c.get('learnerId')) }, 200);
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
      ...problemResponses(400, 401, 404, 429),
    },
  }),
  async (c) => {
    const { course, today } = c.req.valid('query');
    return c.json(await learningPath(c.get('deps'), { learnerId: c.get('learnerId'), course, today, now: new Date() }), 200);
  },
);

export const recommendationAdminRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
recommendationAdminRoutes.use('*', requireAuthor('admin'));
recommendationAdminRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/refresh',
    tags: ['Authoring'],
    summary: 'Rebuild lesson co-completion from all learners (a repair: it is kept up as completions arrive)',
    security: AUTHOR_SECURITY,
    responses: {
      200: {
        description: 'How many lesson pairs there are',
        content: { 'application/json': { schema: PairsSchema } },
      },
      ...problemResponses(401, 403, 429),
    },
  }),
  async (c) => c.json({ pairs: await c.get('deps').recommend.refreshPairs() }, 200),
);
recommendationAdminRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/weights',
    tags: ['Analytics'],
    summary: "The ranker's hand-set weights and, per course, the weights learned from learners' choices with each refit's report",
    description:
      'Each refit (the cron job, at most daily per course) fits the weights to the lessons learners took among those offered, from the weights in use as the prior, moving each at most 0.05, and reports log-loss and top-1 accuracy of the old and new weights on held-out choices. The `recs.weights` decision "learned" (its default) ranks with the newest.',
    security: AUTHOR_SECURITY,
    responses: {
      200: { description: 'Weights and refits', content: { 'application/json': { schema: RankerWeightsSchema } } },
      ...problemResponses(401, 403, 429),
    },
  }),
  async (c) => {
    const { recommend } = c.get('deps');
    const courses = await Promise.all(
      (await recommend.weightCourses()).map(async (courseId) => {
        const history = await recommend.weightHistory(courseId, WEIGHT_HISTORY);
        return { courseId, learned: history[0]?.weights ?? WEIGHTS, history };
      }),
    );
    return c.json({ handSet: WEIGHTS, courses }, 200);
  },
);
recommendationAdminRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/weights/refit',
    tags: ['Analytics'],
    summary: "Refit the ranker's weights of every course with logged choices now (the cron job does it daily)",
    security: AUTHOR_SECURITY,
    responses: {
      200: { description: 'What each course refit gave', content: { 'application/json': { schema: RefitResultSchema } } },
      ...problemResponses(401, 403, 429),
    },
  }),
  async (c) => c.json({ refits: await refitRanker(c.get('deps'), new Date(), { force: true }) }, 200),
);
