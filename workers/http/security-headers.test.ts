import { describe, expect, it } from 'vitest';
import { api, givenLearner } from '../test/builders';
import { API_DOCS_CSP } from './api-docs';
import { API_CSP, PERMISSIONS_POLICY } from './security-headers';

describe('security headers', () => {
  it('marks every API response nosniff, no-referrer, not framable, script-free and featureless, and a learner’s own responses no-store', async () => {
    const { token } = await givenLearner(null);
    for (const [path, key] of [
      ['/api/health/live', undefined],
      ['/api/learners/me', token],
      ['/api/progress', token],
      ['/api/no-such-route', undefined],
    ] as const) {
      const response = await api(path, key ? { key } : {});
      expect([path, response.headers.get('x-content-type-options')]).toEqual([path, 'nosniff']);
      expect([path, response.headers.get('referrer-policy')]).toEqual([path, 'no-referrer']);
      expect([path, response.headers.get('x-frame-options')]).toEqual([path, 'DENY']);
      expect([path, response.headers.get('content-security-policy')]).toEqual([path, API_CSP]);
      expect([path, response.headers.get('permissions-policy')]).toEqual([path, PERMISSIONS_POLICY]);
      if (key) expect([path, response.headers.get('cache-control')]).toEqual([path, 'no-store']);
    }
  });

  it('keeps the CSP a route set for itself: the API reference page runs its scripts, framed by nobody', async () => {
    const response = await api('/api/docs');
    expect(response.headers.get('content-security-policy')).toBe(API_DOCS_CSP);
    expect(API_DOCS_CSP).toContain("frame-ancestors 'none'");
    expect(API_DOCS_CSP).not.toMatch(/script-src|'unsafe-eval'/);
    expect(response.headers.get('permissions-policy')).toBe(PERMISSIONS_POLICY);
  });
});
