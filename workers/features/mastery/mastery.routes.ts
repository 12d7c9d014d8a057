import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../../http/app-env';
import { AUTHOR_SECURITY, requireAuthor } from '../../http/author-auth';
import { LEARNER_SECURITY, ofLearner, requireLearner } from '../../http/learner-auth';
import { AppError, problemResponses } from '../../http/problem';
import { validationHook } from '../../http/validation';
import { SlugSchema } from '../content/content.schemas';
import type { ModelEvent } from '../events/events.schemas';
import { applyAbout, appliedOrThrow } from '../learners/learner.client';
import { fitBkt } from './mastery.bkt';
import { BktFitResponseSchema } from './mastery.schemas';
import {
  CARD_STATES,
  cardState,
  conceptLevel,
  pickItem,
  predict,
  retrievability,
  REVIEW_RATINGS,
  type ConceptState,
  type StoredCard,
} from './mastery.domain';
import type { Deps } from '../../deps';

const LEVELS = ['not started', 'learning', 'practising', 'mastered'] as const;

const MasterySchema = z
  .object({
    concept: z.string(),
    title: z.string(),
    pKnown: z.number().openapi({ description: 'BKT probability that the concept is known' }),
    level: z.enum(LEVELS),
    attempts: z.number().int(),
    correct: z.number().int(),
  })
  .openapi('ConceptMastery');

const CardSchema = z
  .object({
    due: z.string(),
    state: z.enum(CARD_STATES),
    stability: z.number().openapi({ description: 'Days until recall falls to 90%' }),
    difficulty: z.number(),
    reps: z.number().int(),
    lapses: z.number().int(),
    scheduledDays: z.number().int(),
  })
  .openapi('ReviewCard');

const EventIdSchema = z.uuid().openapi({ description: 'Client-generated UUID: a repeated request grades once' });

const AttemptSchema = z
  .object({
    eventId: EventIdSchema,
    itemId: z.string().min(1).max(200),
    answer: z.number().int().min(0).max(20).openapi({ description: 'Zero-based index of the chosen answer' }),
  })
  .strict();

const ReviewBodySchema = z
  .object({
    eventId: EventIdSchema,
    answer: z.number().int().min(0).max(20).optional().openapi({ description: 'The chosen answer, graded when sent' }),
    rating: z
      .enum(REVIEW_RATINGS)
      .optional()
      .openapi({ description: 'How well it was recalled; defaults to good for a right answer, again for a wrong one' }),
  })
  .strict()
  .refine((b) => b.answer !== undefined || b.rating !== undefined, {
    message: 'send an answer, a rating or both',
    path: ['rating'],
  });

const GradedSchema = z.object({
  applied: z.boolean().openapi({ description: 'false when this eventId was graded before' }),
  correct: z.boolean(),
  answer: z.number().int().openapi({ description: 'Index of the correct choice' }),
  explanation: z.string(),
  mastery: MasterySchema.nullable(),
});

const ReviewResultSchema = GradedSchema.extend({
  correct: z.boolean().nullable(),
  answer: z.number().int().nullable(),
  rating: z.enum(REVIEW_RATINGS),
  card: CardSchema,
});

const ItemParamSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: 'id', in: 'path' }, description: 'The quiz item under review' }),
});

const cardView = (card: StoredCard) => ({
  due: card.due,
  state: cardState(card),
  stability: card.stability,
  difficulty: card.difficulty,
  reps: card.reps,
  lapses: card.lapses,
  scheduledDays: card.scheduledDays,
});

const masteryView = (concept: string, title: string, state: ConceptState) => ({
  concept,
  title,
  pKnown: state.pKnown,
  level: conceptLevel(state),
  attempts: state.attempts,
  correct: state.correct,
});

/**
 * Applies a graded answer or review now (not through the queue), so the answer's
 * feedback and the updated mastery come back in the response. A repeated eventId is
 * answered from what was stored when it was first graded.
 */
async function applyNow(c: Context<AppEnv>, event: ModelEvent) {
  const { deps, learnerId } = c.var;
  const itemId = event.type === 'quiz.attempted' ? event.itemId : event.reviewId;
  const graded = await deps.mastery.gradedItem(itemId);
  const message = { learnerId, receivedAt: new Date().toISOString(), event };
  const outcome = graded
    ? await applyAbout(deps, message, { kind: 'item', ...graded })
    : ({ result: 'unknown_subject' } as const);
  const { result, model } = await appliedOrThrow(deps, learnerId, outcome, `No quiz item ${itemId}`);
  if (!model || !graded) throw new Error(`an answer to ${itemId} came back without its model change`);
  const { item } = graded;
  return {
    applied: result === 'applied',
    correct: model.correct,
    answer: model.correct === null ? null : item.answer,
    explanation: item.explanation,
    mastery: model.mastery ? masteryView(item.conceptId, item.conceptTitle, model.mastery) : null,
    rating: model.rating,
    card: model.card,
  };
}

/** The learner's mastery of every concept the course assesses, with its cards. */
async function conceptStates(deps: Deps, learnerId: string) {
  const [concepts, model] = await Promise.all([deps.mastery.assessedConcepts(), deps.learner(learnerId).model(learnerId)]);
  const mine = ofLearner(model);
  const mastery = new Map(mine.mastery.map((m) => [m.conceptId, m]));
  const cards = new Map<string, StoredCard[]>();
  for (const c of mine.cards) cards.set(c.conceptId, [...(cards.get(c.conceptId) ?? []), c.card]);
  return concepts.map((k) => {
    const m = mastery.get(k.concept);
    return {
      ...k,
      pKnown: m?.pKnown ?? k.params.prior,
      attempts: m?.attempts ?? 0,
      correct: m?.correct ?? 0,
      updatedAt: m?.updatedAt ?? null,
      cards: cards.get(k.concept) ?? [],
    };
  });
}

export const quizRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'get',
      path: '/{lessonSlug}/next',
      tags: ['Learners'],
      summary: "The lesson's next quiz item, chosen by item response theory for the learner's ability (jsCAT)",
      description:
        'Among the items not yet answered correctly (unanswered first), the one with the most Fisher information at the ' +
        "learner's ability estimate. `item` is null once every item has been answered correctly.",
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      request: {
        params: z.object({ lessonSlug: SlugSchema.openapi({ param: { name: 'lessonSlug', in: 'path' } }) }),
      },
      responses: {
        200: {
          description: 'The next item and the ability estimate',
          content: {
            'application/json': {
              schema: z.object({
                lessonSlug: z.string(),
                item: z
                  .object({ id: z.string(), question: z.string(), choices: z.array(z.string()), concept: z.string().nullable() })
                  .nullable(),
                ability: z.object({ theta: z.number(), se: z.number() }),
                answered: z.number().int().openapi({ description: 'Items answered correctly at least once' }),
                total: z.number().int(),
              }),
            },
          },
        },
        ...problemResponses(400, 401, 404),
      },
    }),
    async (c) => {
      const { lessonSlug } = c.req.valid('param');
      const { deps, learnerId } = c.var;
      const [items, quizState] = await Promise.all([
        deps.mastery.lessonItems(lessonSlug),
        deps.learner(learnerId).quizState(learnerId),
      ]);
      const state = ofLearner(quizState);
      if (!items) throw new AppError('not_found', `No lesson ${lessonSlug}`);
      const best = new Map(state.best.map((b) => [b.itemId, b.correct]));
      const quiz = { ability: state.ability, items };
      const open = items.filter((i) => best.get(i.id) !== true);
      const fresh = open.filter((i) => !best.has(i.id));
      const next = pickItem(quiz.ability.theta, fresh.length > 0 ? fresh : open);
      return c.json(
        {
          lessonSlug,
          item: next ? { id: next.id, question: next.question, choices: next.choices, concept: next.concept } : null,
          ability: quiz.ability,
          answered: quiz.items.length - open.length,
          total: quiz.items.length,
        },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/attempts',
      tags: ['Learners'],
      summary: "Answer a quiz item: graded at once, updating the concept's mastery, the ability and the review schedule",
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      request: { body: { required: true, content: { 'application/json': { schema: AttemptSchema } } } },
      responses: {
        200: { description: 'The grading', content: { 'application/json': { schema: GradedSchema } } },
        ...problemResponses(400, 401, 404, 409),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const result = await applyNow(c, {
        type: 'quiz.attempted',
        eventId: body.eventId,
        occurredAt: new Date().toISOString(),
        itemId: body.itemId,
        answer: body.answer,
      });
      const { card: _card, rating: _rating, ...graded } = result;
      const { correct, answer } = graded;
      // An attempt always carries an answer, so it is always graded (a duplicate without a grading is a 409).
      if (correct === null || answer === null) throw new Error(`attempt ${body.eventId} came back ungraded`);
      return c.json({ ...graded, correct, answer }, 200);
    },
  );

export const reviewRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'get',
      path: '/due',
      tags: ['Learners'],
      summary: 'Quiz items due for review now (FSRS), soonest first',
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      request: { query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }) },
      responses: {
        200: {
          description: 'Due reviews, and how many are scheduled later',
          content: {
            'application/json': {
              schema: z.object({
                due: z.array(
                  z.object({
                    id: z.string(),
                    itemId: z.string(),
                    lessonSlug: z.string(),
                    lessonTitle: z.string(),
                    question: z.string(),
                    choices: z.array(z.string()),
                    concept: z.string(),
                    due: z.string(),
                    state: z.enum(CARD_STATES),
                    reps: z.number().int(),
                    lapses: z.number().int(),
                    retrievability: z.number().openapi({ description: 'FSRS probability of recall now' }),
                  }),
                ),
                upcoming: z.number().int(),
                nextDue: z.string().nullable(),
              }),
            },
          },
        },
        ...problemResponses(400, 401),
      },
    }),
    async (c) => {
      const now = new Date();
      const { limit } = c.req.valid('query');
      const { deps, learnerId } = c.var;
      const cards = ofLearner(await deps.learner(learnerId).reviews(learnerId, now.toISOString()));
      // Cards of items no longer in the course are neither due nor upcoming.
      const items = await deps.mastery.reviewItems([...cards.due, ...cards.later].map((d) => d.itemId));
      const due = cards.due.flatMap((d) => {
        const item = items.get(d.itemId);
        return item ? [{ ...d, item }] : [];
      });
      const later = cards.later
        .filter((d) => items.has(d.itemId))
        .map((d) => d.due)
        .sort();
      return c.json(
        {
          due: due.slice(0, limit).map(({ itemId, conceptId, card, item }) => ({
            id: itemId,
            itemId,
            lessonSlug: item.lessonSlug,
            lessonTitle: item.lessonTitle,
            question: item.question,
            choices: item.choices,
            concept: conceptId,
            due: card.due,
            state: cardState(card),
            reps: card.reps,
            lapses: card.lapses,
            retrievability: retrievability(card, now),
          })),
          upcoming: later.length,
          nextDue: later[0] ?? null,
        },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/{id}',
      tags: ['Learners'],
      summary: 'Review a quiz item: rate recall (and answer it), rescheduling it with FSRS',
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      request: {
        params: ItemParamSchema,
        body: { required: true, content: { 'application/json': { schema: ReviewBodySchema } } },
      },
      responses: {
        200: { description: 'The review and the new schedule', content: { 'application/json': { schema: ReviewResultSchema } } },
        ...problemResponses(400, 401, 404, 409),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      // A review is of an item the learner has met; anything else is not theirs to review.
      if (!(await c.var.deps.learner(c.var.learnerId).hasCard(c.var.learnerId, id))) {
        throw new AppError('not_found', `No review ${id}`);
      }
      const result = await applyNow(c, {
        type: 'review.rated',
        eventId: body.eventId,
        occurredAt: new Date().toISOString(),
        reviewId: id,
        ...(body.rating === undefined ? {} : { rating: body.rating }),
        ...(body.answer === undefined ? {} : { answer: body.answer }),
      });
      return c.json({ ...result, card: cardView(result.card) }, 200);
    },
  );

export const learnerModelRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'get',
      path: '/mastery',
      tags: ['Learners'],
      summary: 'Mastery of every assessed concept: BKT P(known) and a level',
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      responses: {
        200: {
          description: 'Concepts, weakest first',
          content: {
            'application/json': {
              schema: z.object({ concepts: z.array(MasterySchema.extend({ updatedAt: z.string().nullable() })) }),
            },
          },
        },
        ...problemResponses(401),
      },
    }),
    async (c) => {
      const concepts = await conceptStates(c.var.deps, c.var.learnerId);
      return c.json(
        {
          concepts: concepts
            .map((k) => ({ ...masteryView(k.concept, k.title, k), updatedAt: k.updatedAt }))
            .sort((a, b) => a.pKnown - b.pKnown || a.title.localeCompare(b.title)),
        },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/predictions',
      tags: ['Learners'],
      summary: "Predicted chance of answering each concept's items correctly, now and in 7 days",
      description:
        "BKT P(known) combined with FSRS retrievability R of the concept's review cards: " +
        'P(correct at t) = P(known)·R(t)·(1 − slip) + (1 − P(known)·R(t))·guess.',
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      responses: {
        200: {
          description: 'Predictions per concept',
          content: {
            'application/json': {
              schema: z.object({
                concepts: z.array(
                  z.object({
                    concept: z.string(),
                    title: z.string(),
                    pKnown: z.number(),
                    now: z.number(),
                    in7Days: z.number(),
                    retrievabilityNow: z.number().nullable(),
                    retrievabilityIn7Days: z.number().nullable(),
                  }),
                ),
              }),
            },
          },
        },
        ...problemResponses(401),
      },
    }),
    async (c) => {
      const now = new Date();
      const concepts = await conceptStates(c.var.deps, c.var.learnerId);
      return c.json(
        {
          concepts: concepts.map((k) => ({
            concept: k.concept,
            title: k.title,
            pKnown: k.pKnown,
            ...predict(k.pKnown, k.params, k.cards, now),
          })),
        },
        200,
      );
    },
  );

/** Fewest graded answers of a concept before its own parameters are fitted (else the defaults stay). */
const MIN_FIT_ATTEMPTS = 20;

export const masteryAdminRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
masteryAdminRoutes.use('*', requireAuthor('content:write'));
masteryAdminRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/fit-bkt',
    tags: ['Authoring'],
    summary: "Refit each concept's BKT parameters by EM from the logged graded answers",
    description: `Concepts with fewer than ${MIN_FIT_ATTEMPTS} graded answers keep the defaults. Mastery already stored is not recomputed; new answers use the new parameters.`,
    security: AUTHOR_SECURITY,
    request: {
      body: {
        required: false,
        content: {
          'application/json': {
            schema: z
              .object({
                fitForget: z.boolean().default(false).openapi({ description: 'Fit the forget probability too' }),
                dryRun: z.boolean().default(false).openapi({ description: 'Report the fit without storing it' }),
              })
              .strict(),
          },
        },
      },
    },
    responses: {
      200: {
        description: 'The fit per concept',
        content: { 'application/json': { schema: BktFitResponseSchema } },
      },
      ...problemResponses(400, 401, 403),
    },
  }),
  async (c) => {
    const { deps } = c.var;
    const { fitForget = false, dryRun = false } =
      (c.req.valid('json') as { fitForget?: boolean; dryRun?: boolean } | undefined) ?? {};
    const data = await deps.mastery.fitSequences();
    const enough = data.filter((d) => d.attempts >= MIN_FIT_ATTEMPTS);
    const fitted = enough.map((d) => ({ ...d, fit: fitBkt(d.sequences, { fitForget }) }));
    if (!dryRun) {
      await deps.mastery.saveParams(
        fitted.map((f) => ({ conceptId: f.conceptId, params: f.fit.params, attempts: f.attempts, learners: f.learners })),
        new Date().toISOString(),
      );
    }
    deps.logger.log('info', 'mastery.bkt_fitted', { concepts: fitted.length, dryRun });
    return c.json(
      {
        fitted: fitted.map((f) => ({
          concept: f.conceptId,
          learners: f.learners,
          attempts: f.attempts,
          ...f.fit.params,
          logLikelihood: f.fit.logLikelihood,
          iterations: f.fit.iterations,
        })),
        skipped: data.filter((d) => d.attempts < MIN_FIT_ATTEMPTS).map((d) => ({ concept: d.conceptId, attempts: d.attempts })),
        stored: !dryRun,
      },
      200,
    );
  },
);
