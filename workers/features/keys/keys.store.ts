import { and, eq, isNull, lt, or } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { apiKeys } from '../../db/schema';

export interface AuthorKeyRecord {
  id: string;
  scopes: string[];
  revoked: boolean;
}

/** Port over stored author keys (hashes only). */
export interface KeyStore {
  findByHash(keyHash: string): Promise<AuthorKeyRecord | null>;
  /** Records use at most once a minute per key, to keep auth off the write path. */
  touch(id: string, now: Date): Promise<void>;
}

export function createD1KeyStore(db: Db): KeyStore {
  return {
    async findByHash(keyHash) {
      const row = await db.query.apiKeys.findFirst({ where: eq(apiKeys.keyHash, keyHash) });
      return row ? { id: row.id, scopes: row.scopes, revoked: row.revokedAt !== null } : null;
    },
    async touch(id, now) {
      const minuteAgo = new Date(now.getTime() - 60_000).toISOString();
      await db
        .update(apiKeys)
        .set({ lastUsedAt: now.toISOString() })
        .where(and(eq(apiKeys.id, id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, minuteAgo))));
    },
  };
}
