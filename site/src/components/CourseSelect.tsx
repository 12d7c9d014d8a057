/** A course of the catalog to narrow a page to, or every course (`null`); shown only when the catalog holds more than one. */
export default function CourseSelect({
  courses,
  value,
  onChange,
}: {
  courses: readonly { slug: string; title: string }[];
  value: string | null;
  onChange: (course: string | null) => void;
}) {
  if (courses.length < 2) return null;
  return (
    <label>
      Course{' '}
      <select name="course" value={value ?? ''} onChange={(event) => onChange(event.target.value || null)}>
        <option value="">All courses</option>
        {courses.map((c) => (
          <option key={c.slug} value={c.slug}>
            {c.title}
          </option>
        ))}
      </select>
    </label>
  );
}
