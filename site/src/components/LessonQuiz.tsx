import { useEffect, useRef, useState, type FormEvent } from 'react';
import { getNextQuizItem, submitQuizAttempt, type NextQuizItem, type QuizAttemptResult, type QuizItem } from '../lib/api';
import { createEventWrite, type EventWrite } from '../lib/event-write';
import { AnswerFeedback, ChoiceQuestion } from './ChoiceQuestion';
import { ErrorNotice, Loading } from './Status';

type Asked = NextQuizItem & { item: QuizItem };

type QuizState =
  | { phase: 'loading' }
  | { phase: 'failed'; error: unknown }
  | { phase: 'asking'; next: Asked; choice: number | null; sending: boolean; error: unknown; missing: boolean }
  | { phase: 'graded'; next: Asked; choice: number; result: QuizAttemptResult }
  /** Every question answered once, some missed: the learner chooses whether to try those again now. */
  | { phase: 'round'; next: Asked }
  | { phase: 'done'; next: NextQuizItem };

const hasItem = (next: NextQuizItem): next is Asked => next.item !== null;

/**
 * The lesson's quiz, one question at a time in the order the API picks: answer,
 * see whether it was right and why, then the next. Once every question has been
 * answered, a round ends: missed questions come back only if the learner asks (and
 * in reviews), never the one whose answer was just shown while another is open.
 * `onFinished` runs when every question has been answered correctly during this visit.
 */
export default function LessonQuiz({ slug, onFinished }: { slug: string; onFinished: () => void }) {
  const [state, setState] = useState<QuizState>({ phase: 'loading' });
  const attempt = useRef<EventWrite<QuizAttemptResult> | null>(null);
  const question = useRef<HTMLHeadingElement>(null);
  const feedback = useRef<HTMLHeadingElement>(null);
  // Focus follows the quiz only once the learner has started it, never on page load.
  const moved = useRef(false);

  const load = (afterAnswer: boolean) => {
    setState({ phase: 'loading' });
    getNextQuizItem(slug).then(
      (next) => {
        attempt.current = null;
        if (hasItem(next)) {
          setState(
            next.retry
              ? { phase: 'round', next }
              : { phase: 'asking', next, choice: null, sending: false, error: null, missing: false },
          );
          return;
        }
        setState({ phase: 'done', next });
        if (afterAnswer) onFinished();
      },
      (error: unknown) => setState({ phase: 'failed', error }),
    );
  };

  useEffect(() => load(false), [slug]);

  useEffect(() => {
    if (!moved.current) return;
    if (state.phase === 'asking' && !state.sending && state.error === null) question.current?.focus();
    if (state.phase === 'graded') feedback.current?.focus();
  }, [state.phase]);

  const send = (asked: Asked, choice: number) => {
    // One event per answer given: a retry after a failure sends this same one, so it is graded once.
    attempt.current ??= createEventWrite(({ eventId }) => submitQuizAttempt({ eventId, itemId: asked.item.id, answer: choice }));
    setState({ phase: 'asking', next: asked, choice, sending: true, error: null, missing: false });
    attempt.current.send().then(
      (result) => setState({ phase: 'graded', next: asked, choice, result }),
      (error: unknown) => setState({ phase: 'asking', next: asked, choice, sending: false, error, missing: false }),
    );
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (state.phase !== 'asking' || state.sending) return;
    moved.current = true;
    if (state.choice === null) {
      setState({ ...state, missing: true });
      return;
    }
    send(state.next, state.choice);
  };

  return (
    <section className="quiz" aria-labelledby="quiz-title">
      <h2 id="quiz-title">Check your understanding</h2>
      {state.phase === 'loading' ? <Loading label="Loading the next question…" /> : null}
      {state.phase === 'failed' ? <ErrorNotice error={state.error} onRetry={() => load(false)} /> : null}
      {state.phase === 'asking' || state.phase === 'graded' ? <QuizProgress next={state.next} /> : null}
      {state.phase === 'asking' ? (
        <form className="quiz-form" noValidate onSubmit={submit}>
          <ChoiceQuestion
            id={`quiz-${state.next.item.id}`}
            question={state.next.item.question}
            choices={state.next.item.choices}
            value={state.choice}
            onChange={(choice) => setState({ ...state, choice, missing: false })}
            // Once an answer was sent it may have been graded already: only that same answer can be sent again.
            locked={state.sending || state.error !== null}
            error={state.missing ? 'Choose an answer first.' : null}
            headingRef={question}
          />
          {state.error === null ? (
            <div className="form-actions">
              <button type="submit" disabled={state.sending}>
                {state.sending ? 'Checking…' : 'Check answer'}
              </button>
            </div>
          ) : (
            <ErrorNotice error={state.error} onRetry={() => state.choice !== null && send(state.next, state.choice)} />
          )}
        </form>
      ) : null}
      {state.phase === 'graded' ? (
        <>
          <ChoiceQuestion
            id={`quiz-${state.next.item.id}`}
            question={state.next.item.question}
            choices={state.next.item.choices}
            value={state.choice}
            onChange={() => undefined}
            locked
            correctIndex={state.result.answer}
          />
          <AnswerFeedback
            id="quiz-feedback"
            correct={state.result.correct}
            choices={state.next.item.choices}
            answer={state.result.answer}
            explanation={state.result.explanation}
            mastery={state.result.mastery}
            headingRef={feedback}
          >
            <div className="form-actions">
              <button type="button" onClick={() => load(true)}>
                {state.result.correct && state.next.answered + 1 >= state.next.total ? 'Finish the quiz' : 'Next question'}
              </button>
            </div>
          </AnswerFeedback>
        </>
      ) : null}
      {state.phase === 'round' ? (
        <div className="notice quiz-round" role="status">
          <p>
            You have answered every question once: {state.next.answered} of {state.next.total} right. The{' '}
            {state.next.total - state.next.answered === 1 ? 'one you missed comes' : 'ones you missed come'} back in your reviews,
            spaced out so they stick.
          </p>
          <div className="form-actions">
            <button
              type="button"
              className="button-secondary"
              onClick={() => {
                moved.current = true;
                setState({ phase: 'asking', next: state.next, choice: null, sending: false, error: null, missing: false });
              }}
            >
              Try the missed {state.next.total - state.next.answered === 1 ? 'question' : 'questions'} again now
            </button>
          </div>
        </div>
      ) : null}
      {state.phase === 'done' ? (
        <p className="notice notice-success" role="status">
          All questions answered correctly{state.next.total > 0 ? ` (${state.next.total} of ${state.next.total})` : ''}.
        </p>
      ) : null}
    </section>
  );
}

function QuizProgress({ next }: { next: NextQuizItem }) {
  return (
    <>
      <p id="quiz-progress" className="progress-label">
        {next.answered} of {next.total} answered correctly
      </p>
      <div
        className="progress"
        role="progressbar"
        aria-labelledby="quiz-progress"
        aria-valuemin={0}
        aria-valuemax={next.total}
        aria-valuenow={next.answered}
      >
        <div className="progress-fill" style={{ width: `${next.total > 0 ? (next.answered / next.total) * 100 : 0}%` }} />
      </div>
    </>
  );
}
