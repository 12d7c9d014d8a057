import { useEffect, useRef, useState, type FormEvent } from 'react';
import { getDueReviews, lessonHref, submitReview, type DueReviews, type ReviewResult, type ReviewRating } from '../lib/api';
import { createEventWrite, type EventWrite } from '../lib/event-write';
import { capitalize, formatDateTime, formatRelative, plural } from '../lib/format';
import { AnswerFeedback, ChoiceQuestion } from './ChoiceQuestion';
import InlineText from './InlineText';
import { ErrorNotice, Loading } from './Status';

/**
 * Ratings a learner may choose instead of the one their answer implies. The API
 * grades and schedules in one request, so the choice is made before the answer is
 * checked, and the API uses it as given.
 */
const SELF_RATINGS = ['hard', 'good', 'easy'] as const satisfies readonly ReviewRating[];
type SelfRating = (typeof SELF_RATINGS)[number];

type Session =
  | { phase: 'loading' }
  | { phase: 'failed'; error: unknown }
  | { phase: 'overview'; reviews: DueReviews }
  | {
      phase: 'card';
      reviews: DueReviews;
      index: number;
      choice: number | null;
      rating: SelfRating | null;
      sending: boolean;
      error: unknown;
      missing: boolean;
    }
  | { phase: 'graded'; reviews: DueReviews; index: number; choice: number; result: ReviewResult };

/**
 * Due reviews and the flow through them: one card at a time, an answer, feedback
 * with the next due date, then the next card. `onReviewed` runs when a round ends,
 * so the mastery shown beside it can be refreshed.
 */
export default function ReviewSession({ onReviewed }: { onReviewed: () => void }) {
  const [session, setSession] = useState<Session>({ phase: 'loading' });
  const write = useRef<EventWrite<ReviewResult> | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const feedback = useRef<HTMLHeadingElement>(null);
  const now = new Date();

  const load = () => {
    setSession({ phase: 'loading' });
    getDueReviews().then(
      (reviews) => setSession({ phase: 'overview', reviews }),
      (error: unknown) => setSession({ phase: 'failed', error }),
    );
  };
  useEffect(load, []);

  const show = (reviews: DueReviews, index: number) => {
    write.current = null;
    setSession({ phase: 'card', reviews, index, choice: null, rating: null, sending: false, error: null, missing: false });
  };

  useEffect(() => {
    if (session.phase === 'card' && !session.sending && session.error === null) heading.current?.focus();
    if (session.phase === 'graded') feedback.current?.focus();
    // Focus moves when a card or its feedback appears, not on every keystroke.
  }, [session.phase, session.phase === 'card' || session.phase === 'graded' ? session.index : -1]);

  if (session.phase === 'loading') return <Loading label="Loading your reviews…" />;
  if (session.phase === 'failed') return <ErrorNotice error={session.error} onRetry={load} />;
  if (session.phase === 'overview')
    return <Overview reviews={session.reviews} now={now} onStart={() => show(session.reviews, 0)} />;

  const { reviews, index } = session;
  const card = reviews.due[index];
  if (!card) return null;
  const position = (
    <p className="progress-label">
      Card {index + 1} of {reviews.due.length} · from <a href={lessonHref(card.lessonSlug, card.course)}>{card.lessonTitle}</a>
    </p>
  );

  if (session.phase === 'graded') {
    const { result } = session;
    const last = index + 1 >= reviews.due.length;
    return (
      <div className="review-card">
        {position}
        <ChoiceQuestion
          id={`review-${card.id}`}
          question={card.question}
          choices={card.choices}
          value={session.choice}
          onChange={() => undefined}
          locked
          correctIndex={result.answer}
        />
        <AnswerFeedback
          id="review-feedback"
          correct={result.correct}
          choices={card.choices}
          answer={result.answer}
          explanation={result.explanation}
          mastery={result.mastery}
          headingRef={feedback}
        >
          <p className="review-next">
            Rated “{capitalize(result.rating)}”. Next review {formatRelative(result.card.due, now)} (
            <time dateTime={result.card.due}>{formatDateTime(result.card.due)}</time>).
          </p>
          <div className="form-actions">
            <button
              type="button"
              onClick={() => {
                if (!last) return show(reviews, index + 1);
                onReviewed();
                load();
              }}
            >
              {last ? 'Finish this round' : 'Next card'}
            </button>
          </div>
        </AnswerFeedback>
      </div>
    );
  }

  const send = (choice: number, rating: SelfRating | null) => {
    // One event per card answered: a retry sends this same one, so the card is scheduled once.
    write.current ??= createEventWrite(({ eventId }) =>
      submitReview(card.id, rating ? { eventId, answer: choice, rating } : { eventId, answer: choice }),
    );
    setSession({ ...session, choice, rating, sending: true, error: null, missing: false });
    write.current.send().then(
      (result) => setSession({ phase: 'graded', reviews, index, choice, result }),
      (error: unknown) => setSession({ ...session, choice, rating, sending: false, error, missing: false }),
    );
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (session.sending) return;
    if (session.choice === null) return setSession({ ...session, missing: true });
    send(session.choice, session.rating);
  };
  // After a failed send the answer and rating may have been recorded: only the same ones can be sent again.
  const locked = session.sending || session.error !== null;

  return (
    <form className="review-card" noValidate onSubmit={submit}>
      {position}
      <ChoiceQuestion
        id={`review-${card.id}`}
        question={card.question}
        choices={card.choices}
        value={session.choice}
        onChange={(choice) => setSession({ ...session, choice, missing: false })}
        locked={locked}
        error={session.missing ? 'Choose an answer first.' : null}
        headingRef={heading}
      />
      <fieldset className="self-rating" aria-describedby="self-rating-help">
        <legend>How easily did the answer come to you? (optional)</legend>
        <p id="self-rating-help" className="question-help">
          Without a rating, a right answer counts as “Good” and a wrong one as “Again” (the card comes back soon). A rating you
          choose schedules the card as given.
        </p>
        <div className="self-rating-options">
          {SELF_RATINGS.map((rating) => (
            <label key={rating} className="chip">
              <input
                type="radio"
                name={`rating-${card.id}`}
                value={rating}
                checked={session.rating === rating}
                disabled={locked}
                onChange={() => setSession({ ...session, rating })}
              />
              {capitalize(rating)}
            </label>
          ))}
        </div>
      </fieldset>
      {session.error === null ? (
        <div className="form-actions">
          <button type="submit" disabled={session.sending}>
            {session.sending ? 'Checking…' : 'Check answer'}
          </button>
        </div>
      ) : (
        <ErrorNotice error={session.error} onRetry={() => session.choice !== null && send(session.choice, session.rating)} />
      )}
    </form>
  );
}

function Overview({ reviews, now, onStart }: { reviews: DueReviews; now: Date; onStart: () => void }) {
  const { due, upcoming, nextDue } = reviews;
  const later = upcoming > 0 ? <p className="muted">{plural(upcoming, 'card')} scheduled for later.</p> : null;
  if (due.length === 0) {
    return (
      <div className="review-overview">
        <p className="notice" role="status">
          {nextDue ? (
            <>
              No reviews due — the next one is due {formatRelative(nextDue, now)} (
              <time dateTime={nextDue}>{formatDateTime(nextDue)}</time>).
            </>
          ) : (
            'No reviews yet. Questions you answer in a lesson’s quiz come back here when you are about to forget them.'
          )}
        </p>
        {later}
      </div>
    );
  }
  return (
    <div className="review-overview">
      <p>
        <strong>{plural(due.length, 'review')} due now.</strong> Each takes a few seconds.
      </p>
      <ul className="due-list">
        {due.map((card) => (
          <li key={card.id}>
            <span className="due-question">
              <InlineText text={card.question} />
            </span>
            <span className="due-meta muted">
              {card.lessonTitle} · {capitalize(card.state)} · due {formatRelative(card.due, now)}
            </span>
          </li>
        ))}
      </ul>
      {later}
      <button type="button" onClick={onStart}>
        Start reviewing
      </button>
    </div>
  );
}
