import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/app-env';
import { LEARNER_SECURITY, requireLearner } from '../../http/learner-auth';
import { problemResponses } from '../../http/problem';
import { validationHook } from '../../http/validation';
import { answerQuestion } from './answers.service';
import { AnswerSchema, AskRequestSchema } from './answers.schemas';

/** `POST /api/answers`: a learner's question answered from the course, every claim cited. */
export const answerRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(
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
    request: { body: { required: true, content: { 'application/json': { schema: AskRequestSchema } } } },
    responses: {
      200: { description: 'The answer with its citations', content: { 'application/json': { schema: AnswerSchema } } },
      ...problemResponses(400, 401, 404, 429),
    },
  }),
  async (c) =>
    c.json(await answerQuestion(c.var.deps, { ...c.req.valid('json'), learnerId: c.var.learnerId, now: new Date() }), 200),
);
