import { ApiError, getBook, getProgress, lessonHref, type Book } from '../lib/api';
import { courseLength, plural } from '../lib/format';
import { redirectIfNotOnboarded } from '../lib/onboarding';
import { ErrorNotice, LayerBadge, Loading } from './Status';
import { useLoad } from './use-load';

type LessonStates = ReadonlyMap<string, 'started' | 'completed'>;

/** The learner's marks for the outline; none when the API cannot give them (the outline still shows). */
async function lessonStates(): Promise<LessonStates> {
  try {
    return new Map((await getProgress()).lessonStates.map((l) => [l.slug, l.state]));
  } catch (error) {
    if (error instanceof ApiError) return new Map();
    throw error;
  }
}

/** Null when the learner is being sent to onboarding first. */
async function loadBook(): Promise<{ book: Book; states: LessonStates } | null> {
  const [book, redirected] = await Promise.all([getBook(), redirectIfNotOnboarded()]);
  return redirected ? null : { book, states: await lessonStates() };
}

/** The course outline: parts, chapters and lessons in reading order. */
export default function CourseOutline() {
  const { state, retry } = useLoad(loadBook, 'book');
  if (state.status === 'loading') return <Loading label="Loading the course…" />;
  if (state.status === 'error') return <ErrorNotice error={state.error} onRetry={retry} />;
  if (!state.data) return <Loading label="Taking you to a few questions first…" />;
  return <Outline book={state.data.book} states={state.data.states} />;
}

function Outline({ book, states }: { book: Book; states: LessonStates }) {
  const first = book.parts[0]?.chapters[0]?.lessons[0];
  const minutes = book.parts.flatMap((p) => p.chapters.flatMap((c) => c.lessons)).reduce((sum, l) => sum + l.minutes, 0);
  return (
    <article className="outline">
      <header className="course-header">
        <h1>{book.course.title}</h1>
        {book.course.summary ? <p className="lede">{book.course.summary}</p> : null}
        <p className="muted">
          {plural(book.lessonCount, 'lesson')} · {courseLength(minutes)}
        </p>
        {first ? (
          <a className="button" href={lessonHref(first.slug)}>
            Start with “{first.title}”
          </a>
        ) : null}
      </header>
      {book.parts.map((part, p) => (
        <section key={part.slug} className="part" aria-labelledby={`part-${part.slug}`}>
          <h2 id={`part-${part.slug}`}>
            <span className="part-number">Part {p + 1}</span> {part.title}
          </h2>
          {part.summary ? <p className="muted">{part.summary}</p> : null}
          {part.chapters.map((chapter) => (
            <section key={chapter.slug} className="chapter" aria-label={chapter.title}>
              {chapter.title !== part.title ? <h3>{chapter.title}</h3> : null}
              <ol className="lesson-list">
                {chapter.lessons.map((lesson) => (
                  <li key={lesson.slug} data-state={states.get(lesson.slug) ?? 'new'}>
                    <a href={lessonHref(lesson.slug)}>{lesson.title}</a>
                    {states.get(lesson.slug) === 'completed' ? (
                      <span className="lesson-state lesson-state-done">
                        <span aria-hidden="true">✓ </span>Completed
                      </span>
                    ) : states.get(lesson.slug) === 'started' ? (
                      <span className="lesson-state lesson-state-started">In progress</span>
                    ) : null}
                    <span className="lesson-meta">
                      <LayerBadge layer={lesson.layer} /> {lesson.minutes} min
                    </span>
                    {lesson.summary ? <p className="lesson-summary">{lesson.summary}</p> : null}
                  </li>
                ))}
              </ol>
            </section>
          ))}
        </section>
      ))}
    </article>
  );
}
