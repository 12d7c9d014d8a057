import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/app-env';
import { LEARNER_SECURITY, requireLearner } from '../../http/learner-auth';
import { problemResponses } from '../../http/problem';
import { validationHook } from '../../http/validation';
import { PlanFeedbackResultSchema, PlanFeedbackSchema, PlanItemParamSchema, PlanSchema, TodayQuerySchema } from './plan.schemas';
import { sendPlanFeedback, todaysPlan } from './plan.service';

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
      middleware: [requireLearner] as const,
      request: { query: TodayQuerySchema },
      responses: {
        200: { description: "Today's plan", content: { 'application/json': { schema: PlanSchema } } },
        ...problemResponses(400, 401, 404, 409, 429),
      },
    }),
    async (c) => {
      const { timeZone = 'UTC' } = c.req.valid('query');
      return c.json(await todaysPlan(c.var.deps, { learnerId: c.var.learnerId, now: new Date(), timeZone }), 200);
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
        await sendPlanFeedback(c.var.deps, { learnerId: c.var.learnerId, planId, itemId, feedback, now: new Date() }),
        200,
      );
    },
  );
