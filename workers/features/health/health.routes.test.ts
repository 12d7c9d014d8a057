import { describe, expect, it } from 'vitest';
import { api } from '../../test/builders';

describe('health and API documents', () => {
  it('reports D1, KV and R2 as answering', async () => {
    const res = await api('/api/health');
    expect(res.status).toBe(200);
    const body = await res.json<{ status: string; checks: Record<string, { ok: boolean }> }>();
    expect(body.status).toBe('ok');
    expect(Object.fromEntries(Object.entries(body.checks).map(([k, v]) => [k, v.ok]))).toEqual({ d1: true, kv: true, r2: true });
  });

  it('answers liveness without storage', async () => {
    const res = await api('/api/health/live');
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('gives every response a request id, and keeps a well-formed one from the client', async () => {
    const own = await api('/api/health/live');
    expect(own.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const echoed = await api('/api/health/live', { headers: { 'x-request-id': 'cli-trace-0001' } });
    expect(echoed.headers.get('x-request-id')).toBe('cli-trace-0001');
    const junk = await api('/api/health/live', { headers: { 'x-request-id': 'bad id <script>' } });
    expect(junk.headers.get('x-request-id')).not.toBe('bad id <script>');
  });

  it('answers an unknown API path with a 404 problem+json', async () => {
    const res = await api('/api/no-such-thing');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const problem = await res.json<Record<string, unknown>>();
    expect(problem).toMatchObject({
      type: 'https://learnedge.dev/problems/not_found',
      title: 'Not found',
      status: 404,
      code: 'not_found',
      instance: '/api/no-such-thing',
      requestId: res.headers.get('x-request-id'),
    });
    expect(problem.detail).toContain('/api/no-such-thing');
  });

  it('publishes an OpenAPI 3.1 document covering every route, with the author and learner schemes', async () => {
    const doc = await (
      await api('/api/openapi.json')
    ).json<{
      openapi: string;
      paths: Record<string, Record<string, { security?: unknown }>>;
      components: { securitySchemes: Record<string, unknown> };
    }>();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/admin/analytics/engagement',
      '/api/admin/analytics/items',
      '/api/admin/analytics/lessons',
      '/api/admin/analytics/overview',
      '/api/admin/content/blobs/{hash}',
      '/api/admin/content/commit',
      '/api/admin/content/courses/{course}',
      '/api/admin/content/plan',
      '/api/admin/events/replay-dlq',
      '/api/admin/experiments',
      '/api/admin/experiments/{id}',
      '/api/admin/experiments/{id}/results',
      '/api/admin/experiments/{id}/start',
      '/api/admin/experiments/{id}/stop',
      '/api/admin/flags',
      '/api/admin/flags/{key}',
      '/api/admin/ingest/copy-vectors',
      '/api/admin/ingest/reindex',
      '/api/admin/ingest/retry-failed',
      '/api/admin/ingest/status',
      '/api/admin/learners/move',
      '/api/admin/learners/{learnerId}/delivery',
      '/api/admin/mastery/fit-bkt',
      '/api/admin/mastery/fit-fsrs',
      '/api/admin/mastery/fit-irt',
      '/api/admin/mastery/fit-kt',
      '/api/admin/models/performance',
      '/api/admin/practice/library',
      '/api/admin/recommendations/refresh',
      '/api/admin/recommendations/weights',
      '/api/admin/recommendations/weights/refit',
      '/api/admin/sources',
      '/api/admin/sources/{id}',
      '/api/admin/usage',
      '/api/answers',
      '/api/answers/stream',
      '/api/concepts',
      '/api/concepts/{id}',
      '/api/content/assets/{hash}',
      '/api/content/book',
      '/api/content/lessons/{slug}',
      '/api/content/lessons/{slug}/content',
      '/api/conversations',
      '/api/conversations/{id}',
      '/api/conversations/{id}/messages',
      '/api/courses',
      '/api/courses/{course}/book',
      '/api/courses/{course}/lessons/{slug}',
      '/api/courses/{course}/lessons/{slug}/content',
      '/api/docs',
      '/api/docs/init.js',
      '/api/events',
      '/api/health',
      '/api/health/live',
      '/api/learners',
      '/api/learners/me',
      '/api/learners/me/consent',
      '/api/learners/me/export',
      '/api/learners/me/goal',
      '/api/learners/me/mastery',
      '/api/learners/me/practice-profile',
      '/api/learners/me/predictions',
      '/api/learners/me/preferences',
      '/api/learners/me/preferences/courses/{course}',
      '/api/learners/me/sign-out-everywhere',
      '/api/learners/me/summaries',
      '/api/learners/me/summaries/current',
      '/api/learners/me/token',
      '/api/learning-path',
      '/api/onboarding',
      '/api/onboarding/questions',
      '/api/personalize',
      '/api/personalize/cache',
      '/api/personalize/stream',
      '/api/placement',
      '/api/placement/{id}/answers',
      '/api/plans/today',
      '/api/plans/{planId}/items/{itemId}/feedback',
      '/api/plans/{planId}/items/{itemId}/swap',
      '/api/practice/library',
      '/api/progress',
      '/api/progress/lessons/{slug}',
      '/api/progress/lessons/{slug}/complete',
      '/api/progress/lessons/{slug}/start',
      '/api/progress/lessons/{slug}/time',
      '/api/quizzes/attempts',
      '/api/quizzes/{lessonSlug}/next',
      '/api/recommendations',
      '/api/recommendations/{id}/feedback',
      '/api/reviews/due',
      '/api/reviews/{id}',
      '/api/search',
      '/api/sources/{id}/file',
    ]);
    expect(doc.paths['/api/admin/content/commit']?.post?.security).toEqual([{ AuthorKey: [] }]);
    expect(doc.paths['/api/personalize']?.post?.security).toEqual([{ LearnerToken: [] }]);
    expect(doc.paths['/api/learners/me/preferences']?.put?.security).toEqual([{ LearnerToken: [] }]);
    expect(doc.components.securitySchemes).toHaveProperty('AuthorKey');
    expect(doc.components.securitySchemes).toHaveProperty('LearnerToken');
  });

  it('serves the interactive reference page from this origin only', async () => {
    const res = await api('/api/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await res.text();
    expect(html).toContain('/vendor/swagger-ui/swagger-ui-bundle.js');
    // Its icon is the site's (a browser would otherwise ask for /favicon.ico and get 404).
    expect(html).toContain('<link rel="icon" href="/favicon.svg" type="image/svg+xml">');
    expect(await (await api('/api/docs/init.js')).text()).toContain('/api/openapi.json');
  });
});
