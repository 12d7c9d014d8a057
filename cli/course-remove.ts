import { CourseRemovalSchema } from '../workers/features/content/content.schemas';
import { plural } from '../workers/platform/words';
import { ApiError, askFirst, type Api } from './push';

export interface RemoveOptions {
  /** Answers the question for scripts and CI. */
  yes: boolean;
  /** Asks the author a yes/no question; absent when no one can answer (not a terminal): then --yes is needed. */
  confirm?: (question: string) => Promise<boolean>;
  out: { log: (line: string) => void; error: (line: string) => void };
}

/**
 * `npm run content -- remove <course>`: says what removing the course removes (its lessons,
 * and how many learners have progress in it), asks, then removes it. True when removed.
 */
export async function removeCourse(api: Api, course: string, options: RemoveOptions): Promise<boolean> {
  const { out } = options;
  const path = `/api/admin/content/courses/${encodeURIComponent(course)}`;
  let summary;
  try {
    summary = CourseRemovalSchema.parse(await api('GET', path));
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      out.error(`There is no course "${course}" on this server; nothing was removed.`);
      return false;
    }
    throw error;
  }
  const learners =
    summary.learnersWithProgress === 0
      ? 'no learner has progress in it'
      : `${plural(summary.learnersWithProgress, 'learner')} ${summary.learnersWithProgress === 1 ? 'has' : 'have'} progress in it (their own records stay theirs)`;
  const question = `"${summary.title}" (${summary.slug}, version ${summary.version}) has ${plural(summary.lessons, 'lesson')}; ${learners}.`;
  if (!(await askFirst(options, question, { ask: 'Remove the course?', refused: 'Nothing was removed.', rerun: 'remove it' }))) {
    return false;
  }
  const removed = CourseRemovalSchema.parse(await api('DELETE', `${path}?confirm=${encodeURIComponent(summary.slug)}`));
  out.log(`Removed "${removed.title}" (${removed.slug}): ${plural(removed.lessons, 'lesson')}.`);
  return true;
}
