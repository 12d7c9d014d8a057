import type { Deps } from '../../deps';
import { AppError } from '../../http/problem';
import { GenerationError } from '../../platform/text-generator';
import { canonicalPreferences } from '../learners/onboarding.domain';
import { checkAdaptation, unwrapModelMarkdown } from './personalize.check';
import { budgetDay, estimateCostUsd, personalizationKey, type LessonContext, type Preferences } from './personalize.domain';
import { adaptOffline, OFFLINE_ENGINE_VERSION } from './personalize.offline';
import { PROMPT_VERSION, personalizeMessages } from './personalize.prompts';
import type { GenerationLogEntry } from './personalize.store';
import { CachedAdaptationSchema, type CachedAdaptation, type PersonalizedLesson } from './personalize.schemas';

/** KV entries are immutable; the TTL only bounds storage for lessons nobody revisits. */
const CACHE_TTL_SECONDS = 30 * 24 * 60 * 60;

type Identity = { contentHash: string; preferencesHash: string };
type StartMeta = Pick<PersonalizedLesson, 'cached' | 'engine' | 'model'>;

export interface PersonalizeListener {
  /** Once, as soon as it is known which engine answers and whether from the cache. */
  onStart?: (meta: StartMeta & Identity) => void;
  /** Text as it is produced (the whole text at once for cache hits and offline). */
  onDelta?: (text: string) => void;
}

type Outcome = Omit<PersonalizedLesson, 'lessonSlug' | 'contentHash' | 'preferencesHash'>;

interface Flight {
  text: string;
  meta: StartMeta | null;
  /** Replaced on every delta; followers await it to see new text. */
  changed: Promise<void>;
  notify: () => void;
  result: Promise<Outcome>;
}

/**
 * Generations in progress in this isolate, by cache key: identical concurrent
 * requests share one generation (and one budget charge) instead of racing.
 * Followers wait on promises only, never on the leader's streams, because a
 * Worker request may not do I/O on another request's objects.
 */
const flights = new Map<string, Flight>();

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
  const { identity, keyFor, preferences, hit } = read.value;
  if (hit) return { ...identity, ...served(hit, listener, identity) };
  const generator = deps.textGenerator;
  const { contentHash } = identity;
  const preferred = generator ? 'model' : 'offline';
  const key = keyFor(preferred);
  let flight = flights.get(key);
  if (!flight) {
    flight = startFlight(key, async (onDelta, onStart) => {
      const lesson = await loadLesson(deps, lessonSlug, contentHash);
      if (!generator) return adaptAndCache(deps, key, lesson, preferences, onStart, onDelta);
      const day = budgetDay(request.now);
      if (!(await deps.personalize.reserveGeneration(learnerId, day, deps.config.GENERATION_DAILY_BUDGET))) {
        const budget = deps.config.GENERATION_DAILY_BUDGET;
        const offlineKey = keyFor('offline');
        const cached = await deps.cache.getJson(offlineKey, CachedAdaptationSchema);
        const outcome = cached
          ? served(cached, { onStart, onDelta }, identity)
          : await adaptAndCache(deps, offlineKey, lesson, preferences, onStart, onDelta);
        return {
          ...outcome,
          notice: `You have used today's ${budget} model-personalized lessons, so this one was adapted by the offline engine. The model is back tomorrow (UTC).`,
        };
      }
      return generateWithModel(deps, { key, lesson, preferences, learnerId, day, now: request.now }, onStart, onDelta);
    });
  }
  const outcome = await follow(flight, identity, listener);
  return { ...identity, ...outcome };
}

/** The read-only part of a request: profile, lesson fingerprint, cache keys, one KV read. */
async function readCached(deps: Deps, learnerId: string, lessonSlug: string) {
  const found = await deps.personalize.lookup(learnerId, lessonSlug);
  if (!found.learnerExists) throw new AppError('unauthorized', 'The learner of this token no longer exists');
  if (!found.lesson) throw new AppError('not_found', `No lesson "${lessonSlug}"`);
  if (!found.learner) throw new AppError('onboarding_required', 'Answer the onboarding questions before personalizing lessons');
  const { contentHash, metaHash } = found.lesson;
  const { preferencesHash } = found.learner;
  const generator = deps.textGenerator;
  const keyFor = (engine: 'model' | 'offline') =>
    personalizationKey({
      preferencesHash,
      contentHash,
      metaHash,
      engine,
      model: engine === 'model' ? (generator?.model ?? null) : null,
      promptVersion: engine === 'model' ? PROMPT_VERSION : OFFLINE_ENGINE_VERSION,
    });
  const hit = await deps.cache.getJson(keyFor(generator ? 'model' : 'offline'), CachedAdaptationSchema);
  return {
    identity: { lessonSlug, contentHash, preferencesHash },
    keyFor,
    preferences: canonicalPreferences(found.learner.preferences),
    hit,
  };
}

function served(hit: CachedAdaptation, listener: PersonalizeListener, identity: Identity): Outcome {
  listener.onStart?.({ cached: true, engine: hit.engine, model: hit.model, ...identity });
  listener.onDelta?.(hit.markdown);
  return { ...hit, cached: true, degraded: false, notice: null };
}

function startFlight(
  key: string,
  run: (onDelta: (text: string) => void, onStart: (meta: StartMeta) => void) => Promise<Outcome>,
): Flight {
  const flight: Flight = {
    text: '',
    meta: null,
    changed: Promise.resolve(),
    notify: () => undefined,
    result: Promise.resolve() as never,
  };
  const arm = () => {
    flight.changed = new Promise<void>((resolve) => {
      flight.notify = resolve;
    });
  };
  const announce = () => {
    const notify = flight.notify;
    arm();
    notify();
  };
  arm();
  flight.result = run(
    (text) => {
      flight.text += text;
      announce();
    },
    (meta) => {
      flight.meta = meta;
      announce();
    },
  ).finally(() => flights.delete(key));
  flights.set(key, flight);
  return flight;
}

/** Passes a flight's start and growing text to one listener, then returns its outcome. */
async function follow(flight: Flight, identity: Identity, listener: PersonalizeListener): Promise<Outcome> {
  let sent = 0;
  let started = false;
  const catchUp = () => {
    if (!started && flight.meta) {
      started = true;
      listener.onStart?.({ ...flight.meta, ...identity });
    }
    if (started && flight.text.length > sent) {
      listener.onDelta?.(flight.text.slice(sent));
      sent = flight.text.length;
    }
  };
  const settled = flight.result.then(
    () => true,
    () => true,
  );
  while (!(await Promise.race([settled, flight.changed.then(() => false)]))) catchUp();
  const outcome = await flight.result;
  catchUp();
  return outcome;
}

async function loadLesson(deps: Deps, lessonSlug: string, contentHash: string): Promise<LessonContext> {
  const [context, markdown] = await Promise.all([deps.personalize.lessonContext(lessonSlug), deps.blobs.getText(contentHash)]);
  // The row was there a moment ago; a push in between removed or replaced it.
  if (!context || markdown === null) throw new AppError('conflict', `Lesson "${lessonSlug}" changed meanwhile; try again`);
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
  const { markdown, adaptations } = adaptOffline(lesson, preferences);
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
 * section, then cache it. Any failure serves the lesson as written with a notice
 * and caches nothing; the failure is logged once, here.
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
  const log = (
    entry: Pick<GenerationLogEntry, 'outcome' | 'reason' | 'attempts' | 'promptTokens' | 'completionTokens' | 'estimatedCostUsd'>,
  ) =>
    deps.personalize.logGeneration({
      id: crypto.randomUUID(),
      learnerId: job.learnerId,
      lessonSlug: job.lesson.slug,
      model: generator.model,
      promptVersion: PROMPT_VERSION,
      durationMs: Date.now() - started,
      createdAt: job.now.toISOString(),
      ...entry,
    });
  const original = (notice: string): Outcome => ({
    markdown: job.lesson.markdown,
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
  let generation;
  try {
    generation = await generator.generate(personalizeMessages(job.lesson, job.preferences), { onDelta });
  } catch (error) {
    if (!(error instanceof GenerationError)) throw error;
    // Nothing usable came back, so the learner is not charged for it.
    await deps.personalize.releaseGeneration(job.learnerId, job.day);
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
  const check = checkAdaptation(job.lesson.markdown, markdown);
  if (!check.ok) {
    logger.log('warn', 'personalize.output_rejected', { lessonSlug: job.lesson.slug, reason: check.reason });
    await log({ outcome: 'rejected', reason: check.reason, attempts: generation.attempts, ...usage });
    return original(
      `The personalized version did not pass our quality check (${check.reason}), so you see the lesson as written.`,
    );
  }
  await log({ outcome: 'ok', reason: null, attempts: generation.attempts, ...usage });
  const entry: CachedAdaptation = {
    markdown,
    adaptations: [`Rewritten for you by ${generator.model}`],
    engine: 'model',
    model: generator.model,
    promptVersion: PROMPT_VERSION,
    usage,
    createdAt: job.now.toISOString(),
  };
  await deps.cache.putJson(job.key, entry, { ttlSeconds: CACHE_TTL_SECONDS });
  return { ...entry, cached: false, degraded: false, notice: null };
}
