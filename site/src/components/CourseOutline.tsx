import { ApiError, courseFromPath, getBook, getCourseBook, getProgress, lessonHref, type Book, type Progress } from '../lib/api';
import { courseLength, plural } from '../lib/format';
import { checkOnboarding } from '../lib/onboarding';
import { TODAY_PATH } from '../lib/today';
import Recommendations from './Recommendations';
import { ErrorNotice, LayerBadge, Loading } from './Status';
import { useLoad } from './use-load';

type LessonStates = ReadonlyMap<string, 'started' | 'completed'>;
type Mine = { states: LessonStates; next: Progress['continueLesson'] };
/**
 * `onboarded`: a learner with a profile, who has a daily plan to go back to. `course`: the
 * course the page's address names (its lessons link under it), null on the default course's outline.
 */
type Loaded = { book: Book; onboarded: boolean; course: string | null } & Mine;

/** The learner's marks and where to pick up; none when the API cannot give them (the outline still shows). */
async function learnerProgress(): Promise<Mine> {
  try {
    const progress = await getProgress();
    return { states: new Map(progress.lessonStates.map((l) => [l.slug, l.state])), next: progress.continueLesson };
  } catch (error) {
    if (error instanceof ApiError) return { states: new Map(), next: null };
    throw error;
  }
}

/** Null when the learner is being sent to onboarding first. The course is the page's (`/courses/<course>/`), else the default one. */
async function loadBook(): Promise<Loaded | null> {
  const course = courseFromPath(window.location.pathname);
  const [book, onboarding] = await Promise.all([course ? getCourseBook(course) : getBook(), checkOnboarding()]);
  if (onboarding === 'redirected') return null;
  const mine = await learnerProgress();
  // Where to pick up is the default course's; another course's page picks up at its first unfinished lesson.
  const next = course && course !== mine.next?.course ? firstUnfinished(book, mine.states) : mine.next;
  return { book, onboarded: onboarding === 'onboarded', course, ...mine, next };
}

/** The first lesson of `book` not completed, as where to pick up (null when all are). */
function firstUnfinished(book: Book, states: LessonStates): Mine['next'] {
  const lessons = book.parts.flatMap((p) => p.chapters.flatMap((c) => c.lessons));
  const next = lessons.find((l) => states.get(l.slug) !== 'completed');
  if (!next) return null;
  const state = states.get(next.slug);
  const anyDone = lessons.some((l) => states.has(l.slug));
  return {
    slug: next.slug,
    title: next.title,
    lastActivityAt: null,
    reason: state === 'started' ? 'in_progress' : anyDone ? 'next' : 'first',
    course: book.course.slug,
  };
}

/** The course outline: parts, chapters and lessons in reading order. */
export default function CourseOutline() {
  const { state, retry } = useLoad(loadBook, 'book');
  if (state.status === 'loading') return <Loading label="Loading the course…" />;
  if (state.status === 'error') return <ErrorNotice error={state.error} onRetry={retry} />;
  if (!state.data) return <Loading label="Taking you to a few questions first…" />;
  return <Outline {...state.data} />;
}

/** The header's one call to action: where the learner left off, else the course's first lesson. */
function callToAction(book: Book, next: Mine['next'], states: LessonStates): { slug: string; label: string } | null {
  if (next && next.reason !== 'first') {
    return { slug: next.slug, label: `${next.reason === 'in_progress' ? 'Continue' : 'Next:'} “${next.title}”` };
  }
  const first = book.parts[0]?.chapters[0]?.lessons[0];
  // Every lesson completed: nothing to start, the outline itself says so lesson by lesson.
  if (!first || (states.size > 0 && !next)) return null;
  return { slug: first.slug, label: `Start with “${first.title}”` };
}

function Outline({ book, states, next, onboarded, course }: Loaded) {
  const action = callToAction(book, next, states);
  const minutes = book.parts.flatMap((p) => p.chapters.flatMap((c) => c.lessons)).reduce((sum, l) => sum + l.minutes, 0);
  return (
    <article className="outline">
      <header className="course-header">
        <h1>{book.course.title}</h1>
        {book.course.summary ? <p className="lede">{book.course.summary}</p> : null}
        <p className="muted">
          {plural(book.lessonCount, 'lesson')} · {courseLength(minutes)} · <a href="/courses/">All courses</a>
        </p>
        {action || onboarded ? (
          <p className="course-actions">
            {action ? (
              <a className="button" href={lessonHref(action.slug, course)}>
                {action.label}
              </a>
            ) : null}
            {/* A learner with a profile has a daily plan: the way back to it, beside where they left off. */}
            {onboarded ? (
              <a className="course-today" href={TODAY_PATH}>
                Today’s plan
              </a>
            ) : null}
            {/* Another course of the catalog has its own placement test. */}
            {onboarded && course ? (
              <a className="course-today" href={`/placement/?course=${course}`}>
                Know some of it? Placement test
              </a>
            ) : null}
            {/* A goal in this course, and the way there. */}
            {onboarded && course ? (
              <a className="course-today" href={`/path/?course=${course}`}>
                Set a goal in this course
              </a>
            ) : null}
          </p>
        ) : null}
      </header>
      {/* A learner with a profile: what to do next in this course, ranked over its lessons only. */}
      {onboarded ? (
        <section className="course-next" aria-labelledby="course-next-title">
          <h2 id="course-next-title">Suggested next in this course</h2>
          <Recommendations course={book.course.slug} />
        </section>
      ) : null}
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
                    <a href={lessonHref(lesson.slug, course)}>{lesson.title}</a>
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
