import { createMiddleware } from 'hono/factory';
import { depsFor } from '../deps';
import type { AppEnv } from './app-env';

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * First middleware of every request: request id (a well-formed client `X-Request-Id`
 * is kept, so a trace can span CLI and server), logger, deps, and one log line when done.
 */
export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now();
  const incoming = c.req.header('x-request-id');
  const requestId = incoming && CLIENT_REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
  const deps = depsFor(c.env, { requestId });
  const { logger } = deps;
  c.set('requestId', requestId);
  c.set('logger', logger);
  c.set('deps', deps);
  await next();
  c.res.headers.set('X-Request-Id', requestId);
  // Counts, not durations, in `desc`: what one request cost in D1 statements, KV reads and model calls.
  const { d1Queries, d1Writes, kvReads, modelCalls, learnerCalls } = deps.meter;
  c.res.headers.append(
    'Server-Timing',
    `app;dur=${Date.now() - started}, d1;desc="${d1Queries} queries", d1w;desc="${d1Writes} writes", ` +
      `learner;desc="${learnerCalls} calls", kv;desc="${kvReads} reads", model;desc="${modelCalls} calls"`,
  );
  logger.log(c.res.status >= 500 ? 'error' : 'info', 'request', {
    method: c.req.method,
    path: c.req.path,
    status: c.res.status,
    durationMs: Date.now() - started,
  });
});
