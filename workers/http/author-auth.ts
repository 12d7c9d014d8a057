import { createMiddleware } from 'hono/factory';
import { hasScope, looksLikeAuthorKey, type Scope } from '../features/keys/keys.domain';
import { sha256Hex } from '../platform/sha256';
import type { AppEnv } from './app-env';
import { AppError } from './problem';
import { byAuthor, checkLimits } from './rate-limit';

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="learnedge-authors"' };

/** Requires `Authorization: Bearer <author key>` carrying the given scope. */
export function requireAuthor(scope: Scope) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1])
      throw new AppError('unauthorized', 'Send an author key as "Authorization: Bearer <key>"', { headers: CHALLENGE });
    const key = match[1];
    const record = looksLikeAuthorKey(key) ? await c.get('deps').keys.findByHash(await sha256Hex(key)) : null;
    if (!record || record.revoked)
      throw new AppError('unauthorized', 'The author key is unknown or revoked', { headers: CHALLENGE });
    if (!hasScope(record.scopes, scope)) throw new AppError('forbidden', `The author key lacks the "${scope}" scope`);
    c.set('author', record);
    await checkLimits(c, [{ limit: 'author', key: byAuthor }]);
    // Runs beside the handler and is awaited before the answer: no write outlives the request.
    const touched = c
      .get('deps')
      .keys.touch(record.id, new Date())
      .catch((error: unknown) => {
        c.get('logger').log('warn', 'author_key.touch_failed', { keyId: record.id, error: String(error) });
      });
    try {
      await next();
    } finally {
      await touched;
    }
  });
}

/**
 * Requires one more scope of the author `requireAuthor` already let in (for an
 * operation inside a router whose other routes need less): 403 without it.
 */
export function requireScope(scope: Scope) {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (!hasScope(c.get('author').scopes, scope)) throw new AppError('forbidden', `The author key lacks the "${scope}" scope`);
    await next();
  });
}

export const AUTHOR_SECURITY = [{ AuthorKey: [] as string[] }];
