import { describe, expect, it } from 'vitest';
import { api } from '../test/builders';
import type { Problem } from './problem';

describe('a route asked with a method it does not take', () => {
  it.each([
    ['GET', '/api/events', 'POST'],
    ['DELETE', '/api/content/book', 'GET, HEAD'],
    ['PATCH', '/api/learners/me/preferences', 'GET, HEAD, PUT'],
    ['GET', '/api/search', 'POST'],
    ['POST', '/api/content/lessons/any-lesson', 'GET, HEAD'],
  ])('answers %s %s with 405 problem+json and Allow: %s', async (method, path, allow) => {
    const response = await api(path, { method });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe(allow);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const problem = await response.json<Problem>();
    expect(problem).toMatchObject({ code: 'method_not_allowed', status: 405 });
    expect(problem.detail).toContain(allow);
  });

  it('still answers a path no route has with 404', async () => {
    const response = await api('/api/no/such/route');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 'not_found' });
  });
});
