import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/app-env';
import { currentLearner, LEARNER_SECURITY, requireLearner } from '../../http/learner-auth';
import { AppError, problemResponses } from '../../http/problem';
import { validationHook } from '../../http/validation';
import { savePreferences } from './learner.client';
import type { Deps } from '../../deps';
import { readBook } from '../content/content.cache';
import { LearnerSchema, OnboardingRequestSchema, QuestionnaireSchema } from './learners.schemas';
import { answersToPreferences, buildQuestionnaire } from './onboarding.domain';

async function questionnaire(deps: Deps) {
  const cached = await readBook(deps);
  if (!cached) throw new AppError('not_found', 'No course has been pushed yet, so there is nothing to onboard for');
  return buildQuestionnaire(cached.book);
}

export const onboardingRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'get',
      path: '/questions',
      tags: ['Learners'],
      summary: 'The onboarding questionnaire (goal options come from the course parts)',
      responses: {
        200: { description: 'Six questions', content: { 'application/json': { schema: QuestionnaireSchema } } },
        ...problemResponses(404),
      },
    }),
    async (c) => c.json({ questions: await questionnaire(c.var.deps) }, 200),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags: ['Learners'],
      summary: 'Answer the questionnaire: stores the preferences and marks the learner onboarded',
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      request: { body: { required: true, content: { 'application/json': { schema: OnboardingRequestSchema } } } },
      responses: {
        200: { description: 'The onboarded learner', content: { 'application/json': { schema: LearnerSchema } } },
        ...problemResponses(400, 401, 404, 429),
      },
    }),
    async (c) => {
      const { answers } = c.req.valid('json');
      const learner = await currentLearner(c.var.deps, c.var.learnerId);
      const checked = answersToPreferences(await questionnaire(c.var.deps), answers);
      if (!checked.ok) {
        throw new AppError('validation_failed', `${checked.errors.length} answer(s) need attention`, { errors: checked.errors });
      }
      const { preferences } = checked;
      await savePreferences(
        c.var.deps,
        learner.learnerId,
        { preferences, source: 'onboarding', answers },
        new Date().toISOString(),
      );
      const { preferencesHash: _, ...shown } = learner;
      return c.json({ ...shown, onboarded: true, preferences, notices: [] }, 200);
    },
  );
