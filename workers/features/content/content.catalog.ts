import type { Deps } from '../../deps';
import { AppError } from '../../http/problem';
import type { CourseHead } from './content.store';
import { LayerSchema, type CachedBook, type CourseCard } from './content.schemas';

/** The 404 for a course (`?course=`, else at `field`) the catalog does not hold. */
export function noSuchCourse(course: string, field = 'query/course'): AppError {
  return new AppError('not_found', `No course "${course}" in the catalog`, {
    errors: [{ field, message: 'must be a course of GET /api/courses' }],
  });
}

/** The course `?course=` names (404 naming the field when the catalog has none), else the default course; null before any push. */
export async function askedCourse(
  deps: Pick<Deps, 'content'>,
  course: string | undefined,
  field = 'query/course',
): Promise<CourseHead | null> {
  if (course === undefined) return deps.content.currentCourse();
  const found = await deps.content.course(course);
  if (!found) throw noSuchCourse(course, field);
  return found;
}

/**
 * The site's address of a lesson, under its course (`/courses/<course>/lessons/<slug>`, with
 * `#anchor` when given); `/lessons/<slug>` when the course is not known, which redirects there.
 */
export function lessonPageHref(course: string | null, slug: string, anchor = ''): string {
  return `${course ? `/courses/${course}` : ''}/lessons/${slug}${anchor ? `#${anchor}` : ''}`;
}

/** A course of the catalog as its card shows it, from its cached book. */
export function courseCard(cached: CachedBook): CourseCard {
  const { book } = cached;
  const lessons = book.parts.flatMap((p) => p.chapters.flatMap((ch) => ch.lessons));
  const base = `/api/courses/${book.course.slug}`;
  return {
    slug: book.course.slug,
    title: book.course.title,
    summary: book.course.summary,
    languages: book.course.language ? [book.course.language] : [],
    version: book.version,
    parts: book.parts.length,
    outline: book.parts.map((p) => ({ slug: p.slug, title: p.title })),
    lessonCount: book.lessonCount,
    minutes: lessons.reduce((sum, l) => sum + l.minutes, 0),
    layers: LayerSchema.options.filter((layer) => lessons.some((l) => l.layer === layer)),
    links: { book: `${base}/book`, lessons: `${base}/lessons/{slug}` },
  };
}
