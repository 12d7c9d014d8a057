import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import {
  ApiError,
  courseFromPath,
  getMe,
  getQuestions,
  submitOnboarding,
  type Answers,
  type Question,
  type QuestionId,
} from '../lib/api';
import { errorsByQuestion, initialAnswers, isAnswered, safeNext, skipOnboarding } from '../lib/onboarding';
import QuestionField from './QuestionField';
import { ErrorNotice, Loading } from './Status';
import { useLoad } from './use-load';

/** The course a learner is onboarding for: the one the page they came from is in (`?next=/courses/<course>/…`), else the default. */
const nextCourse = () =>
  typeof window === 'undefined' ? null : courseFromPath(safeNext(new URLSearchParams(window.location.search).get('next')));

async function loadQuestionnaire() {
  const [questions, me] = await Promise.all([getQuestions(nextCourse()), getMe()]);
  return { questions, answers: initialAnswers(questions, me.preferences) };
}

/**
 * The onboarding questionnaire, one question per step; done, it returns to `?next=` or the course,
 * by way of the placement test for a learner who says they already use or know the subject.
 */
export default function Onboarding() {
  const { state, retry } = useLoad(loadQuestionnaire, 'questionnaire');
  if (state.status === 'loading') return <Loading label="Loading the questions…" />;
  if (state.status === 'error') return <ErrorNotice error={state.error} onRetry={retry} />;
  return <Questionnaire questions={state.data.questions} initial={state.data.answers} />;
}

function Questionnaire({ questions, initial }: { questions: Question[]; initial: Answers }) {
  const [step, setStep] = useState(0);
  const [answers, setAnswers] = useState<Answers>(initial);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<QuestionId, string>>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const moved = useRef(false);

  // After Back or Next, focus the new question so a screen reader announces it.
  useEffect(() => {
    if (moved.current) heading.current?.focus();
  }, [step]);

  const question = questions[step];
  if (!question) return <ErrorNotice error={new Error('The questionnaire has no questions.')} />;
  const total = questions.length;
  const last = step === total - 1;
  const answered = isAnswered(question, answers[question.id]);

  const goTo = (next: number) => {
    moved.current = true;
    setStep(next);
  };

  const finish = async () => {
    setSaving(true);
    setFailure(null);
    try {
      await submitOnboarding(answers, nextCourse());
      const next = safeNext(new URLSearchParams(window.location.search).get('next'));
      // A learner who says they know the subject is offered the placement test first.
      const knows = answers.experience === 'working' || answers.experience === 'expert';
      window.location.assign(knows ? `/placement/?next=${encodeURIComponent(next)}` : next);
    } catch (error) {
      setSaving(false);
      const ids = questions.map((q) => q.id);
      const { byQuestion, other } = errorsByQuestion(error instanceof ApiError ? (error.problem?.errors ?? []) : [], ids);
      setFieldErrors(byQuestion);
      const firstWrong = questions.findIndex((q) => byQuestion[q.id]);
      if (firstWrong >= 0) goTo(firstWrong);
      if (firstWrong < 0 || other.length > 0) setFailure(error);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!answered || saving) return;
    if (last) void finish();
    else goTo(step + 1);
  };

  // Enter on a radio button or checkbox moves on too (browsers differ on implicit submission).
  const onKeyDown = (event: KeyboardEvent<HTMLFormElement>) => {
    const target = event.target;
    if (event.key === 'Enter' && target instanceof HTMLInputElement && (target.type === 'radio' || target.type === 'checkbox')) {
      event.preventDefault();
      event.currentTarget.requestSubmit();
    }
  };

  return (
    <article className="onboarding" aria-labelledby="onboarding-title">
      <header>
        <h1 id="onboarding-title">Tell us about yourself</h1>
        <p className="lede">Six quick questions, so every lesson can be adapted to you. You can change your answers later.</p>
      </header>
      <p id="onboarding-progress" className="progress-label">
        Question {step + 1} of {total}
      </p>
      <div
        className="progress"
        role="progressbar"
        aria-labelledby="onboarding-progress"
        aria-valuemin={1}
        aria-valuemax={total}
        aria-valuenow={step + 1}
        aria-valuetext={`Question ${step + 1} of ${total}`}
      >
        <div className="progress-fill" style={{ width: `${((step + 1) / total) * 100}%` }} />
      </div>
      <form className="question-form" noValidate onSubmit={submit} onKeyDown={onKeyDown}>
        <QuestionField
          key={question.id}
          question={question}
          value={answers[question.id]}
          error={fieldErrors[question.id]}
          headingRef={heading}
          onChange={(value) => {
            setAnswers((current) => ({ ...current, [question.id]: value }));
            setFieldErrors((current) => ({ ...current, [question.id]: undefined }));
          }}
        />
        {failure ? <ErrorNotice error={failure} /> : null}
        <div className="form-actions">
          {step > 0 ? (
            <button type="button" className="button-secondary" onClick={() => goTo(step - 1)}>
              Back
            </button>
          ) : null}
          <button type="submit" disabled={!answered || saving}>
            {last ? (saving ? 'Saving…' : 'Finish') : 'Next'}
          </button>
        </div>
        <p className="skip-onboarding">
          Not now?{' '}
          <a
            href={safeNext(new URLSearchParams(typeof window === 'undefined' ? '' : window.location.search).get('next'))}
            onClick={() => skipOnboarding()}
          >
            Skip for now
          </a>{' '}
          and read the lessons as written; you can personalize them later.
        </p>
      </form>
    </article>
  );
}
