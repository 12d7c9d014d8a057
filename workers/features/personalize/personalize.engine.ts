import { decide } from '../experiments/experiments.client';
import type { Deps } from '../../deps';
import { AppError } from '../../http/problem';
import { GenerationError, MAX_BACKOFF_MS } from '../../platform/text-generator';
import { canonicalPreferences } from '../learners/onboarding.domain';
import { checkModelOutput, unwrapModelMarkdown } from './personalize.check';
import { canonicalJson, sha256Hex } from '../../platform/sha256';
import { budgetDay, estimateCostUsd, personalizationKey, type LessonContext, type Preferences } from './personalize.domain';
import {
  follow,
  liveFlight,
  startFlight,
  type Identity,
  type Outcome,
  type PersonalizeListener,
  type StartMeta,
} from './personalize.flights';
import { adaptOffline, OFFLINE_ENGINE_VERSION } from './personalize.offline';
import { measuredEvidence, measuredRequests } from './personalize.evidence';
import { PROMPT_VERSION, personalizePrompt } from './personalize.prompts';
import { sanitizeLessonMarkdown } from './personalize.sanitize';
import { generationLimits, type GenerationLogEntry } from './personalize.store';
import { CachedAdaptationSchema, type CachedAdaptation, type PersonalizedLesson } from './personalize.schemas';

/** KV entries are immutable; the TTL only bounds storage for lessons nobody revisits. */
const CACHE_TTL_SECONDS = 30 * 24 * 60 * 60;
/** How long an offline adaptation may take before its flight counts as lost. */
const OFFLINE_FLIGHT_MS = 30_000;

export type { PersonalizeListener };

/**
 * One lesson adapted to one learner: from KV when this exact text was made before
 * (one KV read, no model call), else by the configured engine, checked, cached.
 * `gate` (the rate limits) is awaited alongside the read-only lookup, so a cache hit
 * pays for the slower of the two, not both; nothing is served, written or generated
 * before the gate opens, and a closed gate wins over any other error.
 */
export async function personalizeLesson(
  deps: Deps,
  request: { learnerId: string; lessonSlug: string; now: Date },
  listener: PersonalizeListener = {},
  gate: Promise<void> = Promise.resolve(),
): Promise<PersonalizedLesson> {
  const { learnerId, lessonSlug } = request;
  const [read, opened] = await Promise.allSettled([readCached(deps, learnerId, lessonSlug), gate]);
  if (opened.status === 'rejected') throw opened.reason;
  if (read.status === 'rejected') throw read.reason;
  const { identity, keyFor, preferences, lesson, courseId, hit, generator } = read.value;
  if (hit) return { ...identity, ...served(hit, listener, identity) };

  const offline = async (): Promise<Outcome> => {
    const key = keyFor('offline');
    const flight =
      liveFlight(key, Date.now()) ??
      startFlight(key, OFFLINE_FLIGHT_MS, async (onDelta, onStart) =>
        adaptAndCache(deps, key, await withMarkdown(deps, lesson, identity.contentHash), preferences, onStart, onDelta),
      );
    return follow(flight, identity, listener);
  };
  if (!generator) return { ...identity, ...(await offline()) };

  // An identical generation in progress is joined for free: it costs no extra model call.
  const key = keyFor('model');
  const joined = liveFlight(key, Date.now());
  if (joined) return { ...identity, ...(await follow(joined, identity, listener)) };
  const day = budgetDay(request.now);
  const budget = deps.config.GENERATION_DAILY_BUDGET;
  const reserved = await deps.personalize.reserveGeneration(
    learnerId,
    day,
    generationLimits(deps.config),
    'personalize',
    courseId,
  );
  if (reserved !== 'reserved') {
    const cached = await deps.cache.getJson(keyFor('offline'), CachedAdaptationSchema);
    const outcome = cached ? served(cached, listener, identity) : await offline();
    const why =
      reserved === 'learner_spent'
        ? `You have used today's ${budget} model-personalized lessons`
        : "The platform has used today's model budget";
    return {
      ...identity,
      ...outcome,
      notice: `${why}, so this one was adapted by the offline engine. The model is back tomorrow (UTC).`,
    };
  }
  // Another request may have started the same generation while the budget was read.
  const raced = liveFlight(key, Date.now());
  if (raced) {
    await deps.personalize.releaseGeneration(learnerId, day);
    return { ...identity, ...(await follow(raced, identity, listener)) };
  }
  const { OPENAI_TIMEOUT_MS, OPENAI_MAX_RETRIES } = deps.config;
  const maxMs = OPENAI_TIMEOUT_MS * (OPENAI_MAX_RETRIES + 1) + MAX_BACKOFF_MS * OPENAI_MAX_RETRIES + 10_000;
  const flight = startFlight(key, maxMs, async (onDelta, onStart) => {
    const job = {
      key,
      lesson: await withMarkdown(deps, lesson, identity.contentHash),
      preferences,
      learnerId,
      day,
      now: request.now,
    };
    return generateWithModel(deps, job, onStart, onDelta);
  });
  return { ...identity, ...(await follow(flight, identity, listener)) };
}

/**
 * The read-only part of a request: profile, lesson and its context (one D1 batch),
 * cache keys, one KV read. The key covers the whole context an engine sees (titles
 * and summaries of prerequisites, concept labels), so a re-push of a neighbouring
 * lesson changes it too; the same context read is what the engines are given.
 */
async function readCached(deps: Deps, learnerId: string, lessonSlug: string) {
  const found = await deps.personalize.lookup(learnerId, lessonSlug);
  if (!found.learnerExists) throw new AppError('unauthorized', 'The learner of this token no longer exists');
  if (!found.lesson) throw new AppError('not_found', `No lesson "${lessonSlug}"`);
  if (!found.learner) throw new AppError('onboarding_required', 'Answer the onboarding questions before personalizing lessons');
  const { contentHash } = found.lesson;
  const { preferencesHash } = found.learner;
  // What the learner has shown joins the context: it is in the key, so new answers that change it miss the cache.
  const measured = measuredEvidence(found.lesson.context, found.learner.mastery);
  const context = measured ? { ...found.lesson.context, measured } : found.lesson.context;
  const contextHash = await sha256Hex(canonicalJson(context));
  // A learner who declined a language model is served by the offline engine, cache included;
  // so is one whom a flag or an experiment on `personalize.engine` puts on it.
  const generator =
    found.learner.modelConsent &&
    deps.textGenerator &&
    (await decide(deps, learnerId, 'personalize.engine', 'auto')).value === 'auto'
      ? deps.textGenerator
      : null;
  const keyFor = (engine: 'model' | 'offline') =>
    personalizationKey({
      preferencesHash,
      contentHash,
      contextHash,
      engine,
      model: engine === 'model' ? (generator?.model ?? null) : null,
      promptVersion: engine === 'model' ? PROMPT_VERSION : OFFLINE_ENGINE_VERSION,
    });
  const hit = await deps.cache.getJson(keyFor(generator ? 'model' : 'offline'), CachedAdaptationSchema);
  return {
    identity: { lessonSlug, contentHash, preferencesHash },
    keyFor,
    preferences: canonicalPreferences(found.learner.preferences),
    lesson: context,
    courseId: found.lesson.courseId,
    hit,
    generator,
  };
}

function served(hit: CachedAdaptation, listener: PersonalizeListener, identity: Identity): Outcome {
  listener.onStart?.({ cached: true, engine: hit.engine, model: hit.model, ...identity });
  listener.onDelta?.(hit.markdown);
  return { ...hit, cached: true, degraded: false, notice: null };
}

/** The lesson's text by its hash: immutable, so it always matches the context read with it. */
async function withMarkdown(deps: Deps, context: Omit<LessonContext, 'markdown'>, contentHash: string): Promise<LessonContext> {
  const markdown = await deps.blobs.getText(contentHash);
  if (markdown === null)
    throw new AppError('service_unavailable', `The text of lesson "${context.slug}" is missing from storage`);
  return { ...context, markdown };
}

async function adaptAndCache(
  deps: Deps,
  key: string,
  lesson: LessonContext,
  preferences: Preferences,
  onStart: (meta: StartMeta) => void,
  onDelta: (text: string) => void,
): Promise<Outcome> {
  onStart({ cached: false, engine: 'offline', model: null });
  const { markdown: adapted, adaptations } = adaptOffline(lesson, preferences);
  // The lesson's and course's text reach every API client from here: no raw HTML, no script links.
  const markdown = sanitizeLessonMarkdown(adapted);
  onDelta(markdown);
  const entry: CachedAdaptation = {
    markdown,
    adaptations,
    engine: 'offline',
    model: null,
    promptVersion: OFFLINE_ENGINE_VERSION,
    usage: null,
    createdAt: new Date().toISOString(),
  };
  await deps.cache.putJson(key, entry, { ttlSeconds: CACHE_TTL_SECONDS });
  return { ...entry, cached: false, degraded: false, notice: null };
}

interface ModelJob {
  key: string;
  lesson: LessonContext;
  preferences: Preferences;
  learnerId: string;
  day: string;
  now: Date;
}

/**
 * The model path: generate (streaming), check the text keeps every code block and
 * section and shows no sign of prompt injection, sanitize it, then cache it. Any
 * failure serves the lesson as written (sanitized) with a notice and caches nothing;
 * the failure is logged once, here. Streamed deltas are raw model text; a `replace`
 * follows them whenever the final text differs.
 */
async function generateWithModel(
  deps: Deps,
  job: ModelJob,
  onStart: (meta: StartMeta) => void,
  onDelta: (text: string) => void,
): Promise<Outcome> {
  const generator = deps.textGenerator;
  if (!generator) throw new Error('generateWithModel called without a text generator');
  const { config, logger } = deps;
  onStart({ cached: false, engine: 'model', model: generator.model });
  const started = Date.now();
  // Bookkeeping never costs the learner the text: a failed write is logged, not thrown.
  const bookkeep = (what: string, write: Promise<void>) =>
    write.catch((error: unknown) => logger.log('warn', 'personalize.bookkeeping_failed', { what, error: String(error) }));
  const log = (
    entry: Pick<GenerationLogEntry, 'outcome' | 'reason' | 'attempts' | 'promptTokens' | 'completionTokens' | 'estimatedCostUsd'>,
  ) =>
    bookkeep(
      'generation_log',
      deps.personalize.logGeneration({
        id: crypto.randomUUID(),
        learnerId: job.learnerId,
        lessonSlug: job.lesson.slug,
        model: generator.model,
        promptVersion: PROMPT_VERSION,
        durationMs: Date.now() - started,
        createdAt: job.now.toISOString(),
        ...entry,
      }),
    );
  const original = (notice: string): Outcome => ({
    markdown: sanitizeLessonMarkdown(job.lesson.markdown),
    engine: 'original',
    model: generator.model,
    promptVersion: PROMPT_VERSION,
    usage: null,
    adaptations: [],
    cached: false,
    degraded: true,
    notice,
  });

  deps.meter.modelCalls++;
  const prompt = personalizePrompt(job.lesson, job.preferences);
  let generation;
  try {
    generation = await generator.generate(prompt.messages, { feature: 'personalize', onDelta });
  } catch (error) {
    if (!(error instanceof GenerationError)) throw error;
    // Nothing usable came back, so the learner is not charged for it.
    await bookkeep('budget_release', deps.personalize.releaseGeneration(job.learnerId, job.day));
    logger.log('warn', 'personalize.model_failed', {
      lessonSlug: job.lesson.slug,
      kind: error.kind,
      attempts: error.attempts,
      error: error.message,
    });
    await log({
      outcome: 'failed',
      reason: `${error.kind}: ${error.message}`,
      attempts: error.attempts,
      promptTokens: 0,
      completionTokens: 0,
      estimatedCostUsd: 0,
    });
    return original(
      'The personalization service is unavailable right now, so you see the lesson as written. Try again in a few minutes.',
    );
  }

  const usage = {
    promptTokens: generation.promptTokens,
    completionTokens: generation.completionTokens,
    estimatedCostUsd: estimateCostUsd(generation, {
      inputPerMTok: config.OPENAI_INPUT_USD_PER_MTOK,
      outputPerMTok: config.OPENAI_OUTPUT_USD_PER_MTOK,
    }),
  };
  const markdown = unwrapModelMarkdown(generation.text);
  const check = checkModelOutput(job.lesson.markdown, markdown, prompt.guard);
  if (!check.ok) {
    logger.log('warn', 'personalize.output_rejected', { lessonSlug: job.lesson.slug, reason: check.reason });
    await log({ outcome: 'rejected', reason: check.reason, attempts: generation.attempts, ...usage });
    return original(
      `The personalized version did not pass our quality check (${check.reason}), so you see the lesson as written.`,
    );
  }
  const entry: CachedAdaptation = {
    markdown: sanitizeLessonMarkdown(markdown),
    adaptations: [
      `Rewritten for you by ${generator.model}`,
      ...(job.lesson.measured ? measuredRequests(job.lesson.measured).map((r) => r.note) : []),
    ],
    engine: 'model',
    model: generator.model,
    promptVersion: PROMPT_VERSION,
    usage,
    createdAt: job.now.toISOString(),
  };
  await deps.cache.putJson(job.key, entry, { ttlSeconds: CACHE_TTL_SECONDS });
  await log({ outcome: 'ok', reason: null, attempts: generation.attempts, ...usage });
  return { ...entry, cached: false, degraded: false, notice: null };
}
