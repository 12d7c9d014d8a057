import { createMiddleware } from 'hono/factory';
import type { AppEnv } from './app-env';

/**
 * The CSP of an API response whose route set none: JSON and problem documents load
 * nothing, so a response opened as a page (or sniffed as one) can run nothing either.
 */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/** Browser features no page of this origin uses; the site's `_headers` sends the same list. */
export const PERMISSIONS_POLICY =
  'accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=()';

/**
 * Headers every API response carries: no MIME sniffing, no referrer, not framed, a CSP
 * (a route that serves a page or a file sets its own), no powerful browser features. A
 * response that carried credentials (a learner token or an author key) is the caller's
 * own and is not stored by any cache, unless its route chose a caching policy itself.
 * Static assets get theirs from site/public/_headers.
 */
export const securityHeaders = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  const headers = c.res.headers;
  headers.set('X-Content-Type-Options', 'nosniff');
  headers.set('Referrer-Policy', 'no-referrer');
  headers.set('X-Frame-Options', 'DENY');
  headers.set('Permissions-Policy', PERMISSIONS_POLICY);
  if (!headers.has('Content-Security-Policy')) headers.set('Content-Security-Policy', API_CSP);
  if (c.req.header('authorization') && !headers.has('Cache-Control')) headers.set('Cache-Control', 'no-store');
});
