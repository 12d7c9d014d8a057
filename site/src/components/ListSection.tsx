/** A titled list (objectives, adaptations); renders nothing when the list is empty. */
export function ListSection({
  id,
  className,
  title,
  items,
}: {
  id: string;
  className: string;
  title: string;
  items: readonly string[];
}) {
  if (items.length === 0) return null;
  return (
    <section className={className} aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <ul>
        {items.map((item) => (
          <li key={item}>{item}</li>
        ))}
      </ul>
    </section>
  );
}
