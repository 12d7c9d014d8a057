import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/app-env';
import { LEARNER_SECURITY, requireLearner } from '../../http/learner-auth';
import { problemResponses } from '../../http/problem';
import { validationHook } from '../../http/validation';
import { answerPlacement, currentPlacement, startPlacement } from './placement.flow';
import { PLACEMENT } from './placement.domain';
import {
  PlacementAnswerBodySchema,
  PlacementCourseQuerySchema,
  PlacementIdParamSchema,
  PlacementStartSchema,
  PlacementStateSchema,
} from './placement.schemas';

const state = (description: string) => ({ description, content: { 'application/json': { schema: PlacementStateSchema } } });

/** The placement test: an adaptive quiz across the course that sets where a learner who knows some of it starts. */
export const placementRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['Learners'],
      summary: "The learner's newest placement test in a course: the question to answer, or the result",
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      request: { query: PlacementCourseQuerySchema },
      responses: { 200: state('The placement test'), ...problemResponses(400, 401, 404, 429) },
    }),
    async (c) => c.json(await currentPlacement(c.get('deps'), c.get('learnerId'), c.req.valid('query').course), 200),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags: ['Learners'],
      summary: 'Start a placement test (or go on with the one under way)',
      description: `Questions are chosen by item response theory: among the concepts asked least so far, the item with the most information at the learner's ability. The test ends once the ability's standard error is ${PLACEMENT.targetSe} or less after at least ${PLACEMENT.minItems} answers, or after ${PLACEMENT.maxItems}. It then sets each concept's mastery (never lower than the learner's): lessons whose prerequisites' concepts it shows mastered count as met, so recommendations, the learning path and the daily plan start at the learner's level.`,
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      request: {
        query: PlacementCourseQuerySchema,
        body: { required: false, content: { 'application/json': { schema: PlacementStartSchema } } },
      },
      responses: {
        200: state('The test under way'),
        201: state('A new test'),
        ...problemResponses(400, 401, 404, 413, 429),
      },
    }),
    async (c) => {
      const { restart = false } = (c.req.valid('json') as { restart?: boolean } | undefined) ?? {};
      const { state: placement, created } = await startPlacement(c.get('deps'), {
        learnerId: c.get('learnerId'),
        course: c.req.valid('query').course,
        restart,
        now: new Date(),
      });
      return c.json(placement, created ? 201 : 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/{id}/answers',
      tags: ['Learners'],
      summary: 'Answer the question the placement test asked: graded, then the next question or the result',
      description:
        'Only the question the test is asking can be answered (409 otherwise, also when another answer to it got there first or the test is over).',
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      request: {
        params: PlacementIdParamSchema,
        body: { required: true, content: { 'application/json': { schema: PlacementAnswerBodySchema } } },
      },
      responses: { 200: state('The test after the answer'), ...problemResponses(400, 401, 404, 409, 413, 429) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { itemId, answer } = c.req.valid('json');
      return c.json(
        await answerPlacement(c.get('deps'), { learnerId: c.get('learnerId'), id, itemId, answer, now: new Date() }),
        200,
      );
    },
  );
