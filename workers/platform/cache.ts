import type { z } from 'zod';

/** Read-through cache of derived, versioned values (KV in every environment). */
export interface Cache {
  getJson<T>(key: string, schema: z.ZodType<T>): Promise<T | null>;
  putJson(key: string, value: unknown, options?: { ttlSeconds?: number }): Promise<void>;
  delete(key: string): Promise<void>;
  /** Deletes every key starting with `prefix`; returns how many there were. */
  deletePrefix(prefix: string): Promise<number>;
}

/**
 * Parsed values by their exact stored text, per isolate. KV is still read on every
 * call (so a new value shows at once); only re-parsing unchanged text is skipped.
 * Values are treated as immutable by callers.
 */
const parsedByText = new Map<string, { text: string; value: unknown }>();
const MAX_MEMO_ENTRIES = 64;

/**
 * KV adapter. A stored value that no longer parses (an older shape after a deploy)
 * counts as a miss, so callers rebuild it instead of failing.
 */
export function createKvCache(kv: KVNamespace, meter: { kvReads: number }): Cache {
  return {
    async getJson<T>(key: string, schema: z.ZodType<T>) {
      meter.kvReads++;
      const text = await kv.get(key, 'text');
      if (text === null) return null;
      const memo = parsedByText.get(key);
      if (memo?.text === text) return memo.value as T;
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return null;
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) return null;
      if (parsedByText.size >= MAX_MEMO_ENTRIES) parsedByText.clear();
      parsedByText.set(key, { text, value: parsed.data });
      return parsed.data;
    },
    async putJson(key, value, options) {
      // KV's minimum TTL is 60 seconds.
      const ttl = options?.ttlSeconds === undefined ? undefined : Math.max(60, options.ttlSeconds);
      await kv.put(key, JSON.stringify(value), ttl === undefined ? undefined : { expirationTtl: ttl });
    },
    async delete(key) {
      await kv.delete(key);
    },
    async deletePrefix(prefix) {
      let deleted = 0;
      let cursor: string | undefined;
      // KV lists are eventually consistent: a key written seconds ago may be missed.
      do {
        const page = await kv.list({ prefix, ...(cursor ? { cursor } : {}) });
        await Promise.all(page.keys.map((k) => kv.delete(k.name)));
        deleted += page.keys.length;
        cursor = page.list_complete ? undefined : page.cursor;
      } while (cursor);
      return deleted;
    },
  };
}
