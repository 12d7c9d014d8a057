import { z } from 'zod';
import { ACTIVITY_FLUSH_MS, DELTA_DELAY_MS } from './features/learners/learner.flush';
import { createDb } from './db/client';
import { courseOutline, createD1ContentStore, type ContentStore, type OutlineLesson } from './features/content/content.store';
import { createD1KeyStore, type KeyStore } from './features/keys/keys.store';
import { createR2BlobStore, type BlobStore } from './platform/blob-store';
import { createKvCache, type Cache } from './platform/cache';
import { meteredD1 } from './platform/metered-d1';
import { createJobQueue, type JobQueue } from './platform/job-queue';
import { createLogger, type Logger } from './platform/logger';
import { createPersonalizeStore, type PersonalizeStore } from './features/personalize/personalize.store';
import { createUsageStore, meteredGenerator, type UsageStore } from './features/usage/usage.store';
import { createD1SearchStore, type SearchStore } from './features/search/search.store';
import { createD1PracticeStore, type PracticeStore } from './features/practice/practice.store';
import { createD1SourceStore, type SourceStore } from './features/sources/sources.store';
import { createD1ConceptStore, type ConceptStore } from './features/concepts/concepts.store';
import { createD1EventStore, type EventStore } from './features/events/events.store';
import { createD1ExperimentStore, type ExperimentStore } from './features/experiments/experiments.store';
import { createD1AnalyticsStore, type AnalyticsStore } from './features/analytics/analytics.store';
import type { EventMessage } from './features/events/events.schemas';
import { createD1AggregateStore, type AggregateStore } from './features/aggregates/aggregates.store';
import type { AggregateMessage } from './features/aggregates/aggregates.schemas';
import { learnerObject, type LearnerObject } from './features/learners/learner.client';
import { createD1LegacyLearners, type LegacyLearners } from './features/learners/learner.legacy';
import { createD1PrivacyStore, type PrivacyStore } from './features/privacy/privacy.store';
import { forgetRecommendations } from './features/recommendations/recommend.cache';
import { createD1MasteryStore, type MasteryStore } from './features/mastery/mastery.store';
import { createRecommendStore, type RecommendStore } from './features/recommendations/recommend.store';
import { createHashingEmbedder, createOpenAiEmbedder, type Embedder } from './platform/embedder';
import { createBindingRateLimiter, type RateLimiter } from './platform/rate-limiter';
import { createD1VectorIndex, type VectorIndex } from './platform/vector-index';
import { createVectorizeIndex } from './platform/vectorize-index';
import {
  createWorkersAiEmbedder,
  DEFAULT_WORKERS_AI_EMBEDDING_MODEL,
  workersAiEmbeddingDimensions,
} from './platform/workers-ai-embedder';
import { createOpenAiTextGenerator, type TextGenerator } from './platform/text-generator';
import type { IngestJob } from './queues/messages';

/** Windows of the rate-limit bindings in wrangler.toml (the binding does not expose them). */
export const LIMIT_PERIOD_SECONDS = 60;

/** Empty strings (an unset var in some tools) count as absent. */
const optionalText = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());

const ConfigSchema = z.object({
  APP_ENV: z.enum(['local', 'test', 'production']),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** Signs learner tokens; `npm start` writes a random one to .dev.vars, production sets a secret. */
  LEARNER_TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters'),
  /** With a key, lessons are personalized by a model; without, by the offline engine. */
  OPENAI_API_KEY: optionalText,
  OPENAI_BASE_URL: z.preprocess((v) => (v === '' ? undefined : v), z.url().optional()),
  OPENAI_MODEL: z.string().min(1).default('gpt-4o-mini'),
  OPENAI_TIMEOUT_MS: z.coerce.number().int().min(1000).max(300_000).default(45_000),
  OPENAI_MAX_RETRIES: z.coerce.number().int().min(0).max(6).default(2),
  /** Prices in US dollars per million tokens, for the cost recorded with each generation. */
  OPENAI_INPUT_USD_PER_MTOK: z.coerce.number().min(0).default(0),
  OPENAI_OUTPUT_USD_PER_MTOK: z.coerce.number().min(0).default(0),
  GENERATION_DAILY_BUDGET: z.coerce.number().int().min(0).default(20),
  /** Model generations per UTC day across all learners; past it everyone gets the offline engine until midnight UTC. */
  GENERATION_GLOBAL_DAILY_BUDGET: z.coerce.number().int().min(0).default(5000),
  /** Estimated model spend per UTC day across all features (from the token prices); past it the offline engines answer. */
  MODEL_DAILY_COST_CAP_USD: z.coerce.number().min(0).default(10),
  /** Days a learner's raw events are kept before the retention job deletes them (18 months). */
  EVENT_RETENTION_DAYS: z.coerce.number().int().min(8).max(3650).default(548),
  /** Days a rejected event keeps its payload (the reason and time stay). */
  REJECTION_PAYLOAD_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** How soon a learner object sends the deltas an answer, completion or feedback owes the shared aggregates. */
  LEARNER_DELTA_DELAY_MS: z.coerce.number().int().min(0).max(3_600_000).default(DELTA_DELAY_MS),
  /** How long a learner object sums heartbeat seconds before sending them to the activity rollup. */
  LEARNER_ACTIVITY_FLUSH_MS: z.coerce.number().int().min(0).max(3_600_000).default(ACTIVITY_FLUSH_MS),
  /**
   * How long an isolate trusts the course-wide counts ranking reads (feedback, lesson
   * starts and completions, co-completion, concept labels and the course's stamp) before
   * reading them again: a push through another isolate, and counts, show this much later.
   */
  RANKING_STATS_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  /**
   * A learner's requests a minute on the routes whose first step is a call to their
   * object, which counts them itself (today's plan): LEARNER_LIMIT's number, kept equal.
   */
  LEARNER_OBJECT_LIMIT: z.coerce.number().int().min(1).default(600),
  /** Daily plans composed by the planner (on) or the fixed plan, due reviews and the next lesson (off), to compare them. */
  DYNAMIC_PLANS: z.enum(['on', 'off']).default('on'),
  /** An OpenAI-compatible embeddings endpoint; without one, the offline hashing embedder. */
  EMBEDDINGS_BASE_URL: z.preprocess((v) => (v === '' ? undefined : v), z.url().optional()),
  EMBEDDINGS_API_KEY: optionalText,
  EMBEDDINGS_MODEL: z.string().min(1).default('text-embedding-3-small'),
  EMBEDDINGS_DIMENSIONS: z.coerce.number().int().min(8).max(4096).default(1536),
  /** The Workers AI embedding model used when the AI binding is present and no endpoint is configured. */
  WORKERS_AI_EMBEDDING_MODEL: z
    .string()
    .refine((m) => workersAiEmbeddingDimensions(m) !== undefined, 'must be a known @cf/baai/bge-* embedding model')
    .default(DEFAULT_WORKERS_AI_EMBEDDING_MODEL),
});

export type Config = z.infer<typeof ConfigSchema>;

/** Each env's config, parsed once: the runtime hands every request of an isolate the same env object. */
const configs = new WeakMap<Env, Config>();

/** Parses the Worker's plain vars; a misconfigured deploy fails loudly on its first request. */
export function parseConfig(env: Env): Config {
  const known = configs.get(env);
  if (known) return known;
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) throw new Error(`Invalid Worker configuration: ${z.prettifyError(parsed.error)}`);
  configs.set(env, parsed.data);
  return parsed.data;
}

/** I/O of one request that benchmarks and the Server-Timing header report. */
export interface Meter {
  kvReads: number;
  modelCalls: number;
  /** D1 statements sent (each statement of a batch counts). */
  d1Queries: number;
  /** Of those, the ones that write. */
  d1Writes: number;
  /** RPC calls to learner objects. */
  learnerCalls: number;
}

/** Adds to `meter` the I/O of work done for the same request elsewhere (in a learner's object). */
export function addMeter(meter: Meter, more: Meter): void {
  meter.kvReads += more.kvReads;
  meter.modelCalls += more.modelCalls;
  meter.d1Queries += more.d1Queries;
  meter.d1Writes += more.d1Writes;
  meter.learnerCalls += more.learnerCalls;
}

export interface Deps {
  config: Config;
  meter: Meter;
  logger: Logger;
  blobs: BlobStore;
  cache: Cache;
  ingestQueue: JobQueue<IngestJob>;
  eventsQueue: JobQueue<EventMessage>;
  aggregatesQueue: JobQueue<AggregateMessage>;
  events: EventStore;
  aggregates: AggregateStore;
  mastery: MasteryStore;
  recommend: RecommendStore;
  content: ContentStore;
  keys: KeyStore;
  /** The object that holds `learnerId`'s state (typed RPC). */
  learner: (learnerId: string) => LearnerObject;
  /** A learner's rows in the shared D1 tables, for export and erase. */
  privacy: PrivacyStore;
  /** Learners whose rows are still in D1, from before learner objects. */
  legacyLearners: LegacyLearners;
  /** Runs after a learner event is newly applied: drops what it makes stale. */
  afterApplied: (message: EventMessage) => Promise<void>;
  /** The course's lessons in order, with their part and chapter (a D1 read). */
  /** A course's lessons in course order (`courseOutline`). */
  outline: (courseId?: string) => Promise<OutlineLesson[]>;
  personalize: PersonalizeStore;
  /** Model calls per day, feature and model, and the day's spend. */
  usage: UsageStore;
  /** Flags, experiments, their exposures and metrics; the published payload. */
  experiments: ExperimentStore;
  /** Learning analytics read from the rollups. */
  analytics: AnalyticsStore;
  limits: {
    learnerCreate: RateLimiter;
    personalizeIp: RateLimiter;
    personalizeLearner: RateLimiter;
    admin: RateLimiter;
    privacy: RateLimiter;
    learner: RateLimiter;
    learnerIp: RateLimiter;
    learnerToken: RateLimiter;
    eventBatch: RateLimiter;
    publicIp: RateLimiter;
    author: RateLimiter;
  };
  search: SearchStore;
  sources: SourceStore;
  concepts: ConceptStore;
  practice: PracticeStore;
  embedder: Embedder;
  vectorIndex: VectorIndex;
  /** The configured chat model, or null when lessons are adapted offline only. */
  textGenerator: TextGenerator | null;
  /** Health probes reach the raw bindings, nothing else does. */
  probes: { d1: () => Promise<unknown>; kv: () => Promise<unknown>; r2: () => Promise<unknown> };
}

/** The one composition root: every adapter is built here, once per request or batch. */
export function makeDeps(env: Env, config: Config, logger: Logger): Deps {
  const meter: Meter = { kvReads: 0, modelCalls: 0, d1Queries: 0, d1Writes: 0, learnerCalls: 0 };
  // One D1 session per request or batch: reads may come from a nearby replica, and
  // every query in it still sees the writes made before it (sequential consistency).
  const d1 = meteredD1(env.DB.withSession('first-unconstrained') as unknown as D1Database, meter);
  const cache = createKvCache(env.CACHE, meter);
  const learner = (learnerId: string) => learnerObject(env.LEARNER, learnerId, meter);
  const db = createDb(d1);
  const usage = createUsageStore(db);
  const embedder = makeEmbedder(env, config);
  const vectorRecord = createD1VectorIndex(db, embedder.id, embedder.dimensions);
  return {
    config,
    meter,
    logger,
    blobs: createR2BlobStore(env.CONTENT),
    cache,
    ingestQueue: createJobQueue<IngestJob>(env.INGEST),
    eventsQueue: createJobQueue<EventMessage>(env.EVENTS),
    aggregatesQueue: createJobQueue<AggregateMessage>(env.AGGREGATES),
    events: createD1EventStore(d1),
    aggregates: createD1AggregateStore(d1),
    mastery: createD1MasteryStore(d1),
    recommend: createRecommendStore(d1, learner, config.RANKING_STATS_TTL_MS),
    content: createD1ContentStore(db),
    keys: createD1KeyStore(db),
    learner,
    legacyLearners: createD1LegacyLearners(d1),
    privacy: createD1PrivacyStore(d1),
    afterApplied: async ({ learnerId, event }) => {
      // Heartbeats and lesson ratings change no ranking; everything else may.
      if (event.type !== 'lesson.active_time' && event.type !== 'lesson.rated') await forgetRecommendations({ cache }, learnerId);
    },
    outline: (courseId) => courseOutline(d1, courseId),
    search: createD1SearchStore(db),
    sources: createD1SourceStore(db),
    concepts: createD1ConceptStore(db),
    practice: createD1PracticeStore(db),
    embedder,
    vectorIndex: env.VECTORS ? createVectorizeIndex({ binding: env.VECTORS, record: vectorRecord, db }) : vectorRecord,
    personalize: createPersonalizeStore(db, learner),
    usage,
    experiments: createD1ExperimentStore(d1, cache),
    analytics: createD1AnalyticsStore(d1),
    limits: {
      learnerCreate: createBindingRateLimiter(env.LEARNER_CREATE_LIMIT, LIMIT_PERIOD_SECONDS),
      personalizeIp: createBindingRateLimiter(env.PERSONALIZE_IP_LIMIT, LIMIT_PERIOD_SECONDS),
      personalizeLearner: createBindingRateLimiter(env.PERSONALIZE_LEARNER_LIMIT, LIMIT_PERIOD_SECONDS),
      admin: createBindingRateLimiter(env.ADMIN_LIMIT, LIMIT_PERIOD_SECONDS),
      privacy: createBindingRateLimiter(env.PRIVACY_LIMIT, LIMIT_PERIOD_SECONDS),
      learner: createBindingRateLimiter(env.LEARNER_LIMIT, LIMIT_PERIOD_SECONDS),
      learnerIp: createBindingRateLimiter(env.LEARNER_IP_LIMIT, LIMIT_PERIOD_SECONDS),
      learnerToken: createBindingRateLimiter(env.LEARNER_TOKEN_LIMIT, LIMIT_PERIOD_SECONDS),
      eventBatch: createBindingRateLimiter(env.EVENT_BATCH_LIMIT, LIMIT_PERIOD_SECONDS),
      publicIp: createBindingRateLimiter(env.PUBLIC_IP_LIMIT, LIMIT_PERIOD_SECONDS),
      author: createBindingRateLimiter(env.AUTHOR_LIMIT, LIMIT_PERIOD_SECONDS),
    },
    textGenerator: config.OPENAI_API_KEY
      ? meteredGenerator(
          createOpenAiTextGenerator({
            apiKey: config.OPENAI_API_KEY,
            baseURL: config.OPENAI_BASE_URL,
            model: config.OPENAI_MODEL,
            timeoutMs: config.OPENAI_TIMEOUT_MS,
            maxRetries: config.OPENAI_MAX_RETRIES,
          }),
          usage,
          { inputPerMTok: config.OPENAI_INPUT_USD_PER_MTOK, outputPerMTok: config.OPENAI_OUTPUT_USD_PER_MTOK },
          logger,
        )
      : null,
    probes: {
      d1: () => d1.prepare('SELECT 1').first(),
      kv: () => env.CACHE.get('health-probe'),
      r2: () => env.CONTENT.head('health-probe'),
    },
  };
}

/**
 * An OpenAI-compatible endpoint when one is configured (a local embedding server,
 * OpenAI), else Workers AI when the AI binding is bound (production), else the
 * offline hashing embedder (tests, and `npm start` without a model).
 */
function makeEmbedder(env: Env, config: Config): Embedder {
  if (config.EMBEDDINGS_BASE_URL) {
    return createOpenAiEmbedder({
      apiKey: config.EMBEDDINGS_API_KEY ?? 'none',
      baseURL: config.EMBEDDINGS_BASE_URL,
      model: config.EMBEDDINGS_MODEL,
      dimensions: config.EMBEDDINGS_DIMENSIONS,
    });
  }
  if (env.AI) {
    const model = config.WORKERS_AI_EMBEDDING_MODEL;
    return createWorkersAiEmbedder(env.AI, { model, dimensions: workersAiEmbeddingDimensions(model) ?? 0 });
  }
  return createHashingEmbedder();
}

/** Deps for one request or batch: config parsed from env, a logger carrying `logFields`. */
export function depsFor(env: Env, logFields: Record<string, unknown>): Deps {
  const config = parseConfig(env);
  return makeDeps(env, config, createLogger(config.LOG_LEVEL, logFields));
}
