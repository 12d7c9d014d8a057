import { describe, expect, it } from 'vitest';
import { api, givenLearner } from '../test/builders';
import { MAX_HEADER_BYTES, MAX_JSON_BYTES, MAX_URL_BYTES } from './body-limit';
import type { Problem } from './problem';

const big = (bytes: number) => JSON.stringify({ query: 'x'.repeat(bytes) });

describe('request body limit', () => {
  it('answers a JSON body over 1 MB with 413 problem+json, before reading it', async () => {
    const { token } = await givenLearner(null);
    for (const [path, key] of [
      ['/api/search', undefined],
      ['/api/events', token],
      ['/api/learners/me/preferences', token],
    ] as const) {
      const response = await api(path, {
        method: path.endsWith('preferences') ? 'PUT' : 'POST',
        ...(key ? { key } : {}),
        headers: { 'content-type': 'application/json' },
        body: big(2 * MAX_JSON_BYTES),
      });
      expect([path, response.status]).toEqual([path, 413]);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      const problem = await response.json<Problem>();
      expect(problem.code).toBe('payload_too_large');
      expect(problem.errors?.map((e) => e.field)).toEqual(['json']);
    }
  });

  it('answers a JSON route sent another content type with 415 naming header/content-type', async () => {
    for (const contentType of ['text/plain', 'application/xml']) {
      const response = await api('/api/search', {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: '{"query":"joins"}',
      });
      expect(response.status).toBe(415);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect((await response.json<Problem>()).errors?.map((e) => e.field)).toEqual(['header/content-type']);
    }
  });

  it('counts a streamed body without Content-Length too', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 2 * MAX_JSON_BYTES) return controller.close();
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const response = await api('/api/search', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(response.status).toBe(413);
  });

  it('reads a body under the limit as usual: bad input is still a 400 naming the field', async () => {
    const response = await api('/api/search', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'x'.repeat(MAX_JSON_BYTES / 2) }),
    });
    expect(response.status).toBe(400);
    expect((await response.json<Problem>()).errors?.map((e) => e.field).join(' ')).toContain('query');
  });
});

describe('URL and header limits', () => {
  it('answers a URL over the limit with 414 problem+json', async () => {
    const response = await api(`/api/content/lessons/${'a'.repeat(MAX_URL_BYTES)}`);
    expect(response.status).toBe(414);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ code: 'uri_too_long', status: 414 });
  });

  it('answers headers over the limit with 431 problem+json, and a request just under both passes', async () => {
    const response = await api('/api/content/book', { headers: { 'x-padding': 'p'.repeat(MAX_HEADER_BYTES) } });
    expect(response.status).toBe(431);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ code: 'headers_too_large', status: 431 });
    const fine = await api(`/api/concepts?q=${'a'.repeat(MAX_URL_BYTES - 200)}`, {
      headers: { 'x-padding': 'p'.repeat(MAX_HEADER_BYTES - 1024) },
    });
    expect(fine.status).not.toBe(414);
    expect(fine.status).not.toBe(431);
  });
});
