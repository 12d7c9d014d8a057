import { useState } from 'react';
import { rateAnswer, type AnswerFeedbackReason, type AnswerRating } from '../lib/api';

const REASONS: Record<AnswerRating, { id: AnswerFeedbackReason; label: string }[]> = {
  up: [
    { id: 'helpful', label: 'Answered my question' },
    { id: 'clear', label: 'Clear' },
    { id: 'other', label: 'Something else' },
  ],
  down: [
    { id: 'wrong', label: 'Wrong' },
    { id: 'not_in_sources', label: 'Not what the sources say' },
    { id: 'unclear', label: 'Unclear' },
    { id: 'incomplete', label: 'Incomplete' },
    { id: 'off_topic', label: 'Off topic' },
    { id: 'other', label: 'Something else' },
  ],
};

/** Thumb icons (Feather's, drawn with strokes), so the buttons need no emoji font. */
const THUMB_PATHS: Record<AnswerRating, string> = {
  up: 'M14 9V5a3 3 0 0 0-3-3l-4 9v11h11.28a2 2 0 0 0 2-1.7l1.38-9a2 2 0 0 0-2-2.3zM7 22H4a2 2 0 0 1-2-2v-7a2 2 0 0 1 2-2h3',
  down: 'M10 15v4a3 3 0 0 0 3 3l4-9V2H5.72a2 2 0 0 0-2 1.7l-1.38 9a2 2 0 0 0 2 2.3zm7-13h2.67A2.31 2.31 0 0 1 22 4v7a2.31 2.31 0 0 1-2.33 2H17',
};

function Thumb({ rating }: { rating: AnswerRating }) {
  return (
    <svg className="thumb" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">
      <path
        d={THUMB_PATHS[rating]}
        fill="none"
        stroke="currentColor"
        strokeWidth="2"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}

type Sent = { rating: AnswerRating; reason: AnswerFeedbackReason | null };

/** Thumbs up or down on an answer, then an optional reason; each choice is sent at once and the latest counts. */
export default function AnswerFeedback({ answerId, idPrefix }: { answerId: string; idPrefix: string }) {
  const [sent, setSent] = useState<Sent | null>(null);
  const [status, setStatus] = useState<'idle' | 'sending' | 'saved' | 'failed'>('idle');

  const send = async (next: Sent) => {
    setSent(next);
    setStatus('sending');
    try {
      await rateAnswer(answerId, next.rating, next.reason ?? undefined);
      setStatus('saved');
    } catch {
      setStatus('failed');
    }
  };

  return (
    <div className="answer-feedback" role="group" aria-labelledby={`${idPrefix}-feedback`}>
      <span id={`${idPrefix}-feedback`} className="small">
        Was this answer useful?
      </span>
      <button
        type="button"
        className="button-secondary"
        aria-pressed={sent?.rating === 'up'}
        onClick={() => void send({ rating: 'up', reason: null })}
      >
        <Thumb rating="up" /> Yes
      </button>
      <button
        type="button"
        className="button-secondary"
        aria-pressed={sent?.rating === 'down'}
        onClick={() => void send({ rating: 'down', reason: null })}
      >
        <Thumb rating="down" /> No
      </button>
      {sent ? (
        <fieldset className="answer-feedback-reasons">
          <legend className="small">{sent.rating === 'up' ? 'What was good?' : 'What was wrong?'}</legend>
          {REASONS[sent.rating].map((r) => (
            <label key={r.id} className="small">
              <input
                type="radio"
                name={`${idPrefix}-reason`}
                value={r.id}
                checked={sent.reason === r.id}
                onChange={() => void send({ rating: sent.rating, reason: r.id })}
              />{' '}
              {r.label}
            </label>
          ))}
        </fieldset>
      ) : null}
      <p className="muted small" role="status">
        {status === 'saved'
          ? 'Thank you: your rating is saved.'
          : status === 'failed'
            ? 'Your rating could not be sent; try again.'
            : ''}
      </p>
    </div>
  );
}
