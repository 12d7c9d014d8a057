import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { CfWorkerJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/cfworker';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Hono } from 'hono';
import { z } from 'zod';
import type { Deps } from '../../deps';
import type { AppEnv } from '../../http/app-env';
import { requireLearner } from '../../http/learner-auth';
import { AppError } from '../../http/problem';
import { answerQuestion } from '../answers/answers.service';
import { AskRequestSchema, MAX_QUESTION_CHARS, type Answer } from '../answers/answers.schemas';
import { readBook } from '../content/content.cache';
import { lessonPageHref } from '../content/content.catalog';
import { locateLesson } from '../content/content.domain';
import { SlugSchema } from '../content/content.schemas';
import { searchChunks } from '../search/search.query';
import { plainText } from '../../platform/words';

const MAX_QUERY_CHARS = 200;

interface Caller {
  deps: Deps;
  learnerId: string;
  /** Where links in the results point: this server's origin. */
  origin: string;
}

const text = (body: string, isError = false): CallToolResult => ({ content: [{ type: 'text', text: body }], isError });

/** What a tool says when the API would have answered with a problem: its detail and the fields at fault. */
function problemText(error: unknown): CallToolResult {
  if (!(error instanceof AppError)) throw error;
  const fields = (error.errors ?? []).map((e) => `${e.field.replace(/^json\//, '')} ${e.message}`);
  return text([error.message, ...fields].join('\n'), true);
}

function answerText(answer: Answer, origin: string): string {
  if (!answer.covered) {
    const next = answer.suggestions.map((s) => `- ${s.title}: ${origin}${s.href}`);
    return [answer.answer, ...(next.length ? ['', 'Nearest lessons:', ...next] : [])].join('\n');
  }
  const sources = answer.citations.map(
    (c) => `[${c.n}] ${[c.title, ...c.headingPath].join(' › ')} (${origin}${c.href}): "${c.quote}"`,
  );
  const engine = answer.engine === 'model' ? 'a language model' : 'the offline engine';
  return [answer.answer, '', 'Sources:', ...sources, '', `Answered by ${engine}, from the course's own text.`].join('\n');
}

/**
 * One MCP server per request (the transport is stateless): `search_course`,
 * `get_lesson` and `ask`, each doing what the matching HTTP route does, as the
 * learner whose token came with the request.
 */
function courseServer({ deps, learnerId, origin }: Caller): McpServer {
  const server = new McpServer(
    { name: 'learnedge', version: '0.1.0' },
    {
      jsonSchemaValidator: new CfWorkerJsonSchemaValidator(),
      instructions:
        "Tools over one course. search_course finds lessons and sources; get_lesson reads one; ask answers a question from the course's text with numbered citations. Quote citations rather than adding facts of your own.",
    },
  );

  server.registerTool(
    'search_course',
    {
      title: 'Search the course',
      description:
        'Hybrid (keyword and meaning) search over the lessons and uploaded sources. Returns one hit per lesson or source: title, section, link and a plain-text snippet. No hits means nothing in the course is about the query.',
      inputSchema: {
        query: z
          .string()
          .overwrite(plainText)
          .trim()
          .min(1)
          .max(MAX_QUERY_CHARS)
          .describe('Words or a question, as a learner would type them'),
        limit: z.number().int().min(1).max(20).default(5).describe('Most hits to return (1 to 20)'),
        course: z
          .string()
          .max(120)
          .optional()
          .describe("One course's lessons only (a course slug); default: every course and source"),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ query, limit, course }) => {
      if (course !== undefined && !(await deps.content.course(course))) {
        return text(`No course "${course}". Leave course out to search every course.`, true);
      }
      const { hits } = await searchChunks(deps, { query, limit, filter: { courseId: course }, group: 'item' });
      if (hits.length === 0) return text(`No lesson or source matches "${query}".`);
      const lines = hits.map((h, i) => {
        const where = [h.title, ...h.headingPath].join(' › ');
        const slug =
          h.kind === 'lesson' ? ` (lesson slug: ${h.itemId})` : ` (source ${h.itemId}${h.page ? `, page ${h.page}` : ''})`;
        return `${i + 1}. ${where}${slug}\n   ${origin}${h.href}\n   ${h.snippet}`;
      });
      return text(lines.join('\n'));
    },
  );

  server.registerTool(
    'get_lesson',
    {
      title: 'Read a lesson',
      description:
        'The markdown of one lesson of any course, by its slug (search_course gives slugs), with its place in its course.',
      inputSchema: { slug: z.string().min(1).max(120).describe('The lesson slug, e.g. filtering-with-where') },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ slug }) => {
      const course = SlugSchema.safeParse(slug).success ? await deps.content.lessonCourse(slug) : null;
      const cached = course ? await readBook(deps, course) : null;
      const place = cached && locateLesson(cached.book, slug);
      if (!place) return text(`No lesson "${slug}". Use search_course to find lesson slugs.`, true);
      const markdown = await deps.blobs.getText(place.lesson.contentHash);
      if (markdown === null) throw new Error(`Lesson ${slug} points at missing blob ${place.lesson.contentHash}`);
      const header = [
        `# ${place.lesson.title}`,
        `Part: ${place.part.title} · Chapter: ${place.chapter.title} · ${origin}${lessonPageHref(course, slug)}`,
        '',
      ];
      return text([...header, markdown].join('\n'));
    },
  );

  server.registerTool(
    'ask',
    {
      title: 'Ask the course',
      description:
        "A short answer built only from the course's passages, every sentence citing the passage it rests on ([1], [2], listed under Sources). When nothing in the course supports an answer it says the course does not cover this.",
      inputSchema: {
        question: z.string().min(1).max(MAX_QUESTION_CHARS).describe('The question, in plain words'),
        lessonSlug: z
          .string()
          .max(120)
          .optional()
          .describe('The lesson being read: preferred, or the only one with scope lesson'),
        scope: z
          .enum(['lesson', 'course', 'all'])
          .optional()
          .describe(
            "lesson: that lesson only; course (default): one course's lessons (course, else the lesson's course, else every course); all: every lesson and uploaded source",
          ),
        course: z.string().max(120).optional().describe('With scope course: the course to answer from (a course slug)'),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) => {
      const ask = AskRequestSchema.safeParse(args);
      if (!ask.success) {
        return text(ask.error.issues.map((i) => `${i.path.join('.') || 'input'} ${i.message}`).join('\n'), true);
      }
      try {
        return text(answerText(await answerQuestion(deps, { ...ask.data, learnerId, now: new Date() }), origin));
      } catch (error) {
        return problemText(error);
      }
    },
  );
  return server;
}

/**
 * `POST /mcp`: the Model Context Protocol over streamable HTTP (stateless: every
 * request stands alone, answered as JSON). A learner token is required, and each
 * request counts against the same learner and address limits as the HTTP API.
 */
export const mcpRoutes = new Hono<AppEnv>().post('/mcp', requireLearner, async (c) => {
  const server = courseServer({ deps: c.get('deps'), learnerId: c.get('learnerId'), origin: new URL(c.req.url).origin });
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  // JSON-RPC: a batch must hold a request (the transport would answer an empty one with an empty 202).
  const body: unknown = await c.req.raw
    .clone()
    .json()
    .catch(() => undefined);
  if (Array.isArray(body) && body.length === 0) {
    return c.json({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request: an empty batch' } }, 400);
  }
  await server.connect(transport);
  return transport.handleRequest(c.req.raw, body === undefined ? undefined : { parsedBody: body });
});
