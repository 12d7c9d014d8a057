/**
 * `npm run mcp`: a session with the platform's MCP server through the official SDK
 * client, printed as a transcript: connect, list the tools, call each. Shows what
 * an agent sees, and checks a deployment's `/mcp` end to end.
 */
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { z } from 'zod';
import { defaultTarget } from './local-env';
import { runCli } from './push';

const USAGE = `Usage: npm run mcp -- [--target <url>] [--token <learner token>] [--ask <question>] [--search <query>] [--lesson <slug>]
  --target   API origin (default ${defaultTarget()})
  --token    a learner token (default: $LEARNEDGE_LEARNER_TOKEN, else a new anonymous learner is created)
  --ask      the question for the ask tool (default: a question about WHERE and NULL)
  --search   the query for search_course (default: "window functions")
  --lesson   the slug for get_lesson (default: the first search hit's lesson)`;

async function newLearnerToken(target: string): Promise<string> {
  const response = await fetch(`${target}/api/learners`, { method: 'POST' });
  if (!response.ok) throw new Error(`POST /api/learners: ${response.status} ${await response.text()}`);
  const { token } = z.object({ token: z.string() }).parse(await response.json());
  return token;
}

const show = (label: string, value: unknown) =>
  console.log(`\n── ${label}\n${typeof value === 'string' ? value : JSON.stringify(value, null, 2)}`);

type ToolResult = Awaited<ReturnType<Client['callTool']>>;
const textOf = (result: ToolResult) =>
  (result.content as { type: string; text?: string }[]).map((c) => c.text ?? `[${c.type}]`).join('');

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      target: { type: 'string' },
      token: { type: 'string' },
      ask: { type: 'string' },
      search: { type: 'string' },
      lesson: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const target = values.target ?? defaultTarget();
  const token = values.token ?? process.env.LEARNEDGE_LEARNER_TOKEN ?? (await newLearnerToken(target));
  const client = new Client({ name: 'learnedge-cli', version: '0.1.0' });
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', target), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  show(`connected to ${target}/mcp`, { server: client.getServerVersion(), instructions: client.getInstructions() });
  const { tools } = await client.listTools();
  show(
    'tools/list',
    tools.map((t) => ({ name: t.name, description: t.description, input: t.inputSchema.properties })),
  );

  const query = values.search ?? 'window functions';
  const found = await client.callTool({ name: 'search_course', arguments: { query, limit: 3 } });
  show(`tools/call search_course ${JSON.stringify({ query, limit: 3 })}`, textOf(found));

  const slug = values.lesson ?? /\(lesson slug: ([a-z0-9-]+)\)/.exec(textOf(found))?.[1];
  if (slug) {
    const lesson = textOf(await client.callTool({ name: 'get_lesson', arguments: { slug } }));
    const lines = lesson.split('\n');
    show(`tools/call get_lesson ${JSON.stringify({ slug })}`, `${lines.slice(0, 8).join('\n')}\n… (${lines.length} lines)`);
  }

  const question = values.ask ?? 'Why does WHERE leave out rows where the column is NULL?';
  const asked = await client.callTool({ name: 'ask', arguments: { question } });
  show(`tools/call ask ${JSON.stringify({ question })}`, textOf(asked));
  const refused = await client.callTool({ name: 'ask', arguments: { question: 'How do I bake sourdough bread?' } });
  show('tools/call ask {"question":"How do I bake sourdough bread?"}', textOf(refused));
  await client.close();
  return 0;
}

runCli(main);
