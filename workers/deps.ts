import { z } from 'zod';
import { createDb } from './db/client';
import { createD1ContentStore, type ContentStore } from './features/content/content.store';
import { createD1KeyStore, type KeyStore } from './features/keys/keys.store';
import { createR2BlobStore, type BlobStore } from './platform/blob-store';
import { createKvCache, type Cache } from './platform/cache';
import { createJobQueue, type JobQueue } from './platform/job-queue';
import { createLogger, type Logger } from './platform/logger';
import type { IngestJob } from './queues/messages';

const ConfigSchema = z.object({
  APP_ENV: z.enum(['local', 'test', 'production']),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

export type Config = z.infer<typeof ConfigSchema>;

/** Parses the Worker's plain vars; a misconfigured deploy fails loudly on its first request. */
export function parseConfig(env: Env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) throw new Error(`Invalid Worker configuration: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export interface Deps {
  config: Config;
  logger: Logger;
  blobs: BlobStore;
  cache: Cache;
  ingestQueue: JobQueue<IngestJob>;
  content: ContentStore;
  keys: KeyStore;
  /** Health probes reach the raw bindings, nothing else does. */
  probes: { d1: () => Promise<unknown>; kv: () => Promise<unknown>; r2: () => Promise<unknown> };
}

/** The one composition root: every adapter is built here, once per request or batch. */
export function makeDeps(env: Env, config: Config, logger: Logger): Deps {
  const db = createDb(env.DB);
  return {
    config,
    logger,
    blobs: createR2BlobStore(env.CONTENT),
    cache: createKvCache(env.CACHE),
    ingestQueue: createJobQueue<IngestJob>(env.INGEST),
    content: createD1ContentStore(db),
    keys: createD1KeyStore(db),
    probes: {
      d1: () => env.DB.prepare('SELECT 1').first(),
      kv: () => env.CACHE.get('health-probe'),
      r2: () => env.CONTENT.head('health-probe'),
    },
  };
}

/** Deps for one request or batch: config parsed from env, a logger carrying `logFields`. */
export function depsFor(env: Env, logFields: Record<string, unknown>): Deps {
  const config = parseConfig(env);
  return makeDeps(env, config, createLogger(config.LOG_LEVEL, logFields));
}
