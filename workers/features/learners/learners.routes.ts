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
import { reconciledLearner, savePreferences } from './learner.client';
import { catalogParts } from '../content/content.cache';
import type { Deps } from '../../deps';
import { LearnerSchema, NewLearnerSchema, PreferencesSchema, type NewLearner } from './learners.schemas';
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
      await c.var.deps.learner(learnerId).create(learnerId, now.toISOString());
      return c.json(await issueToken(c.var.deps, learnerId, now), 201);
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
      c.var.deps.logger.log('info', 'learner.signed_out_everywhere', { learnerId: c.var.learnerId });
      return c.json(renewed, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/me/preferences',
      tags: ['Learners'],
      summary: "The calling learner's preferences",
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      responses: {
        200: json(PreferencesSchema, 'Preferences, with goals the course no longer has dropped'),
        ...problemResponses(401, 404, 429),
      },
    }),
    async (c) => {
      const learner = await reconciledLearner(c.var.deps, c.var.learnerId);
      if (!learner.preferences) throw new AppError('not_found', 'No preferences yet: answer the onboarding questions first');
      return c.json(learner.preferences, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'put',
      path: '/me/preferences',
      tags: ['Learners'],
      summary: "Replace the calling learner's preferences (each change is kept in the history)",
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      request: { body: { required: true, content: { 'application/json': { schema: PreferencesSchema } } } },
      responses: { 200: json(PreferencesSchema, 'The stored preferences'), ...problemResponses(400, 401, 429) },
    }),
    async (c) => {
      const preferences = c.req.valid('json');
      const parts = await catalogParts(c.var.deps);
      const errors = parts.length > 0 ? unknownGoals(parts, preferences.goals) : [];
      if (errors.length > 0) throw new AppError('validation_failed', `${errors.length} field(s) failed validation`, { errors });
      const learner = await currentLearner(c.var.deps, c.var.learnerId);
      const source = learner.onboarded ? 'profile' : 'onboarding';
      await savePreferences(c.var.deps, learner.learnerId, { preferences, source }, new Date().toISOString());
      return c.json(preferences, 200);
    },
  );
