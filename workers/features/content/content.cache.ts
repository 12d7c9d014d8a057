import type { Deps } from '../../deps';
import { buildBook, etagOf } from './content.domain';
import { CachedBookSchema, type CachedBook } from './content.schemas';

const BOOK_KEY = 'book:current';
/**
 * A cache miss refills with a TTL, a commit writes without one: if a slow miss
 * read D1 before a commit and writes after it, its stale copy expires within
 * minutes instead of living until the next push.
 */
const MISS_FILL_TTL_SECONDS = 300;

/**
 * The course hierarchy as readers see it, from KV (one read, no D1 query) or, on a
 * miss, rebuilt from D1 and stored. Returns null when no course was pushed yet.
 */
export async function readBook(deps: Pick<Deps, 'cache' | 'content'>): Promise<CachedBook | null> {
  const hit = await deps.cache.getJson(BOOK_KEY, CachedBookSchema);
  if (hit) return hit;
  const fresh = await buildCachedBook(deps);
  if (fresh) await deps.cache.putJson(BOOK_KEY, fresh, { ttlSeconds: MISS_FILL_TTL_SECONDS });
  return fresh;
}

/** Rebuilds the cached copy right after a commit, so the next read sees the push. */
export async function refreshBook(deps: Pick<Deps, 'cache' | 'content'>): Promise<CachedBook | null> {
  const fresh = await buildCachedBook(deps);
  if (fresh) await deps.cache.putJson(BOOK_KEY, fresh);
  else await deps.cache.delete(BOOK_KEY);
  return fresh;
}

async function buildCachedBook(deps: Pick<Deps, 'content'>): Promise<CachedBook | null> {
  const rows = await deps.content.bookRows();
  if (!rows) return null;
  const book = buildBook(rows);
  return { etag: await etagOf(book), book };
}
