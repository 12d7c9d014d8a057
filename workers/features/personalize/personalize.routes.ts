import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/app-env';
import { currentLearner, LEARNER_SECURITY, requireLearner } from '../../http/learner-auth';
import { problemResponses } from '../../http/problem';
import { byIp, byLearner, checkLimits, rateLimit, type LimitCheck } from '../../http/rate-limit';
import { createEventQueue, sseResponse, streamError } from '../../http/event-queue';
import { validationHook } from '../../http/validation';
import { personalizationPrefix } from './personalize.domain';
import { coursePreferenceHashes } from '../learners/onboarding.domain';
import { personalizeLesson, type PersonalizeListener } from './personalize.engine';
import { PersonalizedLessonSchema, PersonalizeRequestSchema, type PersonalizedLesson } from './personalize.schemas';

/** Checked inside the handlers, alongside the cache lookup (see personalizeLesson). */
const LIMITS: LimitCheck[] = [
  { limit: 'personalizeIp', key: byIp },
  { limit: 'personalizeLearner', key: byLearner },
];
const body = { body: { required: true, content: { 'application/json': { schema: PersonalizeRequestSchema } } } };

type StreamEvent =
  | { event: 'meta'; data: Parameters<NonNullable<PersonalizeListener['onStart']>>[0] }
  | { event: 'delta'; data: { text: string } }
  | { event: 'replace'; data: { markdown: string; reason: string } }
  | { event: 'done'; data: PersonalizedLesson }
  | { event: 'error'; data: { status: number; code: string; detail: string } };

export const personalizeRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags: ['Personalization'],
      summary: 'A lesson adapted to the calling learner (cached by content and preferences)',
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      request: body,
      responses: {
        200: { description: 'The personalized lesson', content: { 'application/json': { schema: PersonalizedLessonSchema } } },
        ...problemResponses(400, 401, 404, 409, 429),
      },
    }),
    async (c) => {
      const { lessonSlug } = c.req.valid('json');
      const run = personalizeLesson(
        c.get('deps'),
        { learnerId: c.get('learnerId'), lessonSlug, now: new Date() },
        {},
        checkLimits(c, LIMITS),
      );
      // Generation goes on if the learner leaves, so the next visit finds it cached.
      c.executionCtx.waitUntil(run.catch(() => undefined));
      return c.json(await run, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/stream',
      tags: ['Personalization'],
      summary: 'The same, as server-sent events: meta, delta…, optional replace, then done or error',
      description:
        'Problems found before generation starts (401, 404, 409, 429) are problem+json responses; later failures arrive as an `error` event.',
      security: LEARNER_SECURITY,
      middleware: [requireLearner] as const,
      request: body,
      responses: {
        200: { description: 'An event stream', content: { 'text/event-stream': { schema: z.string() } } },
        ...problemResponses(400, 401, 404, 409, 429),
      },
    }),
    async (c) => {
      const { lessonSlug } = c.req.valid('json');
      const { deps } = c.var;
      const events = createEventQueue<StreamEvent>();
      let started: () => void = () => undefined;
      const start = new Promise<void>((resolve) => (started = resolve));
      let shown = '';
      const run = personalizeLesson(
        deps,
        { learnerId: c.get('learnerId'), lessonSlug, now: new Date() },
        {
          onStart: (meta) => {
            events.push({ event: 'meta', data: meta });
            started();
          },
          onDelta: (text) => {
            shown += text;
            events.push({ event: 'delta', data: { text } });
          },
        },
        checkLimits(c, LIMITS),
      );
      // Generation goes on if the learner leaves, so the next visit finds it cached.
      c.executionCtx.waitUntil(run.catch(() => undefined));
      // Errors found before the first event are answered as problem+json (and logged by
      // onError), not as a stream; only later ones become an `error` event, logged here.
      await Promise.race([start, run]);
      run.then(
        (result) => {
          if (result.markdown !== shown) {
            events.push({
              event: 'replace',
              data: { markdown: result.markdown, reason: result.notice ?? 'The text was revised after it finished' },
            });
          }
          events.push({ event: 'done', data: result });
          events.close();
        },
        (error: unknown) => {
          events.push({ event: 'error', data: streamError(c, error, 'Personalization') });
          events.close();
        },
      );
      return sseResponse(c, events);
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/cache',
      tags: ['Personalization'],
      summary: "Drop the cached personalized lessons of the caller's current preferences, in every course",
      description:
        "Those of the learner's own preferences and of each course's own (see `PUT /api/learners/me/preferences?course=`). Entries are shared by every learner with the same canonical preferences; they are regenerated on the next request.",
      security: LEARNER_SECURITY,
      middleware: [requireLearner, rateLimit(...LIMITS)] as const,
      responses: {
        200: {
          description: 'How many entries were dropped',
          content: { 'application/json': { schema: z.object({ deleted: z.number().int() }) } },
        },
        ...problemResponses(401, 429),
      },
    }),
    async (c) => {
      const { deps, learnerId } = c.var;
      const [learner, courses] = await Promise.all([
        currentLearner(deps, learnerId),
        deps.learner(learnerId).coursePreferences(learnerId),
      ]);
      const { preferences, preferencesHash: own } = learner;
      if (!preferences || !own) return c.json({ deleted: 0 }, 200);
      // A course with preferences of its own has entries under their hash.
      const hashes = new Set([own, ...(await coursePreferenceHashes(preferences, courses))]);
      const counts = await Promise.all([...hashes].map((hash) => deps.cache.deletePrefix(`${personalizationPrefix(hash)}:`)));
      return c.json({ deleted: counts.reduce((sum, n) => sum + n, 0) }, 200);
    },
  );
