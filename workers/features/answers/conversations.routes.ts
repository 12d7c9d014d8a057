import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/app-env';
import { LEARNER_SECURITY, ofLearner, requireLearner } from '../../http/learner-auth';
import { AppError, problemResponses } from '../../http/problem';
import { validationHook } from '../../http/validation';
import type { LearnerStore } from '../learners/learner.store';
import { standaloneQuestion } from './answers.domain';
import { streamAnswer } from './answers.routes';
import { answerQuestion } from './answers.service';
import {
  ConversationIdSchema,
  ConversationMessageRequestSchema,
  ConversationSchema,
  ConversationSummarySchema,
  CitationSchema,
  MAX_CONVERSATION_MESSAGES,
  NewConversationSchema,
  type Conversation,
} from './answers.schemas';

/** Conversations a list shows, most recent first. */
const LISTED = 50;

type Stored = NonNullable<ReturnType<LearnerStore['conversation']>>;

/** A stored conversation as the API shows it. */
function conversationView(stored: Stored): Conversation {
  return ConversationSchema.parse({
    id: stored.id,
    title: stored.title,
    scope: stored.scope,
    lessonSlug: stored.lessonSlug,
    createdAt: stored.createdAt,
    updatedAt: stored.updatedAt,
    messages: stored.messages.map((m) => ({
      role: m.role,
      text: m.text,
      query: m.query,
      citations: z.array(CitationSchema).parse(m.citations),
      engine: m.engine,
      createdAt: m.createdAt,
    })),
  });
}

const idParam = { params: z.object({ id: ConversationIdSchema }) };

export const conversationRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags: ['Learners'],
      summary: 'Start a conversation with the course (its scope, and the lesson it starts from)',
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      // All of it optional: no body starts a course-wide conversation.
      request: { body: { required: false, content: { 'application/json': { schema: NewConversationSchema } } } },
      responses: {
        201: { description: 'The conversation, empty', content: { 'application/json': { schema: ConversationSchema } } },
        ...problemResponses(400, 401, 404, 429),
      },
    }),
    async (c) => {
      const {
        title,
        lessonSlug,
        scope = 'course',
      } = (c.req.valid('json') as Partial<z.infer<typeof NewConversationSchema>> | undefined) ?? {};
      const { deps, learnerId } = c.var;
      const courseId = lessonSlug
        ? await deps.content.lessonCourse(lessonSlug)
        : ((await deps.content.currentCourse())?.id ?? null);
      if (lessonSlug && courseId === null) {
        throw new AppError('not_found', `No lesson ${lessonSlug}`, {
          errors: [{ field: 'json/lessonSlug', message: 'is not a lesson of this course' }],
        });
      }
      const now = new Date().toISOString();
      const created = await deps.learner(learnerId).createConversation(learnerId, {
        id: `cnv_${crypto.randomUUID().replaceAll('-', '')}`,
        courseId,
        title: title ?? 'New conversation',
        scope,
        lessonSlug: lessonSlug ?? null,
        createdAt: now,
        updatedAt: now,
      });
      const stored = ofLearner<NonNullable<typeof created>>(created);
      if (!stored) throw new Error('a created conversation was not found');
      return c.json(conversationView(stored), 201);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['Learners'],
      summary: 'Your conversations, most recently active first (at most 50)',
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      responses: {
        200: {
          description: 'The conversations',
          content: { 'application/json': { schema: z.object({ conversations: z.array(ConversationSummarySchema) }) } },
        },
        ...problemResponses(401, 429),
      },
    }),
    async (c) => {
      const { deps, learnerId } = c.var;
      const rows = ofLearner(await deps.learner(learnerId).conversations(learnerId, LISTED));
      return c.json({ conversations: z.array(ConversationSummarySchema).parse(rows) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      tags: ['Learners'],
      summary: 'One of your conversations with its questions and answers',
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      request: idParam,
      responses: {
        200: { description: 'The conversation', content: { 'application/json': { schema: ConversationSchema } } },
        ...problemResponses(400, 401, 404, 429),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { deps, learnerId } = c.var;
      const found = ofLearner(await deps.learner(learnerId).conversation(learnerId, id));
      if (found === 'none') throw new AppError('not_found', `You have no conversation ${id}`);
      return c.json(conversationView(found), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/{id}/messages',
      tags: ['Learners'],
      summary: 'Ask in a conversation: the answer as server-sent events (meta, citations, delta…, done or error)',
      description:
        'A follow-up that refers back ("and what about its speed?") or holds under two content words is made a standalone question from the one before it, for retrieval; the turn is stored before done. 404 for a conversation you do not have; 409 once it holds 100 messages.',
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      request: {
        ...idParam,
        body: { required: true, content: { 'application/json': { schema: ConversationMessageRequestSchema } } },
      },
      responses: {
        200: { description: 'An event stream', content: { 'text/event-stream': { schema: z.string() } } },
        ...problemResponses(400, 401, 404, 409, 429),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { question, format } = c.req.valid('json');
      const { deps, learnerId } = c.var;
      const found = ofLearner(await deps.learner(learnerId).conversation(learnerId, id));
      if (found === 'none') throw new AppError('not_found', `You have no conversation ${id}`);
      if (found.messages.length + 2 > MAX_CONVERSATION_MESSAGES) {
        throw new AppError('conflict', `This conversation holds ${MAX_CONVERSATION_MESSAGES} messages: start a new one`);
      }
      const previous = found.messages.findLast((m) => m.role === 'learner');
      const query = standaloneQuestion(previous ? (previous.query ?? previous.text) : null, question);
      const ask = { question, query, format, scope: found.scope, ...(found.lessonSlug ? { lessonSlug: found.lessonSlug } : {}) };
      return streamAnswer(c, async (onMeta) => {
        const now = new Date();
        const answer = await answerQuestion(deps, { ...ask, learnerId, now }, onMeta);
        const at = now.toISOString();
        const saved = ofLearner(
          await deps.learner(learnerId).appendTurn(
            learnerId,
            id,
            [
              { role: 'learner', text: question, query, citations: [], engine: null, createdAt: at },
              {
                role: 'answer',
                text: answer.answer,
                query: null,
                citations: answer.citations,
                engine: answer.engine,
                createdAt: at,
              },
            ],
            at,
            MAX_CONVERSATION_MESSAGES,
          ),
        );
        if (saved === 'none' || saved === 'full') throw new AppError('conflict', 'The conversation changed meanwhile: ask again');
        return answer;
      });
    },
  );
