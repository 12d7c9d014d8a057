import type { Deps } from '../../deps';
import type { Variation } from './practice.schemas';

type LibraryDeps = Pick<Deps, 'content' | 'practice'>;

/**
 * The practice-task library a course's plans draw from: its own, else the default course's
 * (a library's tasks are templates bound to whichever course's lessons and concepts, so a
 * course pushed without one still gets daily plans). With the course whose library it is.
 */
export async function libraryFor(
  deps: LibraryDeps,
  courseId: string | null,
): Promise<{ courseId: string | null; variations: Variation[] }> {
  const own = courseId ? await deps.practice.library(courseId) : [];
  if (own.length > 0) return { courseId, variations: own };
  const fallback = await deps.content.currentCourse();
  if (!fallback || fallback.id === courseId) return { courseId, variations: own };
  return { courseId: fallback.id, variations: await deps.practice.library(fallback.id) };
}
