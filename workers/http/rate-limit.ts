import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { Deps } from '../deps';
import type { AppEnv } from './app-env';
import { AppError } from './problem';

type LimitName = keyof Deps['limits'];
export type LimitCheck = { limit: LimitName; key: (c: Context<AppEnv>) => string };

/**
 * Rejects with 429 problem+json and `Retry-After` when any of the named limits is
 * spent for this request's key (the client IP, or the authenticated learner).
 * All limits are asked at once: each is a round trip to the limiter.
 */
export async function checkLimits(c: Context<AppEnv>, checks: readonly LimitCheck[]): Promise<void> {
  const asked = checks.map((check) => ({ limiter: c.get('deps').limits[check.limit], key: check.key(c) }));
  const allowed = await Promise.all(asked.map(({ limiter, key }) => limiter.allow(key)));
  const spent = asked.find((_, i) => !allowed[i])?.limiter;
  if (spent) throw rateLimited(spent.periodSeconds);
}

/** The 429 of a spent limit, with when to try again. */
export function rateLimited(periodSeconds: number): AppError {
  return new AppError('rate_limited', 'Too many requests; wait a moment and try again', {
    headers: { 'Retry-After': String(periodSeconds) },
  });
}

/** The same as middleware, for routes with nothing to overlap the check with. */
export function rateLimit(...checks: LimitCheck[]) {
  return createMiddleware<AppEnv>(async (c, next) => {
    await checkLimits(c, checks);
    await next();
  });
}

/** The caller's IP as Cloudflare reports it; requests without one share a key. */
export function byIp(c: Context<AppEnv>): string {
  return `ip:${c.req.header('cf-connecting-ip') ?? 'unknown'}`;
}

export function byLearner(c: Context<AppEnv>): string {
  return `learner:${c.get('learnerId')}`;
}

/** The calling author key (after `requireAuthor`). */
export function byAuthor(c: Context<AppEnv>): string {
  return `author:${c.get('author').id}`;
}

/** Unauthenticated reads that cost more than a cached page (search, concepts, source files), per client address. */
export const publicReadLimit = rateLimit({ limit: 'publicIp', key: byIp });
