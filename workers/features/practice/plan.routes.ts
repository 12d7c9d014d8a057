import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { TypedResponse } from 'hono';
import type { AppEnv } from '../../http/app-env';
import { LEARNER_SECURITY, requireLearner, requireLearnerChecking } from '../../http/learner-auth';
import { problemResponses } from '../../http/problem';
import { validationHook } from '../../http/validation';
import {
  PlanFeedbackResultSchema,
  PlanFeedbackSchema,
  PlanItemParamSchema,
  PlanSchema,
  PracticeProfileSchema,
  TodayQuerySchema,
  type Plan,
} from './plan.schemas';
import { practiceProfileOf, sendPlanFeedback, swapPlanTask, todaysPlan } from './plan.service';
import { currentSummary, storedSummaries } from './summary.service';
import { SummariesQuerySchema, SummariesSchema, WeeklySummarySchema } from './summary.schemas';

export const planRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'get',
      path: '/today',
      tags: ['Learners'],
      summary: "Today's practice plan: 3 to 6 tasks from the course's practice library, each with its reasons",
      description:
        "Composed once per learner and local date (a revisit returns the same plan): due reviews, the next lesson and weak concepts first, then the best-scored variations of other categories (archetype, mode, time of day, the phase's appetite for new variations), fitting the learner's daily minutes, with no variation group of the last 48 hours unless nothing else of its category is left.",
      security: LEARNER_SECURITY,
      middleware: [requireLearnerChecking] as const,
      request: { query: TodayQuerySchema },
      responses: {
        200: { description: "Today's plan", content: { 'application/json': { schema: PlanSchema } } },
        ...problemResponses(400, 401, 404, 409, 429),
      },
    }),
    async (c) => {
      const { timeZone = null } = c.req.valid('query');
      const { learnerId, sessionToCheck, requestId } = c.var;
      const plan = await todaysPlan(c.get('deps'), { learnerId, now: new Date(), timeZone, sessionToCheck, requestId });
      // Written once by the learner's object (see `Learner.todaysPlan`), sent as it came:
      // the body is a Plan's JSON, which the route's type cannot see in a string.
      return c.body(plan, 200, { 'content-type': 'application/json' }) as unknown as TypedResponse<Plan, 200, 'json'>;
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/{planId}/items/{itemId}/feedback',
      tags: ['Learners'],
      summary: 'Tick off, skip or rate a task of one of your plans (exactly once per eventId)',
      description:
        'Goes through the exactly-once events path (also as a `plan.feedback` event of `POST /api/events`). A later feedback on the same task replaces the earlier one. 404 for a plan or task the learner does not have.',
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      request: {
        params: PlanItemParamSchema,
        body: { content: { 'application/json': { schema: PlanFeedbackSchema } }, required: true },
      },
      responses: {
        200: {
          description: 'Applied (false: this eventId was applied before)',
          content: { 'application/json': { schema: PlanFeedbackResultSchema } },
        },
        ...problemResponses(400, 401, 404, 409, 413, 429),
      },
    }),
    async (c) => {
      const { planId, itemId } = c.req.valid('param');
      const feedback = c.req.valid('json');
      return c.json(
        await sendPlanFeedback(c.get('deps'), { learnerId: c.get('learnerId'), planId, itemId, feedback, now: new Date() }),
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/{planId}/items/{itemId}/swap',
      tags: ['Learners'],
      summary: 'Swap an open task of one of your plans for the next best one of the same category',
      description:
        'The replacement is the best-scored variation of the same category whose group is not in the plan, fitting the minutes the swapped task leaves and avoiding the last 48 hours where it can (its reasons say so when it cannot). The swapped task leaves the plan. 404 for a plan or task the learner does not have; 409 for a task already done, skipped or swapped, when nothing else of its category is left, or after 10 swaps in a plan.',
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      request: { params: PlanItemParamSchema },
      responses: {
        200: { description: 'The plan after the swap', content: { 'application/json': { schema: PlanSchema } } },
        ...problemResponses(400, 401, 404, 409, 429),
      },
    }),
    async (c) => {
      const { planId, itemId } = c.req.valid('param');
      return c.json(await swapPlanTask(c.get('deps'), { learnerId: c.get('learnerId'), planId, itemId, now: new Date() }), 200);
    },
  );

/** The learner's practice profile and weekly summaries, under /api/learners/me. */
export const practiceLearnerRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'get',
      path: '/practice-profile',
      tags: ['Learners'],
      summary: 'Your practice profile: category affinity, variety seeking, consistency, preferred time, with the evidence',
      description:
        'Read from your past plans and when you were active. Each number comes with the counts behind it; the archetype, phase and mode the planner takes from them come with their reasons. 409 before onboarding.',
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      responses: {
        200: { description: 'The practice profile', content: { 'application/json': { schema: PracticeProfileSchema } } },
        ...problemResponses(401, 409, 429),
      },
    }),
    async (c) => c.json(await practiceProfileOf(c.get('deps'), { learnerId: c.get('learnerId'), now: new Date() }), 200),
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/summaries',
      tags: ['Learners'],
      summary: 'Your weekly summaries, newest first (?week= one of them)',
      description:
        'Built by a cron job after each local week with a plan ends: minutes, tasks by category and by day, streak, concepts mastered or slipping, reviews kept up, the best time of day, and 2 to 4 insight sentences with the numbers behind them. 404 for a week with no summary.',
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      request: { query: SummariesQuerySchema },
      responses: {
        200: { description: 'Stored summaries', content: { 'application/json': { schema: SummariesSchema } } },
        ...problemResponses(400, 401, 404, 429),
      },
    }),
    async (c) => {
      const { week } = c.req.valid('query');
      return c.json(await storedSummaries(c.get('deps'), { learnerId: c.get('learnerId'), week }), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/summaries/current',
      tags: ['Learners'],
      summary: 'Your week so far, as its summary will read (not stored)',
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      responses: {
        200: { description: 'The current week so far', content: { 'application/json': { schema: WeeklySummarySchema } } },
        ...problemResponses(401, 429),
      },
    }),
    async (c) => c.json(await currentSummary(c.get('deps'), { learnerId: c.get('learnerId'), now: new Date() }), 200),
  );
