import { useEffect, useState } from 'react';
import { getLesson, getLessonMarkdown, lessonHref, type LessonDetail } from '../lib/api';
import { lessonSections, renderLessonHtml } from '../lib/markdown';
import { ErrorNotice, LayerBadge, Loading } from './Status';
import { useLoad } from './use-load';

/** `/lessons/<slug>` (served by this page through a rewrite) or `/lesson/?slug=<slug>`. */
function slugFromLocation(): string {
  const fromPath = /^\/lessons\/([a-z0-9-]+)\/?$/.exec(window.location.pathname)?.[1];
  return fromPath ?? new URLSearchParams(window.location.search).get('slug') ?? '';
}

async function loadLesson(slug: string) {
  const [lesson, markdown] = await Promise.all([getLesson(slug), getLessonMarkdown(slug)]);
  return { lesson, html: renderLessonHtml(markdown), sections: lessonSections(markdown) };
}

/** One lesson: metadata, rendered text, and links to its neighbours. */
export default function LessonView() {
  // null until mounted: the static build and the first client render must match.
  const [slug, setSlug] = useState<string | null>(null);
  useEffect(() => setSlug(slugFromLocation()), []);
  const { state, retry } = useLoad(() => loadLesson(slug ?? ''), slug || null);

  useEffect(() => {
    if (state.status !== 'ready') return;
    document.title = `${state.data.lesson.title} | LearnEdge`;
    // The text arrived after the browser tried to follow the #anchor; follow it now.
    const id = decodeURIComponent(window.location.hash.slice(1));
    if (id) document.getElementById(id)?.scrollIntoView();
  }, [state]);

  if (slug === '') return <ErrorNotice error={new Error('No lesson was named in the address.')} />;
  if (state.status === 'loading') return <Loading label="Loading the lesson…" />;
  if (state.status === 'error') return <ErrorNotice error={state.error} onRetry={retry} />;
  return <Lesson {...state.data} />;
}

function Lesson({
  lesson,
  html,
  sections,
}: {
  lesson: LessonDetail;
  html: string;
  sections: { text: string; anchor: string }[];
}) {
  return (
    <article className="lesson" aria-labelledby="lesson-title">
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <ol>
          <li>
            <a href="/">Course</a>
          </li>
          <li>{lesson.part.title}</li>
          <li aria-current="page">{lesson.chapter.title}</li>
        </ol>
      </nav>
      <header className="lesson-header">
        <h1 id="lesson-title">{lesson.title}</h1>
        <p className="lesson-meta">
          <LayerBadge layer={lesson.layer} /> {lesson.minutes} min · difficulty {lesson.difficulty} of 5
        </p>
        {lesson.summary ? <p className="lede">{lesson.summary}</p> : null}
        {lesson.prerequisites.length > 0 ? (
          <p className="prerequisites">
            Builds on:{' '}
            {lesson.prerequisites.map((p, i) => (
              <span key={p.slug}>
                {i > 0 ? ', ' : ''}
                <a href={lessonHref(p.slug)}>{p.title}</a>
              </span>
            ))}
          </p>
        ) : null}
        {lesson.objectives.length > 0 ? (
          <section className="objectives" aria-labelledby="objectives-title">
            <h2 id="objectives-title">You will be able to</h2>
            <ul>
              {lesson.objectives.map((o) => (
                <li key={o}>{o}</li>
              ))}
            </ul>
          </section>
        ) : null}
      </header>
      {sections.length > 2 ? (
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
      ) : null}
      {/* Sanitized: markdown-it with raw HTML off, then DOMPurify (see lib/markdown.ts). */}
      <div className="prose" dangerouslySetInnerHTML={{ __html: html }} />
      <nav className="pager" aria-label="Lessons">
        {lesson.prev ? (
          <a rel="prev" href={lessonHref(lesson.prev.slug)}>
            <span className="muted">Previous</span> {lesson.prev.title}
          </a>
        ) : (
          <span />
        )}
        {lesson.next ? (
          <a rel="next" href={lessonHref(lesson.next.slug)}>
            <span className="muted">Next</span> {lesson.next.title}
          </a>
        ) : null}
      </nav>
    </article>
  );
}
