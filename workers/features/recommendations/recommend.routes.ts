import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/app-env';
import { AUTHOR_SECURITY, requireAuthor } from '../../http/author-auth';
import { currentLearner, LEARNER_SECURITY, requireLearner } from '../../http/learner-auth';
import { AppError, problemResponses } from '../../http/problem';
import { validationHook } from '../../http/validation';
import type { Deps } from '../../deps';
import { SlugSchema } from '../content/content.schemas';
import { applyEvent, appliedOrThrow } from '../learners/learner.client';
import { RECOMMENDATION_ACTIONS } from '../events/events.schemas';
import { daysBetween, GOAL_TYPES, planPath, usualPace, type Goal } from './path.domain';
import { forgetRecommendations, recommendationsKey } from './recommend.cache';
import { recommend, type Recommendation } from './recommend.domain';

/** Most items a list holds; a request asks for a prefix of it. */
const MAX_ITEMS = 20;
/** A cached list also ages out, for what changes without an event of the learner (due times, others' feedback). */
const CACHE_TTL_SECONDS = 600;

const ReasonSchema = z.object({ code: z.string(), text: z.string() });
const RecommendationSchema = z
  .object({
    id: z.string().openapi({ example: 'lesson:inner-joins' }),
    kind: z.enum(['lesson', 'review', 'quiz']),
    lessonSlug: z.string(),
    title: z.string(),
    score: z.number(),
    reasons: z.array(ReasonSchema),
  })
  .openapi('Recommendation');

const CachedSchema = z.object({
  standard: z.array(RecommendationSchema).optional(),
  skips: z.array(RecommendationSchema).optional(),
});
type Cached = z.infer<typeof CachedSchema>;

/** A stable seed per learner and day: the exploration slot changes daily, not on every request. */
function seedOf(learnerId: string, day: string): number {
  let hash = 2166136261;
  for (const ch of `${learnerId}|${day}`) hash = Math.imul(hash ^ ch.charCodeAt(0), 16777619) >>> 0;
  return hash;
}

async function rank(deps: Deps, learnerId: string, allowSkips: boolean, now: Date): Promise<Recommendation[]> {
  const learner = await deps.recommend.learner(learnerId, now);
  const lessons = await deps.recommend.course(learner.courseStamp);
  const goalLessons = new Set<string>();
  if (learner.goal) {
    const path = planPath(lessons, { ...learner.signals, allowSkips }, learner.goal, PLAIN_PACE, new Map(), now.toISOString());
    for (const step of path.steps) goalLessons.add(step.lessonSlug);
  }
  return recommend(
    lessons,
    { ...learner.signals, goalLessons, allowSkips },
    { limit: MAX_ITEMS, seed: seedOf(learnerId, now.toISOString().slice(0, 10)) },
  );
}

/** Pace for choosing goal lessons only (minutes do not matter there). */
const PLAIN_PACE = { minutesPerDay: 60, speed: 1, source: 'default' as const };

const GoalBodySchema = z
  .object({
    type: z.enum(GOAL_TYPES),
    id: SlugSchema.openapi({ description: 'The concept id, lesson slug or part slug' }),
    targetDate: z.iso.date().optional().openapi({ description: 'When the learner wants to be there (YYYY-MM-DD)' }),
  })
  .strict();
const GoalSchema = z
  .object({ type: z.enum(GOAL_TYPES), id: z.string(), targetDate: z.string().nullable() })
  .openapi('LearningGoal');

export const recommendationRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['Learners'],
      summary: 'What to do next, ranked, each with the reasons',
      description:
        'Next lessons (prerequisites completed or mastered, unless `allowSkips`), due reviews and unfinished quizzes, ' +
        'ranked by goal, layer progression, mastery gaps, due reviews, co-completion by other learners, similarity ' +
        'to the last lesson and course order, diversified by MMR, with at most one exploration slot in five. ' +
        'Cached per learner until one of their events changes it.',
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      request: {
        query: z.object({
          limit: z.coerce.number().int().min(1).max(MAX_ITEMS).default(5),
          allowSkips: z
            .enum(['true', 'false'])
            .default('false')
            .openapi({ description: 'Also offer lessons whose prerequisites are not done yet' }),
        }),
      },
      responses: {
        200: {
          description: 'Ranked recommendations',
          content: {
            'application/json': {
              schema: z.object({ items: z.array(RecommendationSchema), cached: z.boolean() }),
            },
          },
        },
        ...problemResponses(400, 401),
      },
    }),
    async (c) => {
      const { deps, learnerId } = c.var;
      const { limit, allowSkips } = c.req.valid('query');
      const variant = allowSkips === 'true' ? 'skips' : 'standard';
      const cached = await deps.cache.getJson(recommendationsKey(learnerId), CachedSchema);
      const hit = cached?.[variant];
      if (hit) return c.json({ items: hit.slice(0, limit), cached: true }, 200);
      const items = await rank(deps, learnerId, variant === 'skips', new Date());
      const next: Cached = { ...cached, [variant]: items };
      await deps.cache.putJson(recommendationsKey(learnerId), next, { ttlSeconds: CACHE_TTL_SECONDS });
      return c.json({ items: items.slice(0, limit), cached: false }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/{id}/feedback',
      tags: ['Learners'],
      summary: 'Accept, dismiss or complete a recommendation (a dismissed one stays away for 7 days)',
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      request: {
        params: z.object({
          id: z
            .string()
            .regex(/^(lesson|review|quiz):[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a recommendation id like lesson:<slug>')
            .max(130)
            .openapi({ param: { name: 'id', in: 'path' } }),
        }),
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z
                .object({
                  eventId: z.uuid().openapi({ description: 'Client-generated UUID: a repeated request counts once' }),
                  occurredAt: z.iso.datetime({ offset: true }).optional().openapi({ description: 'Defaults to now' }),
                  action: z.enum(RECOMMENDATION_ACTIONS),
                  rating: z.number().int().min(1).max(5).optional(),
                })
                .strict(),
            },
          },
        },
      },
      responses: {
        200: {
          description: 'Whether the feedback was new',
          content: { 'application/json': { schema: z.object({ applied: z.boolean() }) } },
        },
        ...problemResponses(400, 401, 409),
      },
    }),
    async (c) => {
      const { deps, learnerId } = c.var;
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const outcome = await applyEvent(deps, {
        learnerId,
        receivedAt: new Date().toISOString(),
        event: {
          type: 'recommendation.feedback',
          eventId: body.eventId,
          occurredAt: body.occurredAt ?? new Date().toISOString(),
          recommendationId: id,
          action: body.action,
          ...(body.rating === undefined ? {} : { rating: body.rating }),
        },
      });
      const { result } = await appliedOrThrow(deps, learnerId, outcome, `No recommendation ${id}`);
      return c.json({ applied: result === 'applied' }, 200);
    },
  );

export const goalRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'put',
      path: '/goal',
      tags: ['Learners'],
      summary: 'Set the learning goal: a concept, a lesson or a part, with an optional target date',
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      request: { body: { required: true, content: { 'application/json': { schema: GoalBodySchema } } } },
      responses: {
        200: { description: 'The goal', content: { 'application/json': { schema: GoalSchema } } },
        ...problemResponses(400, 401),
      },
    }),
    async (c) => {
      const { deps, learnerId } = c.var;
      await currentLearner(deps, learnerId);
      const body = c.req.valid('json');
      const courseId = await deps.recommend.goalCourse(body);
      if (courseId === null) {
        throw new AppError('validation_failed', `The course has no ${body.type} "${body.id}"`, {
          errors: [{ field: 'json/id', message: `no ${body.type} "${body.id}" in the course` }],
        });
      }
      const goal: Goal = { type: body.type, id: body.id, targetDate: body.targetDate ?? null };
      await deps.recommend.setGoal(learnerId, goal, courseId, new Date().toISOString());
      await forgetRecommendations(deps, learnerId);
      return c.json(goal, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/goal',
      tags: ['Learners'],
      summary: 'The learning goal, or null',
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      responses: {
        200: { description: 'The goal', content: { 'application/json': { schema: z.object({ goal: GoalSchema.nullable() }) } } },
        ...problemResponses(401),
      },
    }),
    async (c) => {
      return c.json({ goal: await c.var.deps.recommend.goal(c.var.learnerId) }, 200);
    },
  );

export const learningPathRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags: ['Learners'],
    summary: "The ordered steps to the learner's goal, with time estimates and whether the target date is reachable",
    description:
      'Without a set goal, the first part chosen at onboarding is the goal. Steps respect prerequisites, skip ' +
      "lessons completed or whose concepts are mastered, and scale the author's minutes by the learner's measured speed.",
    security: LEARNER_SECURITY,
    middleware: [requireLearner] as const,
    request: {
      query: z.object({
        today: z.iso
          .date()
          .optional()
          .openapi({ description: "The learner's local date (YYYY-MM-DD), for the target-date check; defaults to UTC's" }),
      }),
    },
    responses: {
      200: {
        description: 'The path',
        content: {
          'application/json': {
            schema: z
              .object({
                goal: GoalSchema.extend({ source: z.enum(['goal', 'onboarding']) }),
                steps: z.array(
                  z.object({ lessonSlug: z.string(), title: z.string(), minutes: z.number().int(), reason: z.string() }),
                ),
                totalMinutes: z.number().int(),
                daysNeeded: z.number().int(),
                reachableByTarget: z.boolean().nullable(),
                pace: z.object({
                  minutesPerDay: z.number(),
                  speed: z.number(),
                  source: z.enum(['activity', 'onboarding', 'default']),
                }),
              })
              .openapi('LearningPath'),
          },
        },
      },
      ...problemResponses(400, 401, 404),
    },
  }),
  async (c) => {
    const { deps, learnerId } = c.var;
    const now = new Date();
    const { today = now.toISOString().slice(0, 10) } = c.req.valid('query');
    // Every time zone's date is within a day of UTC's.
    if (Math.abs(daysBetween(now.toISOString(), today)) > 1) {
      throw new AppError('validation_failed', `today ${today} is not today in any time zone`, {
        errors: [{ field: 'query/today', message: 'must be the local date, within a day of UTC' }],
      });
    }
    const learner = await deps.recommend.learner(learnerId, now);
    const lessons = await deps.recommend.course(learner.courseStamp);
    const onboarding = learner.onboardingGoals[0];
    const goal = learner.goal
      ? { ...learner.goal, source: 'goal' as const }
      : onboarding
        ? { type: 'part' as const, id: onboarding, targetDate: null, source: 'onboarding' as const }
        : null;
    if (!goal) throw new AppError('not_found', 'No goal yet: set one with PUT /api/learners/me/goal');
    const timed = lessons
      .filter((l) => learner.signals.completed.has(l.slug))
      .map((l) => ({ activeSeconds: learner.activeSeconds.get(l.slug) ?? 0, minutes: l.minutes }));
    const pace = usualPace(learner.days, learner.sessionMinutes, timed);
    const path = planPath(
      lessons,
      { ...learner.signals, allowSkips: false },
      goal,
      pace,
      learner.activeSeconds,
      now.toISOString(),
    );
    return c.json({ goal, ...path, pace }, 200);
  },
);

export const recommendationAdminRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
recommendationAdminRoutes.use('*', requireAuthor('content:write'));
recommendationAdminRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/refresh',
    tags: ['Authoring'],
    summary: 'Recompute lesson co-completion from all learners now (the cron job does it every 10 minutes)',
    security: AUTHOR_SECURITY,
    responses: {
      200: {
        description: 'How many lesson pairs there are',
        content: { 'application/json': { schema: z.object({ pairs: z.number().int() }) } },
      },
      ...problemResponses(401, 403),
    },
  }),
  async (c) => c.json({ pairs: await c.var.deps.recommend.refreshPairs() }, 200),
);
