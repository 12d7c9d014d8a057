import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { TypedResponse } from 'hono';
import type { JSONParsed } from 'hono/utils/types';
import type { AppEnv } from '../../http/app-env';
import { currentLearner, LEARNER_SECURITY, noteSession, ofLearner, requireLearner } from '../../http/learner-auth';
import { problemResponses } from '../../http/problem';
import { byLearner, rateLimit } from '../../http/rate-limit';
import { validationHook } from '../../http/validation';
import { describeError } from '../../platform/logger';
import { ConsentInputSchema, ConsentSchema } from '../learners/learners.schemas';
import { personalizationPrefix } from '../personalize/personalize.domain';
import { forgetRecommendations } from '../recommendations/recommend.cache';
import { LearnerExportSchema, type LearnerExport } from './privacy.schemas';

const limit = rateLimit({ limit: 'privacy', key: byLearner });

/** Rows per call to the learner's object while an export streams. */
const EXPORT_PAGE_ROWS = 500;

const encoder = new TextEncoder();

export const privacyRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'get',
      path: '/export',
      tags: ['Learners'],
      summary: 'Everything the platform holds about the calling learner, as one JSON document, streamed',
      description:
        "The learner's own store table by table (a page of rows at a time, so the size of a learner's history is no limit), then their rows in shared tables.",
      security: LEARNER_SECURITY,
      middleware: [requireLearner, limit] as const,
      responses: {
        200: { description: 'The export', content: { 'application/json': { schema: LearnerExportSchema } } },
        ...problemResponses(401, 429),
      },
    }),
    async (c) => {
      const { deps, learnerId } = c.var;
      const object = deps.learner(learnerId);
      // Checked before the first byte: once the stream starts, the status is 200.
      const [tables, shared] = await Promise.all([object.exportTables(learnerId), deps.privacy.export(learnerId)]);
      const learnerTables = ofLearner(tables);
      const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
      const writer = writable.getWriter();
      const write = (text: string) => writer.write(encoder.encode(text));
      const body = async () => {
        await write(
          `{"learnerId":${JSON.stringify(learnerId)},"exportedAt":${JSON.stringify(new Date().toISOString())},"learner":{`,
        );
        for (const [i, table] of learnerTables.entries()) {
          await write(`${i > 0 ? ',' : ''}${JSON.stringify(table)}:[`);
          let first = true;
          for (let after: number | null = 0; after !== null;) {
            const page = await object.exportPage(learnerId, table, after, EXPORT_PAGE_ROWS);
            if (!page) break;
            for (const row of page.rows) {
              await write(`${first ? '' : ','}${JSON.stringify(row)}`);
              first = false;
            }
            after = page.next;
          }
          await write(']');
        }
        await write(`},"shared":${JSON.stringify(shared)}}`);
        await writer.close();
      };
      c.executionCtx.waitUntil(
        body().catch(async (error: unknown) => {
          // The status is sent: a cut-off document (invalid JSON) is how the client learns it failed.
          deps.logger.log('error', 'privacy.export_failed', describeError(error));
          await writer.abort(error);
        }),
      );
      const response = c.body(readable, 200, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Disposition': 'attachment; filename="learnedge-export.json"',
        'Cache-Control': 'no-store',
      });
      // The document the schema describes, written piece by piece rather than by c.json.
      return response as unknown as TypedResponse<JSONParsed<LearnerExport>, 200, 'json'>;
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/consent',
      tags: ['Learners'],
      summary: "The calling learner's consent: a language model adapting their lessons; their data in analytics and experiments",
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      responses: {
        200: { description: 'The consent', content: { 'application/json': { schema: ConsentSchema } } },
        ...problemResponses(401, 429),
      },
    }),
    async (c) => c.json((await currentLearner(c.get('deps'), c.get('learnerId'))).consent, 200),
  )
  .openapi(
    createRoute({
      method: 'put',
      path: '/consent',
      tags: ['Learners'],
      summary: "Set the calling learner's consent; both choices are required and take effect at once",
      description:
        "model: false serves every lesson through the offline engine. analytics: false keeps the learner's activity out of shared statistics, analytics and experiments from now on (what waits to be shared is dropped).",
      security: LEARNER_SECURITY,
      middleware: [requireLearner, limit] as const,
      request: { body: { required: true, content: { 'application/json': { schema: ConsentInputSchema } } } },
      responses: {
        200: { description: 'The stored consent', content: { 'application/json': { schema: ConsentSchema } } },
        ...problemResponses(400, 401, 429),
      },
    }),
    async (c) => {
      const { deps, learnerId } = c.var;
      const consent = ofLearner(
        await deps.learner(learnerId).setConsent(learnerId, c.req.valid('json'), new Date().toISOString()),
      );
      deps.logger.log('info', 'learner.consent_changed', { model: consent.model, analytics: consent.analytics });
      return c.json(consent, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/',
      tags: ['Learners'],
      summary:
        'Erase the calling learner: their object, their rows in shared tables, their cached rankings and the personalized lessons no one else uses; every token of theirs stops working',
      security: LEARNER_SECURITY,
      middleware: [requireLearner, limit] as const,
      responses: { 204: { description: 'Erased' }, ...problemResponses(401, 429) },
    }),
    async (c) => {
      const { deps, learnerId } = c.var;
      const object = deps.learner(learnerId);
      const hashes = ofLearner(await object.preferenceHashes(learnerId));
      ofLearner((await object.erase(learnerId)) || null);
      noteSession(learnerId, null);
      // The object first: it sends nothing more. Then what the queue may still carry is dropped by the tombstone.
      const unused = await deps.privacy.erase(learnerId, new Date().toISOString(), hashes);
      await Promise.all(unused.map((hash) => deps.cache.deletePrefix(`${personalizationPrefix(hash)}:`)));
      await forgetRecommendations(deps, learnerId);
      deps.logger.log('info', 'learner.erased', { personalizedProfilesDropped: unused.length });
      return c.body(null, 204);
    },
  );
