import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/app-env';
import { LEARNER_SECURITY, noteSession, ofLearner, requireLearner } from '../../http/learner-auth';
import { problemResponses } from '../../http/problem';
import { byLearner, rateLimit } from '../../http/rate-limit';
import { validationHook } from '../../http/validation';
import { forgetRecommendations } from '../recommendations/recommend.cache';
import { LearnerExportSchema } from './privacy.schemas';

const limit = rateLimit({ limit: 'privacy', key: byLearner });

export const privacyRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'get',
      path: '/export',
      tags: ['Learners'],
      summary: 'Everything the platform holds about the calling learner, as one JSON document',
      security: LEARNER_SECURITY,
      middleware: [requireLearner, limit] as const,
      responses: {
        200: { description: 'The export', content: { 'application/json': { schema: LearnerExportSchema } } },
        ...problemResponses(401, 429),
      },
    }),
    async (c) => {
      const { deps, learnerId } = c.var;
      const [learner, shared] = await Promise.all([deps.learner(learnerId).exportAll(learnerId), deps.privacy.export(learnerId)]);
      const document = { learnerId, exportedAt: new Date().toISOString(), learner: ofLearner(learner), shared };
      c.header('Content-Disposition', 'attachment; filename="learnedge-export.json"');
      c.header('Cache-Control', 'no-store');
      return c.json(document, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/',
      tags: ['Learners'],
      summary:
        'Erase the calling learner: their object, their rows in shared tables and their cached rankings; every token of theirs stops working',
      security: LEARNER_SECURITY,
      middleware: [requireLearner, limit] as const,
      responses: { 204: { description: 'Erased' }, ...problemResponses(401, 429) },
    }),
    async (c) => {
      const { deps, learnerId } = c.var;
      ofLearner((await deps.learner(learnerId).erase(learnerId)) || null);
      noteSession(learnerId, null);
      // The object first: it sends nothing more. Then what the queue may still carry is dropped by the tombstone.
      await deps.privacy.erase(learnerId, new Date().toISOString());
      await forgetRecommendations(deps, learnerId);
      deps.logger.log('info', 'learner.erased');
      return c.body(null, 204);
    },
  );
