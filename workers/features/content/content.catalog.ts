import { LayerSchema, type CachedBook, type CourseCard } from './content.schemas';

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
    lessonCount: book.lessonCount,
    minutes: lessons.reduce((sum, l) => sum + l.minutes, 0),
    layers: LayerSchema.options.filter((layer) => lessons.some((l) => l.layer === layer)),
    links: { book: `${base}/book`, lessons: `${base}/lessons/{slug}` },
  };
}
