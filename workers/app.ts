import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { contentAdminRoutes } from './features/content/content-admin.routes';
import { planRoutes, practiceLearnerRoutes } from './features/practice/plan.routes';
import { practiceAdminRoutes, practiceRoutes } from './features/practice/practice.routes';
import { catalogRoutes, contentRoutes } from './features/content/content.routes';
import { healthRoutes } from './features/health/health.routes';
import { learnerRoutes } from './features/learners/learners.routes';
import { learnerAdminRoutes } from './features/learners/learners-admin.routes';
import { privacyRoutes } from './features/privacy/privacy.routes';
import { onboardingRoutes } from './features/learners/onboarding.routes';
import { personalizeRoutes } from './features/personalize/personalize.routes';
import { ingestAdminRoutes } from './features/search/search-admin.routes';
import { answerRoutes } from './features/answers/answers.routes';
import { conversationRoutes } from './features/answers/conversations.routes';
import { llmsRoutes } from './features/content/llms';
import { lessonRedirectRoutes } from './features/content/lesson-redirect';
import { mcpRoutes } from './features/mcp/mcp.server';
import { usageAdminRoutes } from './features/usage/usage.routes';
import { searchRoutes } from './features/search/search.routes';
import { sourceAdminRoutes, sourceRoutes } from './features/sources/sources.routes';
import { conceptRoutes } from './features/concepts/concepts.routes';
import { eventRoutes } from './features/events/events.routes';
import { progressRoutes } from './features/events/progress.routes';
import { eventAdminRoutes } from './features/events/events-admin.routes';
import { experimentAdminRoutes, flagAdminRoutes } from './features/experiments/experiments.routes';
import { analyticsAdminRoutes, modelHealthRoutes } from './features/analytics/analytics.routes';
import {
  goalRoutes,
  learningPathRoutes,
  recommendationAdminRoutes,
  recommendationRoutes,
} from './features/recommendations/recommend.routes';
import { learnerModelRoutes, masteryAdminRoutes, quizRoutes, reviewRoutes } from './features/mastery/mastery.routes';
import { placementRoutes } from './features/mastery/placement.routes';
import { API_DOCS_CSP, apiDocsInit, apiDocsPage } from './http/api-docs';
import type { AppEnv } from './http/app-env';
import { AppError, bodyPart, ERROR_CODES, toProblem, type ErrorCode } from './http/problem';
import { requestContext } from './http/request-context';
import { requestBodyLimit } from './http/body-limit';
import { securityHeaders } from './http/security-headers';
import { validationHook } from './http/validation';
import { createLogger, describeError } from './platform/logger';

export const OPENAPI_PATH = '/api/openapi.json';

/** Builds the HTTP app: middleware, feature routers, OpenAPI document, docs page, error rendering. */
export function createApp() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.use('/api/*', requestContext);
  app.use('/api/*', securityHeaders);
  for (const path of ['/llms.txt', '/llms-full.txt', '/mcp']) {
    app.use(path, requestContext);
    app.use(path, securityHeaders);
  }
  app.use('/lessons/*', requestContext);
  app.use('/api/*', requestBodyLimit);
  app.use('/mcp', requestBodyLimit);

  app.route('/api/health', healthRoutes);
  app.route('/api/content', contentRoutes);
  app.route('/api/courses', catalogRoutes);
  app.route('/api/admin/content', contentAdminRoutes);
  app.route('/api/learners', learnerRoutes);
  app.route('/api/onboarding', onboardingRoutes);
  app.route('/api/personalize', personalizeRoutes);
  app.route('/api/search', searchRoutes);
  app.route('/api/answers', answerRoutes);
  app.route('/api/conversations', conversationRoutes);
  app.route('/api/admin/ingest', ingestAdminRoutes);
  app.route('/api/admin/sources', sourceAdminRoutes);
  app.route('/api/sources', sourceRoutes);
  app.route('/api/concepts', conceptRoutes);
  app.route('/api/admin/practice', practiceAdminRoutes);
  app.route('/api/practice', practiceRoutes);
  app.route('/api/plans', planRoutes);
  app.route('/api/learners/me', practiceLearnerRoutes);
  app.route('/api/events', eventRoutes);
  app.route('/api/progress', progressRoutes);
  app.route('/api/admin/events', eventAdminRoutes);
  app.route('/api/quizzes', quizRoutes);
  app.route('/api/reviews', reviewRoutes);
  app.route('/api/placement', placementRoutes);
  app.route('/api/learners/me', learnerModelRoutes);
  app.route('/api/admin/mastery', masteryAdminRoutes);
  app.route('/api/recommendations', recommendationRoutes);
  app.route('/api/learners/me', goalRoutes);
  app.route('/api/learning-path', learningPathRoutes);
  app.route('/api/admin/recommendations', recommendationAdminRoutes);
  app.route('/api/admin/learners', learnerAdminRoutes);
  app.route('/api/admin/usage', usageAdminRoutes);
  app.route('/api/admin/flags', flagAdminRoutes);
  app.route('/api/admin/experiments', experimentAdminRoutes);
  app.route('/api/admin/analytics', analyticsAdminRoutes);
  app.route('/api/admin/models', modelHealthRoutes);
  app.route('/api/learners/me', privacyRoutes);
  app.route('/', llmsRoutes);
  app.route('/', lessonRedirectRoutes);
  app.route('/', mcpRoutes);

  app.openAPIRegistry.registerComponent('securitySchemes', 'AuthorKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'An author key from `npm run keys -- create --scope content:write`',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'LearnerToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'A learner token from `POST /api/learners` (valid 90 days; refresh with `POST /api/learners/me/token`)',
  });
  app.doc31(OPENAPI_PATH, {
    openapi: '3.1.0',
    info: {
      title: 'LearnEdge API',
      version: '0.1.0',
      description:
        'The HTTP API of the LearnEdge adaptive learning platform: the same API the site uses. Errors are RFC 9457 problem+json.',
    },
    servers: [{ url: '/' }],
    tags: [
      { name: 'Content', description: 'The course as learners read it' },
      { name: 'Learners', description: 'Anonymous learners, onboarding and preferences (learner token)' },
      { name: 'Personalization', description: 'Lessons adapted to the learner, cached by content and preferences' },
      { name: 'Authoring', description: 'Pushing content (author key required)' },
      { name: 'Experiments', description: 'Flags, experiments and their results (admin key required)' },
      { name: 'Analytics', description: 'Learning analytics from the rollups (admin key required)' },
      { name: 'Operations', description: 'Health and liveness' },
    ],
  });
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/docs',
      tags: ['Operations'],
      summary: 'This interactive API reference',
      responses: { 200: { description: 'HTML page', content: { 'text/html': { schema: z.string() } } } },
    }),
    (c) => c.html(apiDocsPage(), 200, { 'Content-Security-Policy': API_DOCS_CSP }),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/docs/init.js',
      tags: ['Operations'],
      summary: 'Start-up script of the reference page',
      responses: { 200: { description: 'JavaScript', content: { 'text/javascript': { schema: z.string() } } } },
    }),
    (c) => c.body(apiDocsInit(OPENAPI_PATH), 200, { 'Content-Type': 'text/javascript; charset=utf-8' }),
  );

  const methodsOf = routeMethods(app.routes);
  app.notFound((c) => {
    // A path that exists under other methods is 405 with the ones it takes, not 404.
    const allowed = methodsOf(c.req.path);
    if (allowed.length > 0) {
      return renderProblem(
        c,
        new AppError('method_not_allowed', `${c.req.path} takes ${allowed.join(', ')}, not ${c.req.method}`, {
          headers: { Allow: allowed.join(', ') },
        }),
      );
    }
    return renderProblem(c, new AppError('not_found', `No route for ${c.req.method} ${c.req.path}`));
  });

  app.onError((error, c) => {
    if (error instanceof AppError) return renderProblem(c, error);
    if (error instanceof HTTPException && error.status < 500) {
      return renderProblem(c, fromHttpException(error, c.req.header('content-type') ?? ''));
    }
    // The only place an unexpected error is logged.
    const logger = c.get('logger') ?? createLogger('info');
    logger.log('error', 'unexpected_error', { method: c.req.method, path: c.req.path, ...describeError(error) });
    return renderProblem(
      c,
      new AppError('internal_error', 'Something went wrong on our side; the request id identifies it in the logs'),
    );
  });

  return app;
}

/** The methods the app's routes take at a path (HEAD with GET), from the registered routes; middleware is not a route. */
function routeMethods(routes: readonly { method: string; path: string }[]): (path: string) => string[] {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const patterns = routes
    .filter((r) => r.method !== 'ALL')
    .map((r) => ({
      method: r.method,
      pattern: new RegExp(
        `^${r.path
          .split('/')
          .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : escape(segment)))
          .join('/')}/?$`,
      ),
    }));
  return (path) => {
    const methods = new Set(patterns.filter((p) => p.pattern.test(path)).map((p) => p.method));
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  };
}

/**
 * Hono's own client errors become problems too. Its 400s are bodies it could not parse
 * (not JSON, broken multipart): the field error names that part as the validation hook does.
 */
function fromHttpException(error: HTTPException, contentType: string): AppError {
  const code = (Object.keys(ERROR_CODES) as ErrorCode[]).find(
    (k) => ERROR_CODES[k].status === error.status && k !== 'invalid_manifest',
  );
  if (error.status === 400 || !code) {
    return new AppError('validation_failed', error.message, {
      errors: [{ field: bodyPart(contentType), message: error.message }],
    });
  }
  if (error.status === 415) {
    return new AppError(code, error.message, { errors: [{ field: 'header/content-type', message: error.message }] });
  }
  return new AppError(code, error.message);
}

function renderProblem(c: Context<AppEnv>, error: AppError): Response {
  const requestId = c.get('requestId') ?? crypto.randomUUID();
  return c.body(JSON.stringify(toProblem(error, c.req.path, requestId)), error.status, {
    'Content-Type': 'application/problem+json',
    'X-Request-Id': requestId,
    ...error.headers,
  });
}
