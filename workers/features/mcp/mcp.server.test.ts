import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { CfWorkerJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/cfworker';
import { describe, expect, it } from 'vitest';
import { api, buildCourse, givenAuthorKey, givenLearner, push, untilLimited } from '../../test/builders';
import { givenSampleCourse } from '../../test/sample-course';

const ORIGIN = 'http://learnedge.test';

/** The SDK's own client, over streamable HTTP, reaching the Worker through `api` (one address per client). */
async function connect(token: string | null, ip = `198.51.100.${Math.floor(Math.random() * 250) + 1}`) {
  const client = new Client({ name: 'mcp-test', version: '1.0.0' }, { jsonSchemaValidator: new CfWorkerJsonSchemaValidator() });
  const transport = new StreamableHTTPClientTransport(new URL(`${ORIGIN}/mcp`), {
    fetch: (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const headers = new Headers(init?.headers);
      headers.set('cf-connecting-ip', ip);
      return api(url.pathname, { ...init, headers, ...(token ? { key: token } : {}) });
    },
  });
  await client.connect(transport);
  return client;
}

const textOf = (result: unknown) => (result as CallToolResult).content.map((c) => (c.type === 'text' ? c.text : '')).join('');

describe('MCP server at /mcp', () => {
  it('lists search_course, get_lesson and ask, and each answers as the HTTP API does', async () => {
    await givenSampleCourse();
    const { token } = await givenLearner(null);
    const client = await connect(token);
    expect(client.getServerVersion()?.name).toBe('learnedge');
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['ask', 'get_lesson', 'search_course']);
    expect(tools.find((t) => t.name === 'ask')?.inputSchema.required).toEqual(['question']);

    const found = await client.callTool({ name: 'search_course', arguments: { query: 'window functions', limit: 3 } });
    expect(found.isError).toBeFalsy();
    expect(textOf(found)).toMatch(
      /^1\. Window functions.*\(lesson slug: window-functions\)\n {3}http:\/\/learnedge\.test\/courses\/sample\/lessons\/window-functions/,
    );
    expect(textOf(found).match(/^\d+\. /gm)).toHaveLength(3);

    const asked = await client.callTool({
      name: 'ask',
      arguments: { question: 'How do I keep only the rows that match a condition?' },
    });
    const answer = textOf(asked);
    expect(asked.isError).toBeFalsy();
    expect(answer).toMatch(/\[1\]/);
    expect(answer).toMatch(
      /\nSources:\n\[1\] .+ \(http:\/\/learnedge\.test\/courses\/sample\/lessons\/[a-z-]+#[a-z0-9-]+\): ".+"/,
    );
    expect(answer).toContain('Answered by the offline engine');

    const outside = textOf(await client.callTool({ name: 'ask', arguments: { question: 'How do I bake sourdough bread?' } }));
    expect(outside).toMatch(/^The course does not cover this/);
    expect(outside).not.toContain('Sources:');
    await client.close();
  });

  it("reads a pushed lesson of any course in full with get_lesson, at its course's address", async () => {
    const key = await givenAuthorKey();
    await push(await buildCourse(3), key);
    await push(await buildCourse(2, {}, { slug: 'other-course', title: 'Other' }, { prefix: 'py-' }), key);
    const { token } = await givenLearner(null);
    const client = await connect(token);
    const lesson = await client.callTool({ name: 'get_lesson', arguments: { slug: 'lesson-2' } });
    expect(lesson.isError).toBeFalsy();
    expect(textOf(lesson)).toMatch(
      /^# Lesson 2\nPart: .+ · Chapter: .+ · http:\/\/learnedge\.test\/courses\/test-course\/lessons\/lesson-2\n\n/,
    );
    const markdown = await (await api('/api/content/lessons/lesson-2/content')).text();
    expect(textOf(lesson).endsWith(markdown)).toBe(true);
    const other = await client.callTool({ name: 'get_lesson', arguments: { slug: 'py-lesson-2' } });
    expect(other.isError).toBeFalsy();
    expect(textOf(other)).toMatch(/^# Lesson 2\n.+ · http:\/\/learnedge\.test\/courses\/other-course\/lessons\/py-lesson-2\n\n/);
    await client.close();
  });

  it('answers bad tool input with a tool error naming the field, never a crash', async () => {
    await givenSampleCourse();
    const { token } = await givenLearner(null);
    const client = await connect(token);
    const unknown = await client.callTool({ name: 'get_lesson', arguments: { slug: '../../etc/passwd' } });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toContain('No lesson "../../etc/passwd"');
    const noLesson = await client.callTool({ name: 'ask', arguments: { question: 'What is WHERE?', scope: 'lesson' } });
    expect(noLesson.isError).toBe(true);
    expect(textOf(noLesson)).toContain('lessonSlug scope lesson needs the lesson');
    const missing = await client.callTool({ name: 'ask', arguments: { question: 'x', lessonSlug: 'no-such-lesson' } });
    expect(textOf(missing)).toMatch(/No lesson no-such-lesson\nlessonSlug is not a lesson of this course/);
    // Schema violations are refused by the SDK before the tool runs.
    const long = await client.callTool({ name: 'ask', arguments: { question: 'why '.repeat(2500) } });
    expect(long.isError).toBe(true);
    expect(textOf(long)).toMatch(/question/);
    const empty = await client.callTool({ name: 'search_course', arguments: { query: '   ' } });
    expect(empty.isError).toBe(true);
    const noCourse = await client.callTool({ name: 'search_course', arguments: { query: 'joins', course: 'no-such-course' } });
    expect(noCourse.isError).toBe(true);
    expect(textOf(noCourse)).toContain('No course "no-such-course"');
    const inCourse = await client.callTool({ name: 'search_course', arguments: { query: 'window functions', course: 'sample' } });
    expect(textOf(inCourse)).toMatch(/^1\. Window functions/);
    await client.close();
  });

  it('refuses a request without a learner token, and other methods, with problem+json', async () => {
    await expect(connect(null)).rejects.toThrow(/401/);
    const bad = await api('/mcp', { method: 'POST', key: 'not-a-token', json: { jsonrpc: '2.0', id: 1, method: 'tools/list' } });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    const get = await api('/mcp');
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('answers an empty batch and a body that is not JSON-RPC with JSON-RPC errors, not an empty 202', async () => {
    const { token } = await givenLearner(null);
    const send = (body: string) =>
      api('/mcp', {
        method: 'POST',
        key: token,
        headers: { accept: 'application/json, text/event-stream', 'content-type': 'application/json' },
        body,
      });
    const empty = await send('[]');
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32600 } });
    const broken = await send('{"jsonrpc":');
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32700 } });
    const listed = await send(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list' }));
    expect(listed.status).toBe(200);
    expect(await listed.json()).toMatchObject({ id: 7, result: { tools: expect.any(Array) as unknown } });
  });

  it('counts every request against the learner limit of the HTTP API (429 with Retry-After)', async () => {
    const { token } = await givenLearner(null);
    const list = () =>
      api('/mcp', {
        method: 'POST',
        key: token,
        headers: { accept: 'application/json, text/event-stream' },
        json: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      });
    await untilLimited(600, 20, list);
    // The limit is shared: the HTTP API refuses this learner too.
    expect((await api('/api/conversations', { key: token })).status).toBe(429);
  });
});
