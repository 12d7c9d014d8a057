import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { createEventQueue, sseResponse, streamError } from '../../http/event-queue';
import type { AppEnv } from '../../http/app-env';
import { LEARNER_SECURITY, requireLearner } from '../../http/learner-auth';
import { problemResponses } from '../../http/problem';
import { validationHook } from '../../http/validation';
import { answerQuestion } from './answers.service';
import { AnswerSchema, AskRequestSchema, type Answer, type Citation } from './answers.schemas';

type Meta = { scope: Answer['scope']; engine: Answer['engine']; cached: boolean };

type StreamEvent =
  | { event: 'meta'; data: Meta }
  | { event: 'citations'; data: { citations: Citation[] } }
  | { event: 'delta'; data: { text: string } }
  | { event: 'done'; data: Answer }
  | { event: 'error'; data: { status: number; code: string; detail: string } };

const body = { body: { required: true, content: { 'application/json': { schema: AskRequestSchema } } } };

/** `POST /api/answers`: a learner's question answered from the course, every claim cited. */
export const answerRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags: ['Learners'],
      summary: 'Ask the course: a short answer built from its passages, every sentence citing the one it rests on',
      description: [
        'Retrieval is the hybrid search (the lesson in lessonSlug preferred; with scope lesson, that lesson only).',
        'The offline engine answers with the sentences of the passages that answer the question. Every citation is',
        'verified whatever the engine: its passage was retrieved and holds the sentence’s words, and its quote is the',
        'passage’s own text. An answer with no supported sentence is "The course does not cover this." with no',
        'citations and the nearest lessons as suggestions. Repeats come from a cache that any push empties.',
      ].join(' '),
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      request: body,
      responses: {
        200: { description: 'The answer with its citations', content: { 'application/json': { schema: AnswerSchema } } },
        ...problemResponses(400, 401, 404, 429),
      },
    }),
    async (c) =>
      c.json(
        await answerQuestion(c.get('deps'), { ...c.req.valid('json'), learnerId: c.get('learnerId'), now: new Date() }),
        200,
      ),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/stream',
      tags: ['Learners'],
      summary: 'The same, as server-sent events: meta, citations, delta…, then done or error',
      description:
        'meta comes as soon as the question is accepted (cached or not, the engine asked first); the answer follows sentence by sentence once its citations are verified, then done carries the whole answer. Problems found before meta (400, 401, 404, 429) are problem+json responses; later failures arrive as an `error` event.',
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      request: body,
      responses: {
        200: { description: 'An event stream', content: { 'text/event-stream': { schema: z.string() } } },
        ...problemResponses(400, 401, 404, 429),
      },
    }),
    async (c) =>
      streamAnswer(c, (onMeta) =>
        answerQuestion(c.get('deps'), { ...c.req.valid('json'), learnerId: c.get('learnerId'), now: new Date() }, onMeta),
      ),
  );

/**
 * An answer as server-sent events: meta once `run` says the question is accepted, then
 * the verified citations, the answer sentence by sentence (with its markers, together
 * exactly its text) and done; a failure after meta is an `error` event. Errors before
 * meta are thrown, so they are answered as problem+json.
 */
export async function streamAnswer(c: Context<AppEnv>, run: (onMeta: (meta: Meta) => void) => Promise<Answer>) {
  const events = createEventQueue<StreamEvent>();
  let started: () => void = () => undefined;
  const start = new Promise<void>((resolve) => (started = resolve));
  const answered = run((meta) => {
    events.push({ event: 'meta', data: meta });
    started();
  });
  await Promise.race([start, answered]);
  answered.then(
    (answer) => {
      events.push({ event: 'citations', data: { citations: answer.citations } });
      const parts = answer.answer.split(/(?<=\]) (?=[^[])/);
      parts.forEach((part, i) => events.push({ event: 'delta', data: { text: i < parts.length - 1 ? `${part} ` : part } }));
      events.push({ event: 'done', data: answer });
      events.close();
    },
    (error: unknown) => {
      events.push({ event: 'error', data: streamError(c, error, 'Answering') });
      events.close();
    },
  );
  return sseResponse(c, events);
}
