import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Deps } from '../../deps';
import type { AppEnv } from '../../http/app-env';
import { AUTHOR_SECURITY, requireAuthor } from '../../http/author-auth';
import { AppError, problemResponses } from '../../http/problem';
import { validationHook } from '../../http/validation';
import { sha256Hex } from '../../platform/sha256';
import { describeError } from '../../platform/logger';
import { storeLlmsFull } from './llms';
import { refreshBook } from './content.cache';
import { requeuePending } from './content.jobs';
import { checkManifest, lessonMetaHash, manifestHash, planChanges, quizItemId } from './content.domain';
import {
  ALLOWED_CONTENT_TYPES,
  BlobUploadResponseSchema,
  CommitResponseSchema,
  CourseParamSchema,
  CourseRemovalSchema,
  HashParamSchema,
  ManifestSchema,
  MAX_BLOB_BYTES,
  PlanResponseSchema,
  RemoveCourseQuerySchema,
  type Manifest,
} from './content.schemas';

const LOST_JOB_GRACE_MS = 30_000;

const manifestBody = { content: { 'application/json': { schema: ManifestSchema } }, required: true };

/**
 * Checks a manifest against itself and the server, and works out what a commit would do.
 * A push adds or updates the course its slug names; pruning removes only that course's
 * lessons. Lesson slugs and quiz ids are catalog-wide (learner state and links address
 * lessons by slug), so one another course holds is a problem naming that course.
 */
async function preparePush(deps: Deps, manifest: Manifest) {
  const errors = checkManifest(manifest);
  if (errors.length > 0) throw new AppError('invalid_manifest', `${errors.length} problem(s) in the manifest`, { errors });
  const courseId = manifest.course.slug;
  const quizIds = manifest.lessons.flatMap((l) => l.quiz.map((q, i) => ({ lesson: l, id: quizItemId(l.slug, q.id, i), n: i })));
  const [current, stored, held] = await Promise.all([
    deps.content.course(courseId),
    deps.content.fingerprints(courseId),
    deps.content.heldElsewhere(
      courseId,
      manifest.lessons.map((l) => l.slug),
      quizIds.map((q) => q.id),
    ),
  ]);
  if (held.length > 0) {
    const lessonIndex = new Map(manifest.lessons.map((l, i) => [l.slug, i]));
    const quizIndex = new Map(quizIds.map((q) => [q.id, q]));
    throw new AppError('invalid_manifest', `${held.length} id(s) already belong to another course of the catalog`, {
      errors: held.map((h) => {
        if (h.kind === 'lesson') {
          return {
            field: `json/lessons/${lessonIndex.get(h.id) ?? 0}/slug`,
            message: `"${h.id}" is a lesson of the course "${h.courseId}"; lesson slugs are unique across the catalog (rename it, or push with --prefix-slugs)`,
          };
        }
        const q = quizIndex.get(h.id);
        return {
          field: `json/lessons/${q ? (lessonIndex.get(q.lesson.slug) ?? 0) : 0}/quiz/${q?.n ?? 0}/id`,
          message: `"${h.id}" is a quiz item of the course "${h.courseId}"; quiz ids are unique across the catalog`,
        };
      }),
    });
  }
  const metaHashes = new Map(await Promise.all(manifest.lessons.map(async (l) => [l.slug, await lessonMetaHash(l)] as const)));
  const summary = planChanges(
    stored,
    manifest.lessons.map((l) => ({ slug: l.slug, contentHash: l.contentHash, metaHash: metaHashes.get(l.slug) ?? '' })),
    manifest.prune,
  );
  const known = await deps.content.knownBlobs(manifest.blobs.map((b) => b.hash));
  const missing = [...new Set(manifest.blobs.map((b) => b.hash))].filter((h) => !known.has(h));
  return { current, metaHashes, summary, missing, hash: await manifestHash(manifest) };
}

export const contentAdminRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
contentAdminRoutes.use('*', requireAuthor('content:write'));

contentAdminRoutes
  .openapi(
    createRoute({
      method: 'post',
      path: '/plan',
      tags: ['Authoring'],
      summary: 'Step 1 of a push: send the manifest, learn which blobs to upload and what will change',
      security: AUTHOR_SECURITY,
      request: { body: manifestBody },
      responses: {
        200: { description: 'The plan', content: { 'application/json': { schema: PlanResponseSchema } } },
        ...problemResponses(400, 401, 403, 422, 429),
      },
    }),
    async (c) => {
      const { deps } = c.var;
      const { summary, missing, current } = await preparePush(deps, c.req.valid('json'));
      const learnersWithProgress = await deps.content.learnersWithProgress(summary.removed);
      return c.json({ missing, summary, version: current?.version ?? 0, learnersWithProgress }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'put',
      path: '/blobs/{hash}',
      tags: ['Authoring'],
      summary: 'Step 2: upload one blob (lesson body or linked file); its SHA-256 must equal the path',
      security: AUTHOR_SECURITY,
      request: {
        params: HashParamSchema,
        headers: z.object({ 'content-type': z.string().openapi({ example: 'text/markdown' }) }),
        body: { content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } } },
      },
      responses: {
        200: { description: 'Already stored', content: { 'application/json': { schema: BlobUploadResponseSchema } } },
        201: { description: 'Stored', content: { 'application/json': { schema: BlobUploadResponseSchema } } },
        ...problemResponses(400, 401, 403, 413, 415, 422, 429),
      },
    }),
    async (c) => {
      const { hash } = c.req.valid('param');
      const contentType = (c.req.valid('header')['content-type'].split(';')[0] ?? '').trim().toLowerCase();
      const allowed = ALLOWED_CONTENT_TYPES.find((t) => t === contentType);
      if (!allowed) {
        throw new AppError('unsupported_media_type', `Content-Type "${contentType}" is not accepted`, {
          errors: [{ field: 'header/content-type', message: `must be one of ${ALLOWED_CONTENT_TYPES.join(', ')}` }],
        });
      }
      const declared = Number(c.req.header('content-length') ?? '0');
      if (declared > MAX_BLOB_BYTES) throw tooLarge();
      const bytes = await c.req.arrayBuffer();
      if (bytes.byteLength > MAX_BLOB_BYTES) throw tooLarge();
      const actual = await sha256Hex(bytes);
      if (actual !== hash) {
        throw new AppError('hash_mismatch', `The body hashes to ${actual}`, {
          errors: [{ field: 'param/hash', message: 'does not match the SHA-256 of the body' }],
        });
      }
      const { deps } = c.var;
      if ((await deps.content.knownBlobs([hash])).has(hash)) return c.json({ hash, size: bytes.byteLength, created: false }, 200);
      await deps.blobs.put(hash, bytes, allowed);
      const created = await deps.content.recordBlob(
        { hash, size: bytes.byteLength, contentType: allowed },
        new Date().toISOString(),
      );
      return c.json({ hash, size: bytes.byteLength, created }, created ? 201 : 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/commit',
      tags: ['Authoring'],
      summary: 'Step 3: apply the manifest in one batch, refresh the book and queue ingestion of what changed',
      security: AUTHOR_SECURITY,
      request: { body: manifestBody },
      responses: {
        200: { description: 'Applied', content: { 'application/json': { schema: CommitResponseSchema } } },
        ...problemResponses(400, 401, 403, 409, 422, 429),
      },
    }),
    async (c) => {
      const { deps, requestId } = c.var;
      const manifest = c.req.valid('json');
      const plan = await preparePush(deps, manifest);
      const serving = plan.current?.version ?? 0;
      if (manifest.baseVersion !== undefined && manifest.baseVersion !== serving) throw stalePush(manifest.baseVersion, serving);
      if (plan.missing.length > 0) {
        throw new AppError('missing_blobs', `${plan.missing.length} blob(s) must be uploaded before commit`, {
          errors: plan.missing.map((hash) => ({ field: 'json/blobs', message: `missing ${hash}` })),
        });
      }
      const identical = plan.current?.manifestHash === plan.hash && plan.summary.removed.length === 0;
      if (identical && plan.current) {
        // Nothing to write, but repair what an earlier commit may have left half-done
        // (its book refresh or queue send failed after the batch): cheap and idempotent.
        await refreshBook(deps, manifest.course.slug);
        // Lessons pending for a while lost their job; fresh ones still have theirs in flight.
        const enqueued = await requeuePending(deps, new Date(), LOST_JOB_GRACE_MS, requestId);
        return c.json({ version: plan.current.version, summary: plan.summary, enqueued }, 200);
      }

      const version = await deps.content.apply({
        manifest,
        summary: plan.summary,
        metaHashes: plan.metaHashes,
        manifestHash: plan.hash,
        baseVersion: plan.current?.version ?? 0,
        now: new Date().toISOString(),
      });
      if (version === null) {
        throw new AppError(
          'conflict',
          'Another push changed the course while this one was being applied; nothing was written. Push again.',
        );
      }
      const book = await refreshBook(deps, manifest.course.slug);
      // The full text for language models is built now, after the response, not by its first reader.
      if (book) {
        const origin = new URL(c.req.url).origin;
        c.executionCtx.waitUntil(
          storeLlmsFull(deps, book, origin).catch((error: unknown) =>
            deps.logger.log('warn', 'content.llms_build_failed', describeError(error)),
          ),
        );
      }
      const touched = new Set([...plan.summary.added, ...plan.summary.changed]);
      const jobs = manifest.lessons
        .filter((l) => touched.has(l.slug))
        .map((l) => ({ type: 'lesson.ingest' as const, lessonSlug: l.slug, contentHash: l.contentHash, requestId }));
      // The batch above is committed; if sending fails, the cron sweep re-queues pending lessons.
      await deps.ingestQueue.sendAll(jobs);
      deps.logger.log('info', 'content.committed', {
        version,
        added: plan.summary.added.length,
        changed: plan.summary.changed.length,
        removed: plan.summary.removed.length,
      });
      return c.json({ version, summary: plan.summary, enqueued: jobs.length }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/courses/{course}',
      tags: ['Authoring'],
      summary: 'What removing a course would remove: its lessons, and how many learners have progress in it',
      security: AUTHOR_SECURITY,
      request: { params: CourseParamSchema },
      responses: {
        200: { description: 'The course', content: { 'application/json': { schema: CourseRemovalSchema } } },
        ...problemResponses(400, 401, 403, 404, 429),
      },
    }),
    async (c) => {
      const { course } = c.req.valid('param');
      return c.json({ ...(await summaryOf(c.get('deps'), course)), removed: false }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/courses/{course}',
      tags: ['Authoring'],
      summary: 'Remove a course from the catalog with all its content; `confirm` must repeat its slug',
      description:
        "Lessons, quiz items, search chunks (and their vectors), parts, chapters, versions and the course's practice library go; learners' own records of it stay theirs (exported and erased with the rest of their data).",
      security: AUTHOR_SECURITY,
      request: { params: CourseParamSchema, query: RemoveCourseQuerySchema },
      responses: {
        200: { description: 'Removed', content: { 'application/json': { schema: CourseRemovalSchema } } },
        ...problemResponses(400, 401, 403, 404, 429),
      },
    }),
    async (c) => {
      const { deps } = c.var;
      const { course } = c.req.valid('param');
      const { confirm } = c.req.valid('query');
      if (confirm !== course) {
        throw new AppError('validation_failed', 'Confirm the removal by repeating the course slug', {
          errors: [{ field: 'query/confirm', message: `must be "${course}" to remove that course` }],
        });
      }
      const summary = await summaryOf(deps, course);
      // A concurrent removal may win: then this one removed nothing.
      if (!(await deps.content.removeCourse(course))) throw new AppError('not_found', `No course "${course}"`);
      await refreshBook(deps, course);
      deps.logger.log('info', 'content.course_removed', { course, lessons: summary.lessons });
      return c.json({ ...summary, removed: true }, 200);
    },
  );

async function summaryOf(deps: Deps, course: string) {
  const summary = await deps.content.courseSummary(course);
  if (!summary) throw new AppError('not_found', `No course "${course}"`);
  return summary;
}

/** Another push moved the course after this one was planned: committing would silently undo it. */
export function stalePush(baseVersion: number, serving: number) {
  return new AppError(
    'stale_push',
    `The course is at version ${serving}, but this push was planned against version ${baseVersion}: another push changed it since. Pull the latest course, then push again.`,
    { errors: [{ field: 'json/baseVersion', message: `is ${baseVersion}; the course is at version ${serving}` }] },
  );
}

function tooLarge() {
  return new AppError('payload_too_large', `A blob may be at most ${MAX_BLOB_BYTES} bytes`);
}
