import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { ApiError, courseHref, getLesson, getLessonMarkdown, lessonHref, type LessonDetail } from '../lib/api';
import { lessonSections, renderLessonHtml } from '../lib/markdown';
import { redirectIfNotOnboarded } from '../lib/onboarding';
import AskPanel from './AskPanel';
import PersonalizedPanel from './PersonalizedPanel';
import { ErrorNotice, LayerBadge, Loading } from './Status';
import TableOfContents from './TableOfContents';
import { useLoad } from './use-load';
import { usePersonalized } from './use-personalized';
import { ListSection } from './ListSection';
import { LessonCompletion, LessonStatus } from './LessonCompletion';
import LessonQuiz from './LessonQuiz';
import { useLessonProgress } from './use-lesson-progress';

/** `/lessons/<slug>` or `/courses/<course>/lessons/<slug>` (served by this page through a rewrite), or `/lesson/?slug=<slug>`. */
function slugFromLocation(): string {
  const fromPath = /^(?:\/courses\/[a-z0-9-]+)?\/lessons\/([a-z0-9-]+)\/?$/.exec(window.location.pathname)?.[1];
  return fromPath ?? new URLSearchParams(window.location.search).get('slug') ?? '';
}

/** Null when the learner is being sent to onboarding first. */
async function loadLesson(slug: string) {
  const [lesson, markdown, redirected] = await Promise.all([getLesson(slug), getLessonMarkdown(slug), redirectIfNotOnboarded()]);
  if (redirected) return null;
  return { lesson, html: renderLessonHtml(markdown), sections: lessonSections(markdown) };
}

/** One lesson: metadata, rendered text, and links to its neighbours. */
export default function LessonView() {
  // null until mounted: the static build and the first client render must match.
  const [slug, setSlug] = useState<string | null>(null);
  useEffect(() => setSlug(slugFromLocation()), []);
  const { state, retry } = useLoad(() => loadLesson(slug ?? ''), slug || null);

  useEffect(() => {
    if (state.status !== 'ready' || !state.data) return;
    document.title = `${state.data.lesson.title} | LearnEdge`;
    // The text arrived after the browser tried to follow the #anchor; follow it now.
    const id = decodeURIComponent(window.location.hash.slice(1));
    if (id) document.getElementById(id)?.scrollIntoView();
  }, [state]);

  if (slug === '') return <ErrorNotice error={new Error('No lesson was named in the address.')} />;
  if (state.status === 'loading') return <Loading label="Loading the lesson…" />;
  if (state.status === 'error') {
    // A lesson the course no longer has (or never had) is a page not found, not an error to retry.
    if (state.error instanceof ApiError && state.error.status === 404 && slug) return <LessonNotFound slug={slug} />;
    return <ErrorNotice error={state.error} onRetry={retry} />;
  }
  if (!state.data) return <Loading label="Taking you to a few questions first…" />;
  return <Lesson {...state.data} />;
}

/** The words of a slug, for a search that may find where its lesson went. */
function slugWords(slug: string): string {
  return slug.replace(/-/g, ' ');
}

function LessonNotFound({ slug }: { slug: string }) {
  useEffect(() => {
    document.title = 'Lesson not found | LearnEdge';
  }, []);
  return (
    <article className="lesson-not-found" aria-labelledby="not-found-title">
      <h1 id="not-found-title">This lesson is not in the course</h1>
      <p>
        There is no lesson “{slug}” in the course now: the author may have renamed, moved or removed it. Your progress in other
        lessons is kept.
      </p>
      <ul>
        <li>
          <a href={`/search/?q=${encodeURIComponent(slugWords(slug))}`}>Search the course for “{slugWords(slug)}”</a>, in case it
          moved
        </li>
        <li>
          <a href="/">Go to the course outline</a>
        </li>
      </ul>
    </article>
  );
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
  const progress = useLessonProgress(lesson.slug);
  const { complete } = progress;
  // Finishing the quiz completes the lesson, unless it was completed before.
  const finishQuiz = () => {
    if (!progress.progress?.completedAt) complete();
  };
  return (
    <article className="lesson" aria-labelledby="lesson-title">
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <ol>
          <li>
            <a href={courseHref(lesson.course.slug)}>{lesson.course.title}</a>
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
        <LessonStatus progress={progress.progress} />
        {lesson.summary ? <p className="lede">{lesson.summary}</p> : null}
        {lesson.prerequisites.length > 0 ? (
          <p className="prerequisites">
            Builds on:{' '}
            {lesson.prerequisites.map((p, i) => (
              <span key={p.slug}>
                {i > 0 ? ', ' : ''}
                <a href={lessonHref(p.slug, lesson.course.slug)}>{p.title}</a>
              </span>
            ))}
          </p>
        ) : null}
        <ListSection id="objectives-title" className="objectives" title="You will be able to" items={lesson.objectives} />
      </header>
      <LessonTabs slug={lesson.slug} html={html} sections={sections} />
      {lesson.quiz.length > 0 ? <LessonQuiz slug={lesson.slug} onFinished={finishQuiz} /> : null}
      <LessonCompletion state={progress} hasQuiz={lesson.quiz.length > 0} onComplete={complete} />
      <AskPanel key={lesson.slug} lessonSlug={lesson.slug} />
      <nav className="pager" aria-label="Lessons">
        {lesson.prev ? (
          <a rel="prev" href={lessonHref(lesson.prev.slug, lesson.course.slug)}>
            <span className="muted">Previous</span> {lesson.prev.title}
          </a>
        ) : (
          <span />
        )}
        {lesson.next ? (
          <a rel="next" href={lessonHref(lesson.next.slug, lesson.course.slug)}>
            <span className="muted">Next</span> {lesson.next.title}
          </a>
        ) : null}
      </nav>
    </article>
  );
}

type Tab = 'original' | 'personalized';
const TABS: readonly { id: Tab; label: string }[] = [
  { id: 'original', label: 'Original' },
  { id: 'personalized', label: 'Personalized' },
];
/** The last tab chosen, for every lesson: a reader who prefers their version keeps it. */
const TAB_KEY = 'learnedge.lessonTab';

function storedTab(): Tab {
  try {
    return window.localStorage.getItem(TAB_KEY) === 'personalized' ? 'personalized' : 'original';
  } catch {
    return 'original';
  }
}

/** "Original | Personalized" in the WAI-ARIA tabs pattern: arrows, Home and End move and select. */
function LessonTabs({ slug, html, sections }: { slug: string; html: string; sections: { text: string; anchor: string }[] }) {
  const [tab, setTab] = useState<Tab>(storedTab);
  const personalized = usePersonalized(slug, tab === 'personalized');
  const buttons = useRef(new Map<Tab, HTMLButtonElement>());

  const select = (next: Tab, focus = false) => {
    setTab(next);
    try {
      window.localStorage.setItem(TAB_KEY, next);
    } catch {
      // The choice then lasts until the page is left.
    }
    if (focus) buttons.current.get(next)?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const index = TABS.findIndex((t) => t.id === tab);
    const target = {
      ArrowRight: (index + 1) % TABS.length,
      ArrowLeft: (index - 1 + TABS.length) % TABS.length,
      Home: 0,
      End: TABS.length - 1,
    }[event.key];
    const next = target === undefined ? undefined : TABS[target];
    if (!next) return;
    event.preventDefault();
    select(next.id, true);
  };

  return (
    <>
      <div className="tabs" role="tablist" aria-label="Version of the lesson" onKeyDown={onKeyDown}>
        {TABS.map(({ id, label }) => (
          <button
            key={id}
            ref={(el) => {
              if (el) buttons.current.set(id, el);
              else buttons.current.delete(id);
            }}
            type="button"
            role="tab"
            id={`tab-${id}`}
            className="tab"
            aria-selected={tab === id}
            aria-controls={`panel-${id}`}
            tabIndex={tab === id ? 0 : -1}
            onClick={() => select(id)}
          >
            {label}
          </button>
        ))}
      </div>
      {/* Only the selected panel holds its text, so heading ids never repeat on the page. */}
      <div role="tabpanel" id="panel-original" aria-labelledby="tab-original" hidden={tab !== 'original'}>
        {tab === 'original' ? (
          <>
            {sections.length > 2 ? <TableOfContents sections={sections} /> : null}
            {/* Sanitized: markdown-it with raw HTML off, then DOMPurify (see lib/markdown.ts). */}
            <div className="prose" dangerouslySetInnerHTML={{ __html: html }} />
          </>
        ) : null}
      </div>
      <div role="tabpanel" id="panel-personalized" aria-labelledby="tab-personalized" hidden={tab !== 'personalized'}>
        {tab === 'personalized' ? <PersonalizedPanel state={personalized.state} onRetry={personalized.retry} /> : null}
      </div>
    </>
  );
}
