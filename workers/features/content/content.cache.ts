import type { Deps } from '../../deps';
import { buildBook, etagOf } from './content.domain';
import { CachedBookSchema, CatalogSchema, type CachedBook, type CourseCard } from './content.schemas';
import { courseCard } from './content.catalog';

/** The default course's book (the routes without a course name read it in one KV read). */
const BOOK_KEY = 'book:current';
const courseBookKey = (courseId: string) => `book:course:${courseId}`;
/** Every course's card, the default course first (the catalog in one KV read). */
const CATALOG_KEY = 'catalog:current';
/**
 * A cache miss refills with a TTL, a commit writes without one: if a slow miss
 * read D1 before a commit and writes after it, its stale copy expires within
 * minutes instead of living until the next push.
 */
const MISS_FILL_TTL_SECONDS = 300;

type CacheDeps = Pick<Deps, 'cache' | 'content'>;

/**
 * A course's hierarchy as readers see it (the default course's when `courseId` is not
 * given), from KV (one read, no D1 query) or, on a miss, rebuilt from D1 and stored.
 * Returns null when no course was pushed yet, or the catalog has no such course.
 */
export async function readBook(deps: CacheDeps, courseId?: string): Promise<CachedBook | null> {
  const key = courseId === undefined ? BOOK_KEY : courseBookKey(courseId);
  const hit = await deps.cache.getJson(key, CachedBookSchema);
  if (hit) return hit;
  const id = courseId ?? (await deps.content.currentCourse())?.id;
  const fresh = id === undefined ? null : await buildCachedBook(deps, id);
  if (fresh) await deps.cache.putJson(key, fresh, { ttlSeconds: MISS_FILL_TTL_SECONDS });
  return fresh;
}

/** Every course's card, the default course first, from KV (one read) or rebuilt from the books on a miss. */
export async function readCatalog(deps: CacheDeps): Promise<CourseCard[]> {
  const hit = await deps.cache.getJson(CATALOG_KEY, CatalogSchema);
  if (hit) return hit.courses;
  const courses = await buildCatalog(deps);
  await deps.cache.putJson(CATALOG_KEY, { courses }, { ttlSeconds: MISS_FILL_TTL_SECONDS });
  return courses;
}

/** Every course's parts (goals are part slugs), the default course's first: from the cached catalog, one KV read. */
export async function catalogParts(deps: CacheDeps): Promise<{ slug: string; title: string }[]> {
  return (await readCatalog(deps)).flatMap((c) => c.outline);
}

/**
 * Rebuilds the cached copies of one course right after a commit (its book, the default
 * book when it is the default course, and the catalog), so the next read sees the push.
 * Returns the course's book, null when the course is gone.
 */
export async function refreshBook(deps: CacheDeps, courseId: string): Promise<CachedBook | null> {
  const [fresh, current] = await Promise.all([buildCachedBook(deps, courseId), deps.content.currentCourse()]);
  if (fresh) {
    await deps.cache.putJson(courseBookKey(courseId), fresh);
    if (current?.id === courseId) await deps.cache.putJson(BOOK_KEY, fresh);
  } else {
    // A removed course may have been the default one: the next read rebuilds the default copy.
    await Promise.all([deps.cache.delete(courseBookKey(courseId)), deps.cache.delete(BOOK_KEY)]);
  }
  await deps.cache.putJson(CATALOG_KEY, { courses: await buildCatalog(deps) });
  return fresh;
}

async function buildCatalog(deps: CacheDeps): Promise<CourseCard[]> {
  const books = await Promise.all((await deps.content.courseIds()).map((id) => readBook(deps, id)));
  return books.flatMap((b) => (b ? [courseCard(b)] : []));
}

async function buildCachedBook(deps: Pick<Deps, 'content'>, courseId: string): Promise<CachedBook | null> {
  const rows = await deps.content.bookRows(courseId);
  if (!rows) return null;
  const book = buildBook(rows);
  return { etag: await etagOf(book), book };
}
