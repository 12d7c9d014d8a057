import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { noSuchCourse } from '../content/content.catalog';
import { courseQuerySchema } from '../content/content.schemas';
import type { AppEnv } from '../../http/app-env';
import { currentLearner, LEARNER_SECURITY, requireLearner } from '../../http/learner-auth';
import { AppError, problemResponses } from '../../http/problem';
import { validationHook } from '../../http/validation';
import { savePreferences } from './learner.client';
import type { Deps } from '../../deps';
import { readBook } from '../content/content.cache';
import { LearnerSchema, OnboardingRequestSchema, QuestionnaireSchema } from './learners.schemas';
import { answersToPreferences, buildQuestionnaire } from './onboarding.domain';

/** The questionnaire of `course` (default: the default course): its goals are that course's parts. */
async function questionnaire(deps: Deps, course: string | undefined) {
  const cached = await readBook(deps, course);
  if (!cached && course !== undefined) throw noSuchCourse(course);
  if (!cached) throw new AppError('not_found', 'No course has been pushed yet, so there is nothing to onboard for');
  return { book: cached.book, questions: buildQuestionnaire(cached.book) };
}

/** `?course=`: the course to onboard for. */
const OnboardingCourseQuerySchema = courseQuerySchema(
  "A course of GET /api/courses: its parts are the goals offered; default: the default course's",
);

export const onboardingRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'get',
      path: '/questions',
      tags: ['Learners'],
      summary: 'The onboarding questionnaire (goal options come from the course parts)',
      request: { query: OnboardingCourseQuerySchema },
      responses: {
        200: { description: 'Six questions', content: { 'application/json': { schema: QuestionnaireSchema } } },
        ...problemResponses(400, 404),
      },
    }),
    async (c) => c.json({ questions: (await questionnaire(c.get('deps'), c.req.valid('query').course)).questions }, 200),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags: ['Learners'],
      summary: 'Answer the questionnaire: stores the preferences and marks the learner onboarded',
      description:
        "With `?course=`, the goals answered are that course's parts, and goals the learner has in other courses are kept.",
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      request: {
        query: OnboardingCourseQuerySchema,
        body: { required: true, content: { 'application/json': { schema: OnboardingRequestSchema } } },
      },
      responses: {
        200: { description: 'The onboarded learner', content: { 'application/json': { schema: LearnerSchema } } },
        ...problemResponses(400, 401, 404, 429),
      },
    }),
    async (c) => {
      const { answers } = c.req.valid('json');
      const learner = await currentLearner(c.get('deps'), c.get('learnerId'));
      const { book, questions } = await questionnaire(c.get('deps'), c.req.valid('query').course);
      const checked = answersToPreferences(questions, answers);
      if (!checked.ok) {
        throw new AppError('validation_failed', `${checked.errors.length} answer(s) need attention`, { errors: checked.errors });
      }
      // Goals are part slugs across the catalog: those of other courses stay.
      const here = new Set(book.parts.map((p) => p.slug));
      const elsewhere = (learner.preferences?.goals ?? []).filter((g) => !here.has(g) && !checked.preferences.goals.includes(g));
      const preferences = { ...checked.preferences, goals: [...checked.preferences.goals, ...elsewhere] };
      await savePreferences(
        c.get('deps'),
        learner.learnerId,
        { preferences, source: 'onboarding', answers },
        new Date().toISOString(),
      );
      const { preferencesHash: _, ...shown } = learner;
      return c.json({ ...shown, onboarded: true, preferences, notices: [] }, 200);
    },
  );
