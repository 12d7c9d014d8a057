import { createMiddleware } from 'hono/factory';
import { bodyLimit } from 'hono/body-limit';
import { MAX_SOURCE_BYTES } from '../features/sources/sources.schemas';
import type { AppEnv } from './app-env';
import { AppError } from './problem';

const MB = 1024 * 1024;
/** Any JSON body: far above the largest real request (100 events, a profile, a search). */
export const MAX_JSON_BYTES = 1 * MB;

/** Bodies that are larger by design, by path prefix; `null`: the route checks its own cap (blob uploads). */
const LARGER: [string, number | null][] = [
  ['/api/admin/content/blobs/', null],
  // A course manifest of up to 2,000 lessons.
  ['/api/admin/content/', 16 * MB],
  ['/api/admin/sources', MAX_SOURCE_BYTES + MB],
];

const limits = new Map<number, ReturnType<typeof bodyLimit>>();
function limitOf(bytes: number) {
  let limit = limits.get(bytes);
  if (!limit) {
    limit = bodyLimit({
      maxSize: bytes,
      onError: () => {
        throw new AppError('payload_too_large', `The request body is larger than ${Math.round(bytes / MB)} MB`);
      },
    });
    limits.set(bytes, limit);
  }
  return limit;
}

/**
 * Refuses a body over its path's limit with 413 problem+json, before the body is read:
 * from Content-Length when sent, else while it streams in.
 */
export const requestBodyLimit = createMiddleware<AppEnv>(async (c, next) => {
  const larger = LARGER.find(([prefix]) => c.req.path.startsWith(prefix));
  const bytes = larger ? larger[1] : MAX_JSON_BYTES;
  if (bytes === null || c.req.method === 'GET' || c.req.method === 'HEAD') return next();
  return limitOf(bytes)(c, next);
});
