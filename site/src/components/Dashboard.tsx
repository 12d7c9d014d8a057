import { useState, type ReactNode } from 'react';
import {
  conceptHref,
  courseHref,
  getCatalog,
  getMastery,
  getPredictions,
  getProgress,
  lessonHref,
  type CourseCard,
  type Progress,
} from '../lib/api';
import { conceptOverview, type PractisedConcept } from '../lib/learner-model';
import { completionPercent, formatDateTime, formatPercent, plural } from '../lib/format';
import { recentWeeks } from '../lib/week-chart';
import MasteryBar from './MasteryBar';
import Recommendations from './Recommendations';
import ReviewSession from './ReviewSession';
import { ErrorNotice, Loading } from './Status';
import { useLoad, type LoadState } from './use-load';
import WeekChart from './WeekChart';
import WeekSummary from './WeekSummary';

/** Mastery and forecasts of the concepts `course` assesses (else every course's), loaded together: forecasts are shown for the practised concepts only. */
async function loadConcepts(course: string | null) {
  const [mastery, predictions] = await Promise.all([getMastery(course), getPredictions(course)]);
  return conceptOverview(mastery, predictions);
}

/** The course the dashboard's detail is about: `?course=` of its address, else the default course. */
function shownCourse(): string | null {
  return typeof window === 'undefined' ? null : new URLSearchParams(window.location.search).get('course');
}

/**
 * The learner's dashboard: across their courses, with one course's detail (completion,
 * where to continue, mastery: `?course=`, else the default course's; time and the streak
 * count every course). Each section loads on its own, so one that fails shows its error
 * (with a retry) while the others still work.
 */
export default function Dashboard() {
  const [course] = useState(shownCourse);
  const progress = useLoad(() => getProgress(course), `progress-${course}`);
  // Bumped after a round of reviews, which changes mastery and predictions.
  const [round, setRound] = useState(0);
  // Mastery is of the course shown: the one asked for, else the one the progress is of (all, if that failed).
  const shown =
    course ??
    (progress.state.status === 'ready' ? progress.state.data.course : progress.state.status === 'error' ? null : undefined);
  const model = useLoad(() => loadConcepts(shown ?? null), shown === undefined ? null : `concepts-${shown}-${round}`);
  const catalog = useLoad(getCatalog, 'catalog');

  return (
    <article className="dashboard" aria-labelledby="dashboard-title">
      <h1 id="dashboard-title">Your dashboard</h1>
      {catalog.state.status === 'ready' && progress.state.status === 'ready' ? (
        <ShownCourse courses={catalog.state.data} progress={progress.state.data} />
      ) : null}
      <Loaded load={progress} label="Loading your progress…">
        {(data) => <Summary progress={data} course={course} />}
      </Loaded>
      <Loaded load={catalog} label="Loading the courses…">
        {(courses) => (
          <Loaded load={progress} label="Loading your progress…" echo="your progress">
            {(data) => <YourCourses courses={courses} progress={data} />}
          </Loaded>
        )}
      </Loaded>
      <Section id="recommended" title="Recommended for you">
        {course ? <Recommendations course={course} /> : <Recommendations />}
      </Section>
      <Section id="reviews" title="Reviews">
        <ReviewSession onReviewed={() => setRound((n) => n + 1)} />
      </Section>
      <Section id="week" title="Your week">
        <WeekSummary />
      </Section>
      <Section id="completion" title="Completion">
        <Loaded load={progress} label="Loading your progress…" echo="your progress">
          {(data) =>
            data.lessons.completed === 0 ? (
              <p className="notice">
                No lessons completed yet. As you complete lessons, each part of the course shows how far you are.
              </p>
            ) : (
              <Completion progress={data} />
            )
          }
        </Loaded>
      </Section>
      <Section id="time" title="Time spent">
        <Loaded load={progress} label="Loading your progress…" echo="your progress">
          {(data) => {
            // A chart of seconds is a sliver on a scale of minutes: it starts once there is a minute to show.
            const seconds = data.weeks.reduce((sum, w) => sum + w.activeSeconds, 0);
            if (seconds >= 60) return <WeekChart weeks={recentWeeks(data.weeks, new Date())} />;
            return (
              <p className="notice">
                {seconds === 0 ? 'No study time yet.' : 'Under a minute of study time so far.'} The time you spend reading a
                lesson is counted while its page is open, and shows here week by week.
              </p>
            );
          }}
        </Loaded>
      </Section>
      <Section id="mastery" title="What you know">
        <Loaded load={model} label="Loading your mastery…">
          {({ practised, notStarted }) =>
            practised.length === 0 ? (
              <p className="notice">
                No concepts practised yet. Answer the questions at the end of a lesson: each answer shows here as your mastery of
                its concept.
              </p>
            ) : (
              <>
                <p className="muted">Mastery is how likely it is that you know a concept, judged from your answers so far.</p>
                <ul className="mastery-list">
                  {practised.map((concept) => (
                    <li key={concept.concept}>
                      <MasteryBar mastery={concept} />
                      <Forecast concept={concept} />
                      <a className="concept-link" href={conceptHref(concept.concept, concept.course)}>
                        About {concept.title}
                      </a>
                    </li>
                  ))}
                </ul>
                {notStarted.length > 0 ? (
                  <details className="not-started">
                    <summary>Concepts still to practise ({notStarted.length})</summary>
                    <p className="muted">{notStarted.join(', ')}.</p>
                  </details>
                ) : null}
              </>
            )
          }
        </Loaded>
      </Section>
    </article>
  );
}

/** With several courses in the catalog: which course the detail below (completion, where to continue, mastery) is about. */
function ShownCourse({ courses, progress }: { courses: CourseCard[]; progress: Progress }) {
  const shown = courses.find((c) => c.slug === progress.course);
  if (courses.length < 2 || !shown) return null;
  return (
    <p className="muted dashboard-course">
      Your progress in <a href={courseHref(shown.slug)}>{shown.title}</a>. <a href="#courses">Your other courses</a> are one click
      away.
    </p>
  );
}

/** The dashboard's address with one course's detail. */
const dashboardHref = (course: string) => `/dashboard/?course=${encodeURIComponent(course)}`;

/**
 * With several courses in the catalog: each course the learner studies (the default one
 * always, and the one shown), lessons completed, and one click to its outline or to this
 * dashboard with its detail.
 */
function YourCourses({ courses, progress }: { courses: CourseCard[]; progress: Progress }) {
  if (courses.length < 2) return null;
  const done = new Map(progress.courses.map((c) => [c.course, c.completed]));
  const mine = courses.filter((c, i) => i === 0 || c.slug === progress.course || done.has(c.slug));
  return (
    <Section id="courses" title="Your courses">
      <ul className="your-courses">
        {mine.map((course) => (
          <li key={course.slug}>
            <a href={courseHref(course.slug)}>{course.title}</a>{' '}
            <span className="muted">
              {done.get(course.slug) ?? 0} of {plural(course.lessonCount, 'lesson')} completed
              {' · '}
              {course.slug === progress.course ? (
                'shown on this page'
              ) : (
                <a href={dashboardHref(course.slug)} aria-label={`Your progress in ${course.title}`}>
                  your progress in it
                </a>
              )}
            </span>
          </li>
        ))}
      </ul>
      {mine.length < courses.length ? (
        <p className="muted">
          <a href="/courses/">All {courses.length} courses</a>
        </p>
      ) : null}
    </Section>
  );
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section id={id} className="dashboard-section" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {children}
    </section>
  );
}

/**
 * A section's data once loaded. `echo` marks a second view of a load shown above,
 * naming it: its error is reported once, there.
 */
function Loaded<T>({
  load,
  label,
  echo,
  children,
}: {
  load: { state: LoadState<T>; retry: () => void };
  label: string;
  echo?: string;
  children: (data: T) => ReactNode;
}) {
  const { state, retry } = load;
  if (state.status === 'loading') return <Loading label={label} />;
  if (state.status === 'error') {
    return echo ? (
      <p className="muted">Not available: {echo} could not be loaded (see above).</p>
    ) : (
      <ErrorNotice error={state.error} onRetry={retry} />
    );
  }
  return <>{children(state.data)}</>;
}

/** Where the learner stands in the course shown; `course` (named in the address) puts lesson links under its own. */
function Summary({ progress, course }: { progress: Progress; course: string | null }) {
  const { lessons, streakDays, continueLesson, lastLesson } = progress;
  if (continueLesson?.reason === 'first') {
    return (
      <section className="summary" aria-label="Where to start">
        <p className="continue">New here? Start with the course's first lesson, or with one of the recommendations below.</p>
        <p className="continue-action">
          <a className="button" href={lessonHref(continueLesson.slug, course)}>
            Start “{continueLesson.title}”
          </a>
        </p>
      </section>
    );
  }
  return (
    <section className="summary" aria-label="At a glance">
      <dl className="stats">
        <div>
          <dt>Lessons completed</dt>
          <dd>
            {lessons.completed} of {lessons.total}
          </dd>
        </div>
        <div>
          <dt>Streak</dt>
          <dd>{plural(streakDays, 'day')}</dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>{plural(lessons.started, 'lesson')}</dd>
        </div>
      </dl>
      {continueLesson ? (
        <p className="continue continue-action">
          <a className="button" href={lessonHref(continueLesson.slug, course)}>
            {continueLesson.reason === 'in_progress' ? 'Continue' : 'Next:'} “{continueLesson.title}”
          </a>
          {continueLesson.reason === 'in_progress' && continueLesson.lastActivityAt ? (
            <span className="muted"> Last opened {formatDateTime(continueLesson.lastActivityAt)}</span>
          ) : null}
        </p>
      ) : lastLesson ? (
        <p className="continue">Every lesson is completed. Well done: review what is due to keep it fresh.</p>
      ) : (
        <p className="continue">
          Nothing to continue. <a href={course ? courseHref(course) : '/'}>Pick a lesson from the course</a>.
        </p>
      )}
    </section>
  );
}

function Completion({ progress }: { progress: Progress }) {
  return (
    <ol className="completion-list">
      {progress.parts.map((part) => (
        <li key={part.slug} className="completion-part">
          <CompletionBar id={`part-${part.slug}`} title={part.title} done={part.completed} total={part.lessons} strong />
          <ul className="completion-chapters">
            {part.chapters.map((chapter) => (
              <li key={chapter.slug}>
                <CompletionBar
                  id={`chapter-${chapter.slug}`}
                  title={chapter.title}
                  done={chapter.completed}
                  total={chapter.lessons}
                />
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ol>
  );
}

/** A completion as text ("2 of 9 lessons, 22%") and a bar that repeats it for the eye. */
function CompletionBar({
  id,
  title,
  done,
  total,
  strong = false,
}: {
  id: string;
  title: string;
  done: number;
  total: number;
  strong?: boolean;
}) {
  const pct = completionPercent(done, total);
  return (
    <div className={strong ? 'completion completion-strong' : 'completion'} data-completion={id}>
      <p className="completion-label">
        <span className="completion-title">{title}</span>{' '}
        <span className="completion-count">
          {done} of {plural(total, 'lesson')} · {pct}%
        </span>
      </p>
      <div className="bar" aria-hidden="true">
        <div className="bar-fill" style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}

/** A practised concept's forecast, on demand: the chance of a right answer today and in a week without review. */
function Forecast({ concept }: { concept: PractisedConcept }) {
  const { forecast } = concept;
  if (!forecast) return null;
  const drop = Math.round((forecast.now - forecast.in7Days) * 100);
  return (
    <details className="mastery-more">
      <summary>
        Details<span className="visually-hidden"> on {concept.title}</span>
      </summary>
      <p>
        Chance of answering a question on it correctly: {formatPercent(forecast.now)} today, {formatPercent(forecast.in7Days)} in
        7 days without review
        {drop > 0 ? ` (${drop} points lower: a review keeps it up)` : ''}.
      </p>
    </details>
  );
}
