import { useEffect, useRef, useState, type FormEvent } from 'react';
import {
  ApiError,
  conceptHref,
  courseHref,
  getBook,
  getConcepts,
  getCourseBook,
  getLearningPath,
  lessonHref,
  setGoal,
  type LearningPath,
} from '../lib/api';
import { capitalize, formatDate } from '../lib/format';
import {
  GOAL_NOUNS,
  GOAL_TYPES,
  goalChoices,
  goalErrorsByField,
  goalFormErrors,
  goalName,
  goalRequest,
  initialGoalForm,
  localDay,
  pathSummary,
  reach,
  reachText,
  speedNote,
  timeline,
  formatMinutes,
  type GoalChoices,
  type Reach,
  type GoalFieldErrors,
  type GoalForm,
} from '../lib/learning-path';
import { ErrorNotice, Loading } from './Status';
import { useLoad } from './use-load';

type GoalPath = LearningPath & { goal: NonNullable<LearningPath['goal']> };

/** The path in `course`, or null when the learner has no goal there and chose none at onboarding. */
function withGoal(path: LearningPath): GoalPath | null {
  return path.goal ? { ...path, goal: path.goal } : null;
}

/**
 * What the page needs before it can show anything: the course (`?course=`, else the one the
 * path is in: the goal's), the goals to choose from in it and the current path.
 */
async function loadPage() {
  const asked = new URLSearchParams(window.location.search).get('course');
  const path = await getLearningPath(asked);
  const course = asked ?? path.course;
  const [book, concepts] = await Promise.all([course ? getCourseBook(course) : getBook(), getConcepts(course)]);
  return {
    course: { slug: book.course.slug, title: book.course.title },
    choices: goalChoices(book, concepts),
    path: withGoal(path),
  };
}

/** The learning-path page: a goal picker, and the ordered lessons from here to the goal at the learner's pace. */
export default function LearningPathView() {
  const { state, retry } = useLoad(loadPage, 'path');
  return (
    <article className="learning-path" aria-labelledby="path-title">
      <h1 id="path-title">Your learning path</h1>
      <p className="lede">
        Choose where you want to get to. The lessons between you and your goal are listed in order, with the time each takes at
        your pace; lessons you have completed or mastered are left out.
      </p>
      {state.status === 'loading' ? <Loading label="Loading your learning path…" /> : null}
      {state.status === 'error' ? <ErrorNotice error={state.error} onRetry={retry} /> : null}
      {state.status === 'ready' ? (
        <>
          <p className="path-course">
            In <a href={courseHref(state.data.course.slug)}>{state.data.course.title}</a>
          </p>
          <Planner course={state.data.course.slug} choices={state.data.choices} initial={state.data.path} />
        </>
      ) : null}
    </article>
  );
}

type Refresh = { status: 'idle' } | { status: 'loading' } | { status: 'failed'; error: unknown };

function Planner({ course, choices, initial }: { course: string; choices: GoalChoices; initial: GoalPath | null }) {
  const [path, setPath] = useState(initial);
  const [refresh, setRefresh] = useState<Refresh>({ status: 'idle' });
  // The route shown stays until the new one arrives, so the page does not jump after a save.
  const reload = () => {
    setRefresh({ status: 'loading' });
    getLearningPath(course).then(
      (next) => {
        setPath(withGoal(next));
        setRefresh({ status: 'idle' });
      },
      (error: unknown) => setRefresh({ status: 'failed', error }),
    );
  };
  return (
    <>
      <section className="path-section" aria-labelledby="goal-title">
        <h2 id="goal-title">Your goal</h2>
        <CurrentGoal path={path} choices={choices} />
        <GoalPicker
          course={course}
          choices={choices}
          initial={initialGoalForm(path && path.status !== 'goal_removed' ? path.goal : null)}
          onSaved={reload}
        />
      </section>
      <section className="path-section" aria-labelledby="route-title" aria-busy={refresh.status === 'loading'}>
        <h2 id="route-title">The way there</h2>
        {refresh.status === 'failed' ? <ErrorNotice error={refresh.error} onRetry={reload} /> : null}
        {path ? (
          <Route path={path} />
        ) : (
          <p className="notice">
            No goal yet. Choose a part of the course, a lesson or a concept above, and the lessons that lead there appear here in
            order.
          </p>
        )}
      </section>
    </>
  );
}

function CurrentGoal({ path, choices }: { path: GoalPath | null; choices: GoalChoices }) {
  if (!path) return null;
  const { goal } = path;
  if (path.status === 'goal_removed') {
    return (
      <p className="notice" role="status">
        Your goal is no longer in the course: the author removed it. Choose another goal below.
      </p>
    );
  }
  if (goal.source === 'onboarding') {
    return (
      <p className="path-goal">
        You have not set a goal, so the path leads to {goalName(goal, choices)}, which you chose when you started. Set your own
        below.
      </p>
    );
  }
  return (
    <p className="path-goal">
      You are working towards <strong>{goalName(goal, choices)}</strong>
      {goal.targetDate ? (
        <>
          {' '}
          by <time dateTime={goal.targetDate}>{formatDate(goal.targetDate)}</time>
        </>
      ) : null}
      .
    </p>
  );
}

/** The ids of the texts that describe a field, or nothing. */
const describedBy = (...ids: (string | undefined)[]) => ids.filter(Boolean).join(' ') || undefined;

type SaveState = { status: 'idle' } | { status: 'saving' } | { status: 'saved' } | { status: 'error'; error: unknown };

function GoalPicker({
  course,
  choices,
  initial,
  onSaved,
}: {
  course: string;
  choices: GoalChoices;
  initial: GoalForm;
  onSaved: () => void;
}) {
  const [form, setForm] = useState<GoalForm>(initial);
  const [errors, setErrors] = useState<GoalFieldErrors>({});
  const [save, setSave] = useState<SaveState>({ status: 'idle' });
  const item = useRef<HTMLSelectElement>(null);
  const date = useRef<HTMLInputElement>(null);
  const [today, setToday] = useState<string | undefined>(undefined);
  // The reader's date is known only in the browser; the static build leaves the picker open.
  useEffect(() => setToday(localDay(new Date())), []);

  const change = (next: Partial<GoalForm>) => {
    setForm((current) => ({ ...current, ...next }));
    setErrors((current) => {
      const rest = { ...current };
      for (const key of Object.keys(next) as (keyof GoalForm)[]) delete rest[key];
      return rest;
    });
    setSave({ status: 'idle' });
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (save.status === 'saving') return;
    const missing = goalFormErrors(form);
    if (Object.keys(missing).length > 0) {
      setErrors(missing);
      (missing.id ? item : date).current?.focus();
      return;
    }
    setSave({ status: 'saving' });
    setErrors({});
    try {
      await setGoal({ ...goalRequest(form), course });
      setSave({ status: 'saved' });
      onSaved();
    } catch (error) {
      const { byField } = goalErrorsByField(error instanceof ApiError ? (error.problem?.errors ?? []) : []);
      setErrors(byField);
      setSave({ status: 'error', error });
    }
  };

  const noun = GOAL_NOUNS[form.type];
  return (
    <form className="goal-form" noValidate onSubmit={(event) => void submit(event)}>
      <fieldset className="goal-type" aria-describedby={describedBy(errors.type && 'goal-type-error')}>
        <legend>Work towards</legend>
        <div className="goal-type-options">
          {GOAL_TYPES.map((type) => (
            <label key={type} className="chip">
              <input
                type="radio"
                name="goal-type"
                value={type}
                checked={form.type === type}
                onChange={() => change({ type, id: type === initial.type ? initial.id : '' })}
              />
              {type === 'part' ? 'A part of the course' : `A ${GOAL_NOUNS[type]}`}
            </label>
          ))}
        </div>
        {errors.type ? (
          <p id="goal-type-error" className="field-error">
            {errors.type}
          </p>
        ) : null}
      </fieldset>
      <div className="field">
        <label htmlFor="goal-id">{capitalize(noun)}</label>
        <select
          id="goal-id"
          ref={item}
          value={form.id}
          aria-invalid={errors.id ? true : undefined}
          aria-describedby={describedBy(errors.id && 'goal-id-error')}
          onChange={(event) => change({ id: event.target.value })}
        >
          <option value="">Choose a {noun}…</option>
          {choices[form.type].map((group) =>
            group.label ? (
              <optgroup key={group.label} label={group.label}>
                {group.options.map((option) => (
                  <option key={option.id} value={option.id}>
                    {option.label}
                  </option>
                ))}
              </optgroup>
            ) : (
              group.options.map((option) => (
                <option key={option.id} value={option.id}>
                  {option.label}
                </option>
              ))
            ),
          )}
        </select>
        {errors.id ? (
          <p id="goal-id-error" className="field-error">
            {errors.id}
          </p>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor="goal-targetDate">
          Target date <span className="muted">(optional)</span>
        </label>
        <input
          type="date"
          id="goal-targetDate"
          ref={date}
          value={form.targetDate}
          min={today}
          aria-invalid={errors.targetDate ? true : undefined}
          aria-describedby={describedBy('goal-targetDate-help', errors.targetDate && 'goal-targetDate-error')}
          onChange={(event) => change({ targetDate: event.target.value })}
        />
        <p id="goal-targetDate-help" className="question-help">
          When you want to be there. The path then says whether your usual pace gets you there in time.
        </p>
        {errors.targetDate ? (
          <p id="goal-targetDate-error" className="field-error">
            {errors.targetDate}
          </p>
        ) : null}
      </div>
      <div className="form-actions">
        <button type="submit" disabled={save.status === 'saving'}>
          {save.status === 'saving' ? 'Saving…' : 'Set goal'}
        </button>
      </div>
      <div role="status" aria-live="polite" className="form-status">
        {save.status === 'saved' ? <p className="notice notice-success">Goal saved. The way there is shown below.</p> : null}
      </div>
      {save.status === 'error' ? <ErrorNotice error={save.error} /> : null}
    </form>
  );
}

function Route({ path }: { path: GoalPath }) {
  const steps = timeline(path.steps, path.pace.minutesPerDay);
  // The API counted from the learner's own date (getLearningPath sends it).
  const verdict = reach(path, localDay(new Date()));
  const speed = speedNote(path.pace.speed);
  if (path.status === 'goal_removed') {
    return <p className="notice">Once you choose a new goal, the lessons that lead there appear here in order.</p>;
  }
  if (steps.length === 0) {
    return (
      <p className="notice notice-success" role="status">
        You are there: every lesson this goal needs is completed or mastered. Choose a new goal above to keep going.
      </p>
    );
  }
  const goalLesson = path.goal.type === 'lesson' ? path.goal.id : null;
  return (
    <>
      {/* Announced when a new goal changes them; the steps below are read at the reader's pace. */}
      <div className="path-overview" role="status" aria-live="polite">
        <p className="path-summary">
          <strong>{pathSummary(path)}.</strong>
        </p>
        {verdict.status === 'no-date' ? (
          <p className="muted">Add a target date above to see whether you get there in time.</p>
        ) : (
          <ReachFlag verdict={verdict} path={path} />
        )}
      </div>
      {speed ? <p className="muted">{speed}</p> : null}
      <ol className="path-steps">
        {steps.map((step) => (
          <li
            key={step.lessonSlug}
            className={step.lessonSlug === goalLesson ? 'path-step path-step-goal' : 'path-step'}
            data-step={step.lessonSlug}
          >
            <span className="path-step-marker" aria-hidden="true">
              {step.number}
            </span>
            <div className="path-step-body">
              <h3 className="path-step-title">
                <a href={lessonHref(step.lessonSlug, path.course)}>{step.title}</a>
              </h3>
              <p className="path-step-reason">{step.reason}</p>
              <p className="path-step-meta">
                {formatMinutes(step.minutes)} · {formatMinutes(step.cumulativeMinutes)} in all · day {step.day}
              </p>
            </div>
          </li>
        ))}
      </ol>
      <ConceptDates concepts={path.concepts} course={path.course} />
    </>
  );
}

/** When each goal concept is expected to reach mastery at the learner's pace (from the knowledge-tracing model). */
function ConceptDates({ concepts, course }: { concepts: LearningPath['concepts']; course: string | null }) {
  if (concepts.length === 0) return null;
  return (
    <section className="path-concepts" aria-labelledby="path-concepts-title">
      <h3 id="path-concepts-title">When you should master your goal</h3>
      <ul>
        {concepts.map((c) => (
          <li key={c.concept} data-concept={c.concept}>
            <a href={conceptHref(c.concept, course)}>{c.title}</a>
            {': '}
            {c.status === 'mastered'
              ? 'mastered already'
              : c.status === 'out_of_reach'
                ? 'practice alone is not expected to get there: work through its lesson again'
                : `by ${formatDate(c.date ?? '')}, ${Math.round(c.pKnown * 100)}% now, about ${c.answersNeeded} more answers${c.lessonSlug ? ' after its lesson' : ''}`}
          </li>
        ))}
      </ul>
    </section>
  );
}

function ReachFlag({ verdict, path }: { verdict: Exclude<Reach, { status: 'no-date' }>; path: LearningPath }) {
  const { title, detail } = reachText(verdict, path);
  const reachable = verdict.status === 'reachable';
  return (
    <div className={`notice path-reach ${reachable ? 'notice-success' : 'notice-warning'}`} data-reach={verdict.status}>
      <p className="path-reach-title">
        <span aria-hidden="true">{reachable ? '✓ ' : '⚠ '}</span>
        <strong>{title}</strong>
      </p>
      <p>{detail}</p>
    </div>
  );
}
