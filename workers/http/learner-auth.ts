import { createMiddleware } from 'hono/factory';
import type { Deps } from '../deps';
import type { LearnerRecord } from '../features/learners/learner.store';
import { verifyLearnerToken } from '../features/learners/learners.token';
import type { AppEnv } from './app-env';
import { AppError } from './problem';

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="learnedge-learners"' };
const REASONS = {
  malformed: 'The learner token is malformed',
  bad_signature: 'The learner token was not issued by this server',
  expired: 'The learner token has expired; create a new learner or refresh the token before it ends',
} as const;

/**
 * Requires `Authorization: Bearer <learner token>` and puts the learner id on
 * `c.var.learnerId`. Every learner route reads and writes only through that id,
 * so one learner can never reach another's data.
 */
export const requireLearner = createMiddleware<AppEnv>(async (c, next) => {
  const match = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
  if (!match?.[1]) {
    throw new AppError('unauthorized', 'Send a learner token as "Authorization: Bearer <token>"', { headers: CHALLENGE });
  }
  const check = await verifyLearnerToken(c.var.deps.config.LEARNER_TOKEN_SECRET, match[1], new Date());
  if (!check.ok) throw new AppError('unauthorized', REASONS[check.reason], { headers: CHALLENGE });
  c.set('learnerId', check.claims.sub);
  await next();
});

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
