import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { Deps } from '../deps';
import type { LearnerRecord } from '../features/learners/learner.store';
import { verifyLearnerToken, type TokenClaims } from '../features/learners/learners.token';
import type { AppEnv } from './app-env';
import { AppError } from './problem';
import { byIp, byLearner, checkLimits, type LimitCheck } from './rate-limit';

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="learnedge-learners"' };
const REASONS = {
  malformed: 'The learner token is malformed',
  bad_signature: 'The learner token was not issued by this server',
  expired: 'The learner token has expired; create a new learner or refresh the token before it ends',
  bad_lifetime: 'The learner token claims a lifetime this server never issues',
  signed_out: 'The learner token was signed out (refreshed since, or signed out everywhere); use the newest token',
} as const;

/** Every learner route counts against the learner's limit and the client address's. */
const ADDRESS_LIMIT: LimitCheck = { limit: 'learnerIp', key: byIp };
const LEARNER_LIMITS: LimitCheck[] = [{ limit: 'learner', key: byLearner }, ADDRESS_LIMIT];

/** Verifies the bearer token's signature and lifetime and puts its learner and epoch on `c.var`; its claims, or a 401 problem. */
async function tokenClaims(c: Context<AppEnv>): Promise<TokenClaims> {
  const match = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
  if (!match?.[1]) {
    throw new AppError('unauthorized', 'Send a learner token as "Authorization: Bearer <token>"', { headers: CHALLENGE });
  }
  const check = await verifyLearnerToken(c.get('deps').config.LEARNER_TOKEN_SECRET, match[1], new Date());
  if (!check.ok) throw new AppError('unauthorized', REASONS[check.reason], { headers: CHALLENGE });
  c.set('learnerId', check.claims.sub);
  c.set('tokenEpoch', check.claims.ep);
  return check.claims;
}

/**
 * Token epochs this isolate confirmed lately, per learner: a learner's requests within
 * SESSION_TTL_MS of a check cost no call to their object. A refresh, sign-out or erase
 * in this isolate updates it at once; elsewhere an older token lives at most that long
 * (and an erased learner's data is gone regardless: their object answers nothing).
 */
const SESSION_TTL_MS = 30_000;
const MAX_SESSIONS = 10_000;
const sessions = new Map<string, { epoch: number; until: number }>();

/** Notes `learnerId`'s current token epoch (null: forget them, after an erase). */
export function noteSession(learnerId: string, epoch: number | null): void {
  sessions.delete(learnerId);
  if (epoch === null) return;
  if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value ?? '');
  sessions.set(learnerId, { epoch, until: Date.now() + SESSION_TTL_MS });
}

/**
 * Requires `Authorization: Bearer <learner token>` of an existing learner in their
 * current token epoch, and puts the learner id on `c.get('learnerId')`. Every learner
 * route reads and writes only through that id, so one learner can never reach
 * another's data. Every learner route counts against the learner's and the address's
 * limits.
 */
export const requireLearner = createMiddleware<AppEnv>(async (c, next) => {
  const claims = await tokenClaims(c);
  if (confirmedLately(claims)) {
    await checkLimits(c, LEARNER_LIMITS);
  } else {
    // The limits are asked beside the learner's object, not after it.
    const [session] = await Promise.all([
      c.get('deps').learner(claims.sub).session(claims.sub, claims.ep),
      checkLimits(c, LEARNER_LIMITS),
    ]);
    confirmedSession(claims.sub, claims.ep, session);
  }
  await next();
});

/** Whether this isolate confirmed the token's epoch within SESSION_TTL_MS. */
function confirmedLately(claims: TokenClaims): boolean {
  const known = sessions.get(claims.sub);
  return known !== undefined && known.epoch === claims.ep && known.until > Date.now();
}

/**
 * `requireLearner` for a route whose first call to the learner's object checks the
 * token's epoch and counts the learner's limit itself: the token's signature, lifetime
 * and the address's limit here, and in `c.get('sessionToCheck')` the epoch that call
 * must confirm (null when this isolate confirmed it lately). The handler passes it on
 * and hands the answer to `confirmedSession` before anything else, so neither the check
 * nor the learner's count costs a call of its own.
 */
export const requireLearnerChecking = createMiddleware<AppEnv>(async (c, next) => {
  const claims = await tokenClaims(c);
  c.set('sessionToCheck', confirmedLately(claims) ? null : claims.ep);
  await checkLimits(c, [ADDRESS_LIMIT]);
  await next();
});

/**
 * What an object call given `sessionToCheck` answered: the 401 of `requireLearner` when
 * the learner is gone or the token signed out, else the answer (the session noted).
 */
export function confirmedSession<T>(learnerId: string, epoch: number | null, value: T | 'signed_out' | null): T {
  const found = ofLearner(value);
  if (found === 'signed_out') throw new AppError('unauthorized', REASONS.signed_out, { headers: CHALLENGE });
  if (epoch !== null) noteSession(learnerId, epoch);
  return found;
}

/**
 * Only the token's signature and lifetime, for the routes that renew tokens: they ask
 * the learner's object themselves, which may accept the epoch just left.
 */
export const requireLearnerToken = createMiddleware<AppEnv>(async (c, next) => {
  await tokenClaims(c);
  await checkLimits(c, [...LEARNER_LIMITS, { limit: 'learnerToken', key: byLearner }]);
  await next();
});

/** The token epoch a renewal may issue in, or the 401 the old token deserves. */
export function renewedEpoch(learnerId: string, result: number | 'signed_out' | null): number {
  const epoch = confirmedSession(learnerId, null, result);
  noteSession(learnerId, epoch);
  return epoch;
}

export const LEARNER_SECURITY = [{ LearnerToken: [] as string[] }];

/** The token's learner; a valid token whose learner is gone counts as no token. */
export async function currentLearner(deps: Pick<Deps, 'learner'>, learnerId: string): Promise<LearnerRecord> {
  return ofLearner(await deps.learner(learnerId).profile(learnerId));
}

/** What the learner's object answered, where null means the learner is gone: 401, as for no token. */
export function ofLearner<T>(value: T | null): T {
  if (value === null) {
    throw new AppError('unauthorized', 'The learner of this token no longer exists; create a new learner', {
      headers: CHALLENGE,
    });
  }
  return value;
}
