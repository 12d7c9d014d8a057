/** The lesson's `##` sections as in-page links. */
export default function TableOfContents({ sections }: { sections: { text: string; anchor: string }[] }) {
  return (
    <nav className="toc" aria-label="On this page">
      <h2>On this page</h2>
      <ol>
        {sections.map((s) => (
          <li key={s.anchor}>
            <a href={`#${s.anchor}`}>{s.text}</a>
          </li>
        ))}
      </ol>
    </nav>
  );
}
