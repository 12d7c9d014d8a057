import { ApiError, courseHref, getCatalog, getProgress, type CourseCard } from '../lib/api';
import { courseLength, plural } from '../lib/format';
import { ErrorNotice, LayerBadge, Loading } from './Status';
import { useLoad } from './use-load';

/** Per course the learner has progress in, the lessons they completed; empty for a visitor without a learner (the catalog still shows). */
async function completedLessons(): Promise<ReadonlyMap<string, number>> {
  try {
    const progress = await getProgress();
    return new Map(progress.courses.map((c) => [c.course, c.completed]));
  } catch (error) {
    if (error instanceof ApiError) return new Map();
    throw error;
  }
}

interface Loaded {
  courses: CourseCard[];
  /** Per course slug, lessons completed (only courses with progress). */
  done: ReadonlyMap<string, number>;
}

async function loadCatalog(): Promise<Loaded> {
  const [courses, done] = await Promise.all([getCatalog(), completedLessons()]);
  return { courses, done };
}

/** The catalog: a card per course, with the learner's progress in the courses they study. */
export default function Catalog() {
  const { state, retry } = useLoad(loadCatalog, 'catalog');
  if (state.status === 'loading') return <Loading label="Loading the courses…" />;
  if (state.status === 'error') return <ErrorNotice error={state.error} onRetry={retry} />;
  const { courses, done } = state.data;
  return (
    <article className="catalog">
      <header>
        <h1>Courses</h1>
        <p className="lede">{plural(courses.length, 'course')} on this site.</p>
      </header>
      {courses.length === 0 ? (
        <p className="muted">No course has been published yet.</p>
      ) : (
        <ul className="course-cards">
          {courses.map((course) => (
            <li key={course.slug}>
              <Card course={course} done={done.get(course.slug) ?? null} />
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}

function Card({ course, done }: { course: CourseCard; done: number | null }) {
  const share = done === null || course.lessonCount === 0 ? 0 : Math.min(1, done / course.lessonCount);
  return (
    <section className="course-card" aria-labelledby={`course-${course.slug}`}>
      <h2 id={`course-${course.slug}`}>
        <a href={courseHref(course.slug)}>{course.title}</a>
      </h2>
      {course.summary ? <p>{course.summary}</p> : null}
      <p className="muted">
        {plural(course.parts, 'part')} · {plural(course.lessonCount, 'lesson')} · {courseLength(course.minutes)}
        {course.languages.length > 0 ? ` · ${course.languages.join(', ')}` : ''}
      </p>
      <p className="course-layers">
        {course.layers.map((layer) => (
          <LayerBadge key={layer} layer={layer} />
        ))}
      </p>
      {done === null ? (
        <a className="button" href={courseHref(course.slug)}>
          Start the course
        </a>
      ) : (
        <>
          <p className="progress-label">
            {done} of {plural(course.lessonCount, 'lesson')} completed
          </p>
          <div
            className="progress"
            role="progressbar"
            aria-valuemin={0}
            aria-valuemax={course.lessonCount}
            aria-valuenow={done}
            aria-label={`${course.title}: lessons completed`}
          >
            <div className="progress-fill" style={{ width: `${Math.round(share * 100)}%` }} />
          </div>
          <a className="button" href={courseHref(course.slug)}>
            Continue
          </a>
        </>
      )}
    </section>
  );
}
