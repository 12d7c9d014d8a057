/** A titled list of links to lessons (related to an answer, or offered when a search found nothing). */
export default function LessonLinks({
  title,
  className,
  lessons,
}: {
  title: string;
  className: string;
  lessons: readonly { lessonSlug: string; title: string; href: string }[];
}) {
  if (lessons.length === 0) return null;
  return (
    <div className={className}>
      <h3>{title}</h3>
      <ul>
        {lessons.map((s) => (
          <li key={s.lessonSlug}>
            <a href={s.href}>{s.title}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}
