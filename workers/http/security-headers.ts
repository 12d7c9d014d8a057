import { createMiddleware } from 'hono/factory';
import type { AppEnv } from './app-env';

/**
 * Headers every API response carries: no MIME sniffing, no referrer, not framed. A
 * response that carried credentials (a learner token or an author key) is the caller's
 * own and is not stored by any cache, unless its route chose a caching policy itself.
 */
export const securityHeaders = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  const headers = c.res.headers;
  headers.set('X-Content-Type-Options', 'nosniff');
  headers.set('Referrer-Policy', 'no-referrer');
  headers.set('X-Frame-Options', 'DENY');
  if (c.req.header('authorization') && !headers.has('Cache-Control')) headers.set('Cache-Control', 'no-store');
});
