import type { z } from 'zod';

/** Read-through cache of derived, versioned values (KV in every environment). */
export interface Cache {
  getJson<T>(key: string, schema: z.ZodType<T>): Promise<T | null>;
  putJson(key: string, value: unknown, options?: { ttlSeconds?: number }): Promise<void>;
  delete(key: string): Promise<void>;
}

/**
 * KV adapter. A stored value that no longer parses (an older shape after a deploy)
 * counts as a miss, so callers rebuild it instead of failing.
 */
export function createKvCache(kv: KVNamespace): Cache {
  return {
    async getJson(key, schema) {
      const raw = await kv.get(key, 'json');
      if (raw === null) return null;
      const parsed = schema.safeParse(raw);
      return parsed.success ? parsed.data : null;
    },
    async putJson(key, value, options) {
      // KV's minimum TTL is 60 seconds.
      const ttl = options?.ttlSeconds === undefined ? undefined : Math.max(60, options.ttlSeconds);
      await kv.put(key, JSON.stringify(value), ttl === undefined ? undefined : { expirationTtl: ttl });
    },
    async delete(key) {
      await kv.delete(key);
    },
  };
}
