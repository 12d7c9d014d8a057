import { z } from '@hono/zod-openapi';
import { SlugSchema } from '../content/content.schemas';
import { plainText } from '../../platform/words';

/** The longest question taken: a question, not a document to summarize. */
export const MAX_QUESTION_CHARS = 1000;

export const AskRequestSchema = z
  .strictObject({
    question: z
      .string()
      // Full-width letters or zero-width spaces are the same question (see plainText).
      .overwrite(plainText)
      .trim()
      .min(1, 'must not be empty')
      .max(MAX_QUESTION_CHARS, `must be at most ${MAX_QUESTION_CHARS} characters`)
      .openapi({ example: 'How do I keep only the rows where the price is over 10?' }),
    lessonSlug: SlugSchema.optional().openapi({
      description:
        'The lesson the learner is reading: with scope `lesson` the answer comes from it alone; otherwise it is preferred',
    }),
    scope: z.enum(['lesson', 'course', 'all']).default('course').openapi({
      description:
        'lesson: that lesson only (needs lessonSlug); course: the lessons of one course (the default; see `course`); all: every lesson of the catalog and the uploaded sources',
    }),
    course: SlugSchema.optional().openapi({
      description:
        "With scope course: the course to answer from (a slug of GET /api/courses); default: lessonSlug's course, else every course of the catalog",
    }),
    format: z
      .enum(['markdown', 'text'])
      .default('markdown')
      .openapi({ description: 'markdown (the default) or plain text without markup, for API clients' }),
  })
  .refine((ask) => ask.scope !== 'lesson' || ask.lessonSlug !== undefined, {
    message: 'scope lesson needs the lesson: send lessonSlug, or ask with scope course',
    path: ['lessonSlug'],
  })
  .openapi('AskRequest');
export type AskRequest = z.infer<typeof AskRequestSchema>;

export const CitationSchema = z
  .object({
    n: z.number().int().min(1).openapi({ description: 'The marker [n] in the answer' }),
    kind: z.enum(['lesson', 'source']),
    lessonSlug: z.string().optional(),
    sourceId: z.string().optional(),
    anchor: z.string().optional().openapi({ description: "The heading's anchor in the lesson" }),
    page: z.number().int().nullable().optional().openapi({ description: "The source's page, when it has pages" }),
    title: z.string(),
    headingPath: z.array(z.string()),
    href: z.string().openapi({ description: 'Deep link to the heading (lessons) or the source page' }),
    quote: z.string().openapi({ description: 'The words of the passage the claim rests on, exactly as the passage has them' }),
  })
  .openapi('Citation');
export type Citation = z.infer<typeof CitationSchema>;

export const SuggestionSchema = z
  .object({ lessonSlug: z.string(), title: z.string(), href: z.string() })
  .openapi('AnswerSuggestion');
export type Suggestion = z.infer<typeof SuggestionSchema>;

export const AnswerSchema = z
  .object({
    answerId: z.string().openapi({
      description: 'Names this answer for feedback (an `answer.feedback` event); valid for this learner only',
    }),
    question: z.string(),
    scope: z.enum(['lesson', 'course', 'all']),
    answer: z.string().openapi({ description: 'Markdown (or plain text) with inline markers [1], [2] naming citations' }),
    covered: z.boolean().openapi({ description: 'False when no passage supports an answer: the course does not cover this' }),
    citations: z.array(CitationSchema),
    suggestions: z.array(SuggestionSchema).openapi({ description: 'Related lessons to read next; never counted as citations' }),
    engine: z.enum(['offline', 'model']).openapi({
      description:
        'offline: sentences of the passages that answer the question, chosen without a model; model: a configured chat model',
    }),
    engineNote: z.string().nullable().openapi({ description: 'Why the offline engine answered when a model is configured' }),
    cached: z.boolean(),
    usage: z.object({ promptTokens: z.number().int(), completionTokens: z.number().int(), costUsd: z.number() }),
  })
  .openapi('Answer');
export type Answer = z.infer<typeof AnswerSchema>;

/** Most messages one conversation holds (questions and answers): a long one starts afresh. */
export const MAX_CONVERSATION_MESSAGES = 100;

export const ConversationIdSchema = z
  .string()
  .regex(/^cnv_[0-9a-f]{32}$/, 'must be a conversation id (cnv_ and 32 hex digits)')
  .openapi({ param: { name: 'id', in: 'path' }, example: `cnv_${'0'.repeat(32)}` });

export const NewConversationSchema = z
  .strictObject({
    title: z.string().trim().min(1, 'must not be empty').max(120, 'must be at most 120 characters').optional(),
    lessonSlug: SlugSchema.optional(),
    scope: z.enum(['lesson', 'course', 'all']).default('course'),
  })
  .refine((c) => c.scope !== 'lesson' || c.lessonSlug !== undefined, {
    message: 'scope lesson needs the lesson: send lessonSlug, or use scope course',
    path: ['lessonSlug'],
  })
  .openapi('NewConversation');

export const ConversationMessageRequestSchema = z
  .strictObject({
    question: AskRequestSchema.shape.question,
    format: AskRequestSchema.shape.format,
  })
  .openapi('ConversationQuestion');

export const ConversationMessageSchema = z
  .object({
    role: z.enum(['learner', 'answer']),
    text: z.string(),
    query: z.string().nullable().openapi({ description: 'For a question: the standalone question retrieval used' }),
    citations: z.array(CitationSchema),
    engine: z.enum(['offline', 'model']).nullable(),
    createdAt: z.string(),
  })
  .openapi('ConversationMessage');

export const ConversationSummarySchema = z
  .object({
    id: z.string(),
    title: z.string(),
    scope: z.enum(['lesson', 'course', 'all']),
    lessonSlug: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    messages: z.number().int(),
  })
  .openapi('ConversationSummary');

export const ConversationSchema = ConversationSummarySchema.omit({ messages: true })
  .extend({ messages: z.array(ConversationMessageSchema) })
  .openapi('Conversation');
export type Conversation = z.infer<typeof ConversationSchema>;
