import type { z } from '@hono/zod-openapi';
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../../http/app-env';
import {
  currentLearner,
  LEARNER_SECURITY,
  ofLearner,
  renewedEpoch,
  requireLearner,
  requireLearnerToken,
} from '../../http/learner-auth';
import { AppError, problemResponses } from '../../http/problem';
import { byIp, rateLimit } from '../../http/rate-limit';
import { validationHook } from '../../http/validation';
import { coursePreferences, reconciledLearner, saveCoursePreferences, savePreferences } from './learner.client';
import { askedCourse } from '../content/content.catalog';
import { courseQuerySchema, CourseParamSchema } from '../content/content.schemas';
import { catalogParts } from '../content/content.cache';
import type { Deps } from '../../deps';
import { LearnerSchema, NewLearnerSchema, PreferencesSchema, type NewLearner, type Preferences } from './learners.schemas';
import { newLearnerId, signLearnerToken } from './learners.token';
import { unknownGoals } from './onboarding.domain';

/** After a refresh, how long the token it replaced may still refresh (another tab doing the same): it gets the same epoch. */
const REFRESH_GRACE_MS = 60_000;

async function issueToken(deps: Pick<Deps, 'config'>, learnerId: string, now: Date, epoch = 0): Promise<NewLearner> {
  const { token, expiresAt } = await signLearnerToken(deps.config.LEARNER_TOKEN_SECRET, learnerId, now, epoch);
  return { learnerId, token, expiresAt: expiresAt.toISOString() };
}

/** A new token for the caller in the learner's next token epoch (see the learner object's `renewTokens`). */
async function renewToken(c: Context<AppEnv>, mode: 'refresh' | 'sign_out'): Promise<NewLearner> {
  const { deps, learnerId, tokenEpoch } = c.var;
  const now = new Date();
  const grace = mode === 'refresh' ? REFRESH_GRACE_MS : 0;
  const result = await deps.learner(learnerId).renewTokens(learnerId, tokenEpoch, mode, now.getTime(), grace);
  return issueToken(deps, learnerId, now, renewedEpoch(learnerId, result));
}

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/** The learner's own preferences, or the 404 of a learner who has not answered the onboarding questions. */
function ownPreferences(learner: { preferences: Preferences | null }): Preferences {
  if (!learner.preferences) throw new AppError('not_found', 'No preferences yet: answer the onboarding questions first');
  return learner.preferences;
}

export const learnerRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags: ['Learners'],
      summary: 'Create an anonymous learner and get its token',
      middleware: [rateLimit({ limit: 'learnerCreate', key: byIp })] as const,
      responses: { 201: json(NewLearnerSchema, 'The new learner and a signed token'), ...problemResponses(429) },
    }),
    async (c) => {
      const now = new Date();
      const learnerId = newLearnerId(crypto.getRandomValues(new Uint8Array(16)));
      await c.get('deps').learner(learnerId).create(learnerId, now.toISOString());
      return c.json(await issueToken(c.get('deps'), learnerId, now), 201);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/me',
      tags: ['Learners'],
      summary: 'The calling learner',
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      responses: { 200: json(LearnerSchema, 'The learner'), ...problemResponses(401, 429) },
    }),
    async (c) => {
      const { deps, learnerId } = c.var;
      const { preferencesHash: _, ...learner } = await reconciledLearner(deps, learnerId);
      const notices = ofLearner(await deps.learner(learnerId).takeNotices(learnerId));
      return c.json({ ...learner, notices }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/me/token',
      tags: ['Learners'],
      summary:
        'A fresh token for the calling learner (refresh before the old one expires); the old token stops working, except to refresh again within a minute',
      security: LEARNER_SECURITY,
      middleware: [requireLearnerToken] as const,
      responses: { 200: json(NewLearnerSchema, 'A new token'), ...problemResponses(401, 429) },
    }),
    async (c) => c.json(await renewToken(c, 'refresh'), 200),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/me/sign-out-everywhere',
      tags: ['Learners'],
      summary: 'Sign out every device: every token of this learner stops working; the answer is one new token for this device',
      security: LEARNER_SECURITY,
      middleware: [requireLearnerToken] as const,
      responses: { 200: json(NewLearnerSchema, 'The only token that works now'), ...problemResponses(401, 429) },
    }),
    async (c) => {
      const renewed = await renewToken(c, 'sign_out');
      c.get('deps').logger.log('info', 'learner.signed_out_everywhere', { learnerId: c.get('learnerId') });
      return c.json(renewed, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/me/preferences',
      tags: ['Learners'],
      summary: "The calling learner's preferences",
      description:
        "With `course`: the learner's preferences in that course, their own with the course's own over them (see PUT).",
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      request: { query: courseQuerySchema("The course whose preferences to show (default: the learner's own)") },
      responses: {
        200: json(PreferencesSchema, 'Preferences, with goals the course no longer has dropped'),
        ...problemResponses(400, 401, 404, 429),
      },
    }),
    async (c) => {
      const { course } = c.req.valid('query');
      const [learner] = await Promise.all([
        reconciledLearner(c.get('deps'), c.get('learnerId')),
        course === undefined ? null : askedCourse(c.get('deps'), course),
      ]);
      const preferences = ownPreferences(learner);
      if (course === undefined) return c.json(preferences, 200);
      return c.json(await coursePreferences(c.get('deps'), c.get('learnerId'), preferences, course), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'put',
      path: '/me/preferences',
      tags: ['Learners'],
      summary: "Replace the calling learner's preferences (each change is kept in the history)",
      description: [
        'With `course`, preferences that differ per course: experience, background, style, session minutes and',
        "example domain are kept for that course where they differ from the learner's own (its lessons are",
        "personalized with them); goals, time zone and daily practice are the learner's own in every course.",
        "Without one, the learner's own preferences, which every course without its own follows.",
      ].join(' '),
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      request: {
        query: courseQuerySchema('The course these preferences are for'),
        body: { required: true, content: { 'application/json': { schema: PreferencesSchema } } },
      },
      responses: { 200: json(PreferencesSchema, 'The stored preferences'), ...problemResponses(400, 401, 404, 429) },
    }),
    async (c) => {
      const preferences = c.req.valid('json');
      const { course } = c.req.valid('query');
      const [parts] = await Promise.all([
        catalogParts(c.get('deps')),
        course === undefined ? null : askedCourse(c.get('deps'), course),
      ]);
      const errors = parts.length > 0 ? unknownGoals(parts, preferences.goals) : [];
      if (errors.length > 0) throw new AppError('validation_failed', `${errors.length} field(s) failed validation`, { errors });
      const learner = await currentLearner(c.get('deps'), c.get('learnerId'));
      const at = new Date().toISOString();
      if (course !== undefined && learner.onboarded && learner.preferences) {
        await saveCoursePreferences(c.get('deps'), { ...learner, preferences: learner.preferences }, course, preferences, at);
        return c.json(preferences, 200);
      }
      // Before onboarding, a course's preferences are the learner's first own ones.
      const source = learner.onboarded ? 'profile' : 'onboarding';
      await savePreferences(c.get('deps'), learner.learnerId, { preferences, source }, at);
      return c.json(preferences, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/me/preferences/courses/{course}',
      tags: ['Learners'],
      summary: "Drop a course's own preferences: the course follows the learner's own again",
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      request: { params: CourseParamSchema },
      responses: {
        200: json(PreferencesSchema, "The learner's preferences in the course now (their own)"),
        ...problemResponses(400, 401, 404, 429),
      },
    }),
    async (c) => {
      const { course } = c.req.valid('param');
      const [learner] = await Promise.all([
        currentLearner(c.get('deps'), c.get('learnerId')),
        askedCourse(c.get('deps'), course, 'param/course'),
      ]);
      const preferences = ownPreferences(learner);
      await saveCoursePreferences(c.get('deps'), { ...learner, preferences }, course, null, new Date().toISOString());
      return c.json(preferences, 200);
    },
  );
