import { useState, type FormEvent } from 'react';
import {
  ApiError,
  clearPersonalizedCache,
  dropCoursePreferences,
  getCatalog,
  getMe,
  getPreferences,
  getQuestions,
  savePreferences,
  type Answers,
  type Question,
  type QuestionId,
} from '../lib/api';
import {
  answersToPreferences,
  errorsByQuestion,
  initialAnswers,
  isAnswered,
  onboardingHref,
  withCatalogGoals,
} from '../lib/onboarding';
import { planErrorsOf, planFieldsOf, planSettingsOf, type PlanSettings, type PlanSettingsErrors } from '../lib/plan-settings';
import { deviceTimeZone } from '../lib/today';
import CourseSelect from './CourseSelect';
import PlanSettingsFields from './PlanSettingsFields';
import PracticeProfileSection from './PracticeProfileSection';
import PrivacySettings from './PrivacySettings';
import QuestionField from './QuestionField';
import { ErrorNotice, Loading } from './Status';
import { useLoad } from './use-load';

/**
 * The learner's own preferences, or with `course` theirs in that course. Null when the
 * learner has not onboarded yet: the page then invites them to, and keeps their privacy
 * settings in reach.
 */
async function loadProfile(course: string | null) {
  try {
    // Preferences first: reading them drops goals a course change removed, and /me then says so once.
    const [asked, preferences, catalog] = await Promise.all([
      // A course's questions name it (and offer its parts first).
      getQuestions(course),
      getPreferences(course),
      // Without the catalog, goals are offered from the default course only.
      getCatalog().catch(() => []),
    ]);
    const questions = withCatalogGoals(asked, catalog);
    const { notices } = await getMe();
    return {
      catalog,
      questions,
      answers: initialAnswers(questions, preferences),
      plan: planSettingsOf(preferences, deviceTimeZone()),
      notices,
    };
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

/** The learner's preferences, editable, and a way to drop their personalized lessons. */
export default function Profile() {
  // The course whose preferences are shown and saved; null: the learner's own, for every course without its own.
  const [course, setCourse] = useState<string | null>(null);
  const { state, retry } = useLoad(() => loadProfile(course), `profile-${course}`);
  if (state.status === 'loading') return <Loading label="Loading your profile…" />;
  if (state.status === 'error') return <ErrorNotice error={state.error} onRetry={retry} />;
  if (!state.data) {
    return (
      <article className="profile" aria-labelledby="profile-title">
        <h1 id="profile-title">Your profile</h1>
        <p className="notice">
          You have not answered the six questions yet, so lessons are shown as written.{' '}
          <a href={onboardingHref(window.location.pathname)}>Answer them now</a> and every lesson is adapted to you.
        </p>
        <PrivacySettings />
      </article>
    );
  }
  return (
    <article className="profile" aria-labelledby="profile-title">
      <h1 id="profile-title">Your profile</h1>
      <p className="lede">Lessons are personalized with these answers. Change any of them and save.</p>
      {state.data.notices.length > 0 ? (
        <div className="notice" role="status">
          <p>
            <strong>The course has changed.</strong>
          </p>
          <ul>
            {state.data.notices.map((notice) => (
              <li key={notice}>{notice}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {state.data.catalog.length > 1 ? (
        <div className="profile-course">
          <CourseSelect courses={state.data.catalog} value={course} onChange={setCourse} />
          <p className="muted">
            {course
              ? 'Experience, background, style, session length and examples saved here are for this course only; goals, time zone and daily practice are the same in every course.'
              : 'Your preferences for every course. Choose a course to give it a different style, session length or examples.'}
          </p>
          {course ? <FollowOwn course={course} onDone={retry} /> : null}
        </div>
      ) : null}
      <PreferencesForm
        key={course ?? ''}
        course={course}
        questions={state.data.questions}
        initial={state.data.answers}
        initialPlan={state.data.plan}
      />
      <PracticeProfileSection />
      <PlacementLink />
      <ClearCache />
      <PrivacySettings />
    </article>
  );
}

type SaveState = { status: 'idle' } | { status: 'saving' } | { status: 'saved' } | { status: 'error'; error: unknown };

/** Drops a course's own preferences, so it follows the learner's own again. */
function FollowOwn({ course, onDone }: { course: string; onDone: () => void }) {
  const [state, setState] = useState<SaveState>({ status: 'idle' });
  const drop = async () => {
    setState({ status: 'saving' });
    try {
      await dropCoursePreferences(course);
      setState({ status: 'saved' });
      onDone();
    } catch (error) {
      setState({ status: 'error', error });
    }
  };
  return (
    <>
      <button type="button" className="button-secondary" disabled={state.status === 'saving'} onClick={() => void drop()}>
        Use my own preferences in this course
      </button>
      {state.status === 'error' ? <ErrorNotice error={state.error} /> : null}
    </>
  );
}

function PreferencesForm({
  course,
  questions,
  initial,
  initialPlan,
}: {
  course: string | null;
  questions: Question[];
  initial: Answers;
  initialPlan: PlanSettings;
}) {
  const [answers, setAnswers] = useState<Answers>(initial);
  const [plan, setPlan] = useState<PlanSettings>(initialPlan);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<QuestionId, string>>>({});
  const [planErrors, setPlanErrors] = useState<PlanSettingsErrors>({});
  const [save, setSave] = useState<SaveState>({ status: 'idle' });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const missing = Object.fromEntries(
      questions.filter((q) => !isAnswered(q, answers[q.id])).map((q) => [q.id, missingMessage(q)]),
    ) as Partial<Record<QuestionId, string>>;
    const preferences = answersToPreferences(answers);
    const { fields, errors } = planFieldsOf(plan);
    if (Object.keys(missing).length > 0 || !preferences || Object.keys(errors).length > 0) {
      setFieldErrors(missing);
      setPlanErrors(errors);
      setSave({ status: 'error', error: new Error('Some answers need attention; see the messages next to them.') });
      return;
    }
    setSave({ status: 'saving' });
    setFieldErrors({});
    setPlanErrors({});
    try {
      // The whole preferences object: a plan field left empty is unset.
      const saved = await savePreferences({ ...preferences, ...fields }, course);
      setAnswers(initialAnswers(questions, saved));
      setPlan(planSettingsOf(saved, null));
      setSave({ status: 'saved' });
    } catch (error) {
      const problems = error instanceof ApiError ? (error.problem?.errors ?? []) : [];
      setFieldErrors(
        errorsByQuestion(
          problems,
          questions.map((q) => q.id),
        ).byQuestion,
      );
      setPlanErrors(planErrorsOf(problems));
      setSave({ status: 'error', error });
    }
  };

  return (
    <form className="question-form" noValidate onSubmit={(event) => void submit(event)}>
      {questions.map((question) => (
        <QuestionField
          key={question.id}
          question={question}
          value={answers[question.id]}
          error={fieldErrors[question.id]}
          onChange={(value) => {
            setAnswers((current) => ({ ...current, [question.id]: value }));
            setFieldErrors((current) => ({ ...current, [question.id]: undefined }));
            setSave({ status: 'idle' });
          }}
        />
      ))}
      <PlanSettingsFields
        value={plan}
        errors={planErrors}
        sessionMinutes={typeof answers.sessionMinutes === 'number' ? answers.sessionMinutes : undefined}
        onChange={(field, value) => {
          setPlan((current) => ({ ...current, [field]: value }));
          setPlanErrors((current) => ({ ...current, [field]: undefined }));
          setSave({ status: 'idle' });
        }}
      />
      <div className="form-actions">
        <button type="submit" disabled={save.status === 'saving'}>
          {save.status === 'saving' ? 'Saving…' : 'Save preferences'}
        </button>
      </div>
      <div role="status" aria-live="polite" className="form-status">
        {save.status === 'saved' ? (
          <p className="notice notice-success">
            Saved. Lessons you open from now on are personalized with these answers, and your next daily plan follows them.
          </p>
        ) : null}
      </div>
      {save.status === 'error' ? <ErrorNotice error={save.error} /> : null}
    </form>
  );
}

function missingMessage(question: Question): string {
  if (question.type === 'multi') return 'Choose at least one.';
  if (question.type === 'number') return `Enter a whole number from ${question.min ?? ''} to ${question.max ?? ''}.`;
  return 'Choose one.';
}

/** The placement test can be (re)taken from the profile. */
function PlacementLink() {
  return (
    <section className="profile-section" aria-labelledby="placement-title">
      <h2 id="placement-title">Placement test</h2>
      <p>
        Already know part of the course? A short adaptive test marks what you know as mastered, so the lessons that build on it
        open up. Retaking it never lowers what you have.
      </p>
      <a className="button-secondary" href="/placement/?next=/profile/">
        Take the placement test
      </a>
    </section>
  );
}

type ClearState =
  { status: 'idle' } | { status: 'working' } | { status: 'done'; deleted: number } | { status: 'error'; error: unknown };

function ClearCache() {
  const [state, setState] = useState<ClearState>({ status: 'idle' });
  const clear = async () => {
    setState({ status: 'working' });
    try {
      setState({ status: 'done', deleted: (await clearPersonalizedCache()).deleted });
    } catch (error) {
      setState({ status: 'error', error });
    }
  };
  return (
    <section className="profile-section" aria-labelledby="cache-title">
      <h2 id="cache-title">Personalized lessons</h2>
      <p>
        Personalized lessons are kept so they open at once. Clear them to have every lesson adapted afresh the next time you open
        it.
      </p>
      <button type="button" className="button-secondary" disabled={state.status === 'working'} onClick={() => void clear()}>
        {state.status === 'working' ? 'Clearing…' : 'Clear my personalized lessons'}
      </button>
      <div role="status" aria-live="polite" className="form-status">
        {state.status === 'done' ? (
          <p className="notice notice-success">
            {state.deleted === 0
              ? 'There were no personalized lessons to clear.'
              : `Cleared ${state.deleted} personalized ${state.deleted === 1 ? 'lesson' : 'lessons'}.`}
          </p>
        ) : null}
      </div>
      {state.status === 'error' ? <ErrorNotice error={state.error} onRetry={() => void clear()} /> : null}
    </section>
  );
}
