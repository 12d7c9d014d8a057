import { describe, expect, it } from 'vitest';
import { api, givenLearner } from '../test/builders';

describe('security headers', () => {
  it('marks every API response nosniff, no-referrer and not framable, and a learner’s own responses no-store', async () => {
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
      if (key) expect([path, response.headers.get('cache-control')]).toEqual([path, 'no-store']);
    }
  });
});
