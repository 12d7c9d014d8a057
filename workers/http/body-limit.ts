import { createMiddleware } from 'hono/factory';
import { bodyLimit } from 'hono/body-limit';
import { MAX_SOURCE_BYTES } from '../features/sources/sources.schemas';
import type { AppEnv } from './app-env';
import { AppError, bodyPart } from './problem';

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
      onError: (c) => {
        const megabytes = Math.round(bytes / MB);
        throw new AppError('payload_too_large', `The request body is larger than ${megabytes} MB`, {
          errors: [{ field: bodyPart(c.req.header('content-type') ?? ''), message: `is over ${megabytes} MB` }],
        });
      },
    });
    limits.set(bytes, limit);
  }
  return limit;
}

/**
 * A URL or header block past these is refused by the Worker itself, as problem+json,
 * below the limits where the platform in front answers with plain text (Cloudflare:
 * 16 KB of URL, 32 KB of headers; `wrangler dev` 16 KB for both together). No route needs more.
 */
export const MAX_URL_BYTES = 4 * 1024;
export const MAX_HEADER_BYTES = 8 * 1024;

/**
 * Refuses a body over its path's limit with 413 problem+json, before the body is read:
 * from Content-Length when sent, else while it streams in. First, a URL over
 * MAX_URL_BYTES is 414 and headers over MAX_HEADER_BYTES are 431.
 */
export const requestBodyLimit = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.url.length > MAX_URL_BYTES) {
    throw new AppError('uri_too_long', `The URL is longer than ${MAX_URL_BYTES} bytes`);
  }
  let headerBytes = 0;
  c.req.raw.headers.forEach((value, name) => (headerBytes += name.length + value.length + 4));
  if (headerBytes > MAX_HEADER_BYTES) {
    throw new AppError('headers_too_large', `The request headers are larger than ${MAX_HEADER_BYTES / 1024} KB`);
  }
  const larger = LARGER.find(([prefix]) => c.req.path.startsWith(prefix));
  const bytes = larger ? larger[1] : MAX_JSON_BYTES;
  if (bytes === null || c.req.method === 'GET' || c.req.method === 'HEAD') return next();
  return limitOf(bytes)(c, next);
});
