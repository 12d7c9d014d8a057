import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/app-env';
import { AUTHOR_SECURITY, requireAuthor } from '../../http/author-auth';
import { LEARNER_SECURITY, requireLearner } from '../../http/learner-auth';
import { problemResponses } from '../../http/problem';
import { courseQuerySchema } from '../content/content.schemas';
import { validationHook } from '../../http/validation';
import { gradeAttempt, reviewItem } from './mastery.grading';
import { conceptMastery, conceptPredictions, dueReviews, nextQuizItem } from './mastery.reads';
import { MIN_FIT_ATTEMPTS, refitBkt } from './mastery.refit';
import { MIN_KT_ATTEMPTS, MIN_KT_LEARNERS, refitIrt, refitKt } from './mastery.kt';
import { MAX_LEARNER_FITS, MIN_COURSE_REVIEWS, MIN_LEARNER_REVIEWS, refitFsrs } from './mastery.fsrs-fit';
import {
  AttemptSchema,
  BktFitResponseSchema,
  ConceptMasteryListSchema,
  DueQuerySchema,
  DueReviewsSchema,
  FitBktBodySchema,
  FitDryRunBodySchema,
  FsrsFitResponseSchema,
  IrtFitResponseSchema,
  KtFitResponseSchema,
  GradedSchema,
  ItemParamSchema,
  NextQuizItemSchema,
  PredictionsSchema,
  QuizLessonParamSchema,
  ReviewBodySchema,
  ReviewResultSchema,
} from './mastery.schemas';

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
      request: { params: QuizLessonParamSchema },
      responses: {
        200: {
          description: 'The next item and the ability estimate',
          content: { 'application/json': { schema: NextQuizItemSchema } },
        },
        ...problemResponses(400, 401, 404, 429),
      },
    }),
    async (c) => {
      const { lessonSlug } = c.req.valid('param');
      return c.json(await nextQuizItem(c.get('deps'), { learnerId: c.get('learnerId'), lessonSlug }), 200);
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
        ...problemResponses(400, 401, 404, 409, 429),
      },
    }),
    async (c) => {
      const attempt = c.req.valid('json');
      return c.json(await gradeAttempt(c.get('deps'), { learnerId: c.get('learnerId'), attempt, now: new Date() }), 200);
    },
  );

export const reviewRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'get',
      path: '/due',
      tags: ['Learners'],
      summary: 'Quiz items due for review now (FSRS), soonest first',
      description:
        "Every course's cards, or with `course` one course's (404 naming `query/course` for a course the catalog lacks).",
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      request: { query: DueQuerySchema },
      responses: {
        200: {
          description: 'Due reviews, and how many are scheduled later',
          content: { 'application/json': { schema: DueReviewsSchema } },
        },
        ...problemResponses(400, 401, 404, 429),
      },
    }),
    async (c) => {
      const { limit, course } = c.req.valid('query');
      return c.json(await dueReviews(c.get('deps'), { learnerId: c.get('learnerId'), limit, now: new Date(), course }), 200);
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
        ...problemResponses(400, 401, 404, 409, 429),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const review = c.req.valid('json');
      return c.json(await reviewItem(c.get('deps'), { learnerId: c.get('learnerId'), itemId: id, review, now: new Date() }), 200);
    },
  );

export const learnerModelRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'get',
      path: '/mastery',
      tags: ['Learners'],
      summary: 'Mastery of every assessed concept: BKT P(known) and a level',
      description: "The concepts of one course with `course`, else every course's, each with its course.",
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      request: { query: courseQuerySchema('Only the concepts this course assesses') },
      responses: {
        200: {
          description: 'Concepts, weakest first',
          content: { 'application/json': { schema: ConceptMasteryListSchema } },
        },
        ...problemResponses(400, 401, 404, 429),
      },
    }),
    async (c) => {
      const { course } = c.req.valid('query');
      return c.json(await conceptMastery(c.get('deps'), { learnerId: c.get('learnerId'), course }), 200);
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
      request: { query: courseQuerySchema('Only the concepts this course assesses') },
      responses: {
        200: {
          description: 'Predictions per concept',
          content: { 'application/json': { schema: PredictionsSchema } },
        },
        ...problemResponses(400, 401, 404, 429),
      },
    }),
    async (c) => {
      const { course } = c.req.valid('query');
      return c.json(await conceptPredictions(c.get('deps'), { learnerId: c.get('learnerId'), now: new Date(), course }), 200);
    },
  );

export const masteryAdminRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
masteryAdminRoutes.use('*', requireAuthor('admin'));
masteryAdminRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/fit-bkt',
    tags: ['Authoring'],
    summary: "Refit each concept's BKT parameters by EM from the logged graded answers, per course",
    description: `A concept slug two courses use is fitted apart in each, from that course's answers. Concepts with fewer than ${MIN_FIT_ATTEMPTS} graded answers in a course keep the defaults there. Mastery already stored is not recomputed; new answers use the new parameters.`,
    security: AUTHOR_SECURITY,
    request: {
      body: {
        required: false,
        content: { 'application/json': { schema: FitBktBodySchema } },
      },
    },
    responses: {
      200: {
        description: 'The fit per concept',
        content: { 'application/json': { schema: BktFitResponseSchema } },
      },
      ...problemResponses(400, 401, 403, 429),
    },
  }),
  async (c) => {
    const { fitForget = false, dryRun = false } =
      (c.req.valid('json') as { fitForget?: boolean; dryRun?: boolean } | undefined) ?? {};
    return c.json(await refitBkt(c.get('deps'), { fitForget, dryRun, now: new Date() }), 200);
  },
);

masteryAdminRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/fit-kt',
    tags: ['Authoring'],
    summary: "Choose each course's knowledge-tracing model (BKT or PFA) by its predictions on held-out learners",
    description: `One learner in five is held out; BKT and PFA are fitted on the others' graded answers and predict the held-out answers one by one, and the lower log-loss wins. A course with fewer than ${MIN_KT_ATTEMPTS} answers or ${MIN_KT_LEARNERS} learners keeps BKT. New answers in the course update mastery with the chosen model; mastery already stored is not recomputed.`,
    security: AUTHOR_SECURITY,
    request: { body: { required: false, content: { 'application/json': { schema: FitDryRunBodySchema } } } },
    responses: {
      200: { description: 'The fit per course', content: { 'application/json': { schema: KtFitResponseSchema } } },
      ...problemResponses(400, 401, 403, 429),
    },
  }),
  async (c) => {
    const { dryRun = false } = (c.req.valid('json') as { dryRun?: boolean } | undefined) ?? {};
    return c.json(await refitKt(c.get('deps'), { dryRun, now: new Date() }), 200);
  },
);

masteryAdminRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/fit-fsrs',
    tags: ['Authoring'],
    summary: "Fit FSRS's weights to the review log, per course and per learner with enough reviews",
    description: `Forward in time, as the SRS benchmark evaluates: weights are fitted on the reviews before the time 80% of them came before, and predict recall on the later ones against the weights they started from (the defaults for a course, the course's for a learner). Winning weights are refitted on every review and stored; a learner's next reviews schedule with theirs, else their course's. A course needs ${MIN_COURSE_REVIEWS} reviews a day or more after the card's previous one, a learner ${MIN_LEARNER_REVIEWS}; at most ${MAX_LEARNER_FITS} learners per run, those with the most reviews first.`,
    security: AUTHOR_SECURITY,
    request: { body: { required: false, content: { 'application/json': { schema: FitDryRunBodySchema } } } },
    responses: {
      200: { description: 'The fit per course', content: { 'application/json': { schema: FsrsFitResponseSchema } } },
      ...problemResponses(400, 401, 403, 429),
    },
  }),
  async (c) => {
    const { dryRun = false } = (c.req.valid('json') as { dryRun?: boolean } | undefined) ?? {};
    return c.json(await refitFsrs(c.get('deps'), { dryRun, now: new Date() }), 200);
  },
);

masteryAdminRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/fit-irt',
    tags: ['Authoring'],
    summary:
      "Calibrate each course's quiz items (difficulty, and discrimination with enough answers) from learners' first answers",
    description:
      "Marginal MAP by EM over the learners' abilities, with the author's difficulty as each item's prior. Items with fewer than 20 answers keep the author's difficulty; discrimination is fitted from 100 answers. Items everyone gets right or wrong, or that the stronger learners miss more, are flagged. The adaptive quiz uses the stored calibration from the next question on.",
    security: AUTHOR_SECURITY,
    request: { body: { required: false, content: { 'application/json': { schema: FitDryRunBodySchema } } } },
    responses: {
      200: {
        description: 'The calibration per course and item',
        content: { 'application/json': { schema: IrtFitResponseSchema } },
      },
      ...problemResponses(400, 401, 403, 429),
    },
  }),
  async (c) => {
    const { dryRun = false } = (c.req.valid('json') as { dryRun?: boolean } | undefined) ?? {};
    return c.json(await refitIrt(c.get('deps'), { dryRun, now: new Date() }), 200);
  },
);
