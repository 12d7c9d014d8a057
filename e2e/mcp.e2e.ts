import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, inject, it } from 'vitest';
import { onboardedLearner } from './learner';

const baseUrl = inject('baseUrl');
const textOf = (result: unknown) => (result as CallToolResult).content.map((c) => (c.type === 'text' ? c.text : '')).join('');

describe('an agent over MCP, on the running server', () => {
  it('connects with the SDK client and a learner token, searches, reads a lesson and asks, citing a seed source', async () => {
    const { token } = await onboardedLearner(baseUrl);
    const client = new Client({ name: 'e2e-agent', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL('/mcp', baseUrl), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(['ask', 'get_lesson', 'search_course']);

    const found = textOf(await client.callTool({ name: 'search_course', arguments: { query: 'window functions' } }));
    expect(found).toContain('(lesson slug: window-functions)');
    const lesson = textOf(await client.callTool({ name: 'get_lesson', arguments: { slug: 'window-functions' } }));
    expect(lesson).toMatch(/^# Window functions\n/);

    const asked = await client.callTool({
      name: 'ask',
      arguments: { question: 'How do I turn on foreign key enforcement in SQLite?', scope: 'all' },
    });
    expect(asked.isError).toBeFalsy();
    expect(textOf(asked)).toMatch(
      /\[\d\] .+ \(http:\/\/127\.0\.0\.1:\d+\/api\/sources\/[^/]+\/file#page=3\): ".*PRAGMA foreign_keys = ON/,
    );
    await client.close();
  });

  it('refuses a client without a learner token', async () => {
    const client = new Client({ name: 'e2e-anonymous', version: '1.0.0' });
    await expect(client.connect(new StreamableHTTPClientTransport(new URL('/mcp', baseUrl)))).rejects.toThrow(/401/);
  });
});
