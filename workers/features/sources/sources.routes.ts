import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../http/app-env';
import { AUTHOR_SECURITY, requireAuthor, requireScope } from '../../http/author-auth';
import { AppError, problemResponses } from '../../http/problem';
import { validationHook } from '../../http/validation';
import { publicReadLimit } from '../../http/rate-limit';
import { base32Id, sourceFileUrl } from './sources.domain';
import { MEDIA_TYPES, sourceTypeOf } from './sources.extract';
import {
  MAX_SOURCE_BYTES,
  MULTIPART_OVERHEAD_BYTES,
  SourceParamSchema,
  SourceSchema,
  SourceUploadSchema,
} from './sources.schemas';
import type { SourceWithCounts } from './sources.store';
import { describeError } from '../../platform/logger';
import { sha256Hex } from '../../platform/sha256';
import { ingestJobs } from '../../queues/messages';

const present = (source: SourceWithCounts) => ({ ...source, fileUrl: sourceFileUrl(source.id) });

function tooLarge(): AppError {
  return new AppError('payload_too_large', `A source may be at most ${MAX_SOURCE_BYTES} bytes`, {
    errors: [{ field: 'form/file', message: `must be at most ${MAX_SOURCE_BYTES / (1024 * 1024)} MB` }],
  });
}

/**
 * Runs before the body is parsed: a request that is not multipart gets 415 and one
 * whose declared length is over the limit 413, without reading it.
 */
const uploadPreconditions: MiddlewareHandler<AppEnv> = async (c, next) => {
  const contentType = c.req.header('content-type') ?? '';
  const refuse = async (error: AppError) => {
    // The unread body is cancelled, so the client's upload ends with the answer.
    await c.req.raw.body?.cancel();
    return error;
  };
  if (!/^multipart\/form-data\s*;/i.test(contentType)) {
    throw await refuse(
      new AppError('unsupported_media_type', 'Upload a source as multipart/form-data', {
        errors: [{ field: 'header/content-type', message: 'must be multipart/form-data with a boundary' }],
      }),
    );
  }
  if (Number(c.req.header('content-length') ?? '0') > MAX_SOURCE_BYTES + MULTIPART_OVERHEAD_BYTES) throw await refuse(tooLarge());
  await next();
};

export const sourceAdminRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
sourceAdminRoutes.use('*', requireAuthor('content:write'));

sourceAdminRoutes
  .openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags: ['Authoring'],
      summary: 'Add a knowledge source (PDF, DOCX, TXT or Markdown); it is extracted, chunked and embedded in the background',
      security: AUTHOR_SECURITY,
      middleware: [uploadPreconditions] as const,
      request: { body: { required: true, content: { 'multipart/form-data': { schema: SourceUploadSchema } } } },
      responses: {
        200: { description: 'These bytes were already a source', content: { 'application/json': { schema: SourceSchema } } },
        201: { description: 'Stored and queued for ingestion', content: { 'application/json': { schema: SourceSchema } } },
        ...problemResponses(400, 401, 403, 413, 415, 429),
      },
    }),
    async (c) => {
      const { file, title } = c.req.valid('form');
      const sourceType = sourceTypeOf(file.name, file.type);
      if (!sourceType) {
        throw new AppError('unsupported_media_type', `"${file.name}" is not a PDF, DOCX, TXT or Markdown file`, {
          errors: [{ field: 'form/file', message: 'must be .pdf, .docx, .txt or .md' }],
        });
      }
      if (file.size > MAX_SOURCE_BYTES) throw tooLarge();
      if (file.size === 0) {
        throw new AppError('validation_failed', 'The file is empty', {
          errors: [{ field: 'form/file', message: 'must not be empty' }],
        });
      }
      const { deps } = c.var;
      const bytes = await file.arrayBuffer();
      const contentHash = await sha256Hex(bytes);
      const mediaType = MEDIA_TYPES[sourceType];
      await deps.blobs.put(contentHash, bytes, mediaType);
      const now = new Date().toISOString();
      const { source, created } = await deps.sources.create(
        {
          id: `src_${base32Id(crypto.getRandomValues(new Uint8Array(10)))}`,
          title: title ?? defaultTitle(file.name),
          filename: file.name.slice(0, 255) || 'upload',
          mediaType,
          sourceType,
          byteSize: bytes.byteLength,
          contentHash,
        },
        now,
      );
      if (created) {
        await deps.ingestQueue.sendAll(ingestJobs([{ kind: 'source', id: source.id, contentHash }], c.get('requestId')));
        deps.logger.log('info', 'sources.added', { source: source.id, type: sourceType, bytes: bytes.byteLength });
      }
      const stored = await deps.sources.get(source.id);
      if (!stored) throw new AppError('conflict', 'The source was deleted while it was being added');
      c.header('Location', `/api/admin/sources/${source.id}`);
      return c.json(present(stored), created ? 201 : 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['Authoring'],
      summary: 'Every knowledge source with its ingest state and chunk count, newest first',
      security: AUTHOR_SECURITY,
      responses: {
        200: {
          description: 'Sources',
          content: { 'application/json': { schema: z.object({ sources: z.array(SourceSchema) }) } },
        },
        ...problemResponses(401, 403, 429),
      },
    }),
    async (c) => c.json({ sources: (await c.get('deps').sources.list()).map(present) }, 200),
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      tags: ['Authoring'],
      summary: 'One knowledge source',
      security: AUTHOR_SECURITY,
      request: { params: SourceParamSchema },
      responses: {
        200: { description: 'The source', content: { 'application/json': { schema: SourceSchema } } },
        ...problemResponses(400, 401, 403, 404, 429),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const source = await c.get('deps').sources.get(id);
      if (!source) throw new AppError('not_found', `No source ${id}`);
      return c.json(present(source), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/{id}',
      middleware: [requireScope('admin')] as const,
      tags: ['Authoring'],
      summary: 'Delete a knowledge source with its file, chunks, vectors and concept links',
      security: AUTHOR_SECURITY,
      request: { params: SourceParamSchema },
      responses: { 204: { description: 'Deleted' }, ...problemResponses(400, 401, 403, 404, 429) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { deps } = c.var;
      const removed = await deps.sources.delete(id);
      if (!removed) throw new AppError('not_found', `No source ${id}`);
      if (!(await deps.sources.blobShared(removed.contentHash))) await deps.blobs.delete([removed.contentHash]);
      // The delete stands either way; vectors left behind are removed by the next sync or the cron.
      const vectors = await deps.vectorIndex.syncDeletions().catch((error: unknown) => {
        deps.logger.log('warn', 'search.sync_deletions_failed', describeError(error));
        return 0;
      });
      deps.logger.log('info', 'sources.deleted', { source: id, vectors });
      return c.body(null, 204);
    },
  );

/** The original file of a source, for learners following a search result. */
export const sourceRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(
  createRoute({
    method: 'get',
    path: '/{id}/file',
    tags: ['Content'],
    summary: "A knowledge source's original file (PDF links may add #page=N)",
    middleware: [publicReadLimit] as const,
    request: { params: SourceParamSchema },
    responses: {
      200: {
        description: 'The file',
        content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } },
      },
      ...problemResponses(400, 404, 429),
    },
  }),
  async (c) => {
    const { id } = c.req.valid('param');
    const { deps } = c.var;
    const source = await deps.sources.get(id);
    const blob = source ? await deps.blobs.get(source.contentHash) : null;
    if (!source || !blob) throw new AppError('not_found', `No source ${id}`);
    return c.body(blob.body, 200, {
      'Content-Type': source.mediaType,
      'Content-Length': String(blob.size),
      'Content-Disposition': `inline; filename*=UTF-8''${encodeURIComponent(source.filename)}`,
      // Short: a deleted source should stop being served soon.
      'Cache-Control': 'public, max-age=60',
      'X-Content-Type-Options': 'nosniff',
    });
  },
);

function defaultTitle(filename: string): string {
  const base = filename
    .replace(/\.[a-z0-9]+$/i, '')
    .replace(/[_-]+/g, ' ')
    .trim();
  return (base || 'Untitled source').slice(0, 200);
}
