import { useRef, useState } from 'react';
import type { PlanItem, SkipReason } from '../lib/api';
import { CATEGORY_LABELS, completionHint, SKIP_REASON_LABELS, SKIP_REASONS, STATUS_LABELS, taskHref } from '../lib/today';
import InlineText from './InlineText';
import { ErrorNotice } from './Status';

export type TaskAction =
  { kind: 'done' } | { kind: 'skip'; reason: SkipReason | null } | { kind: 'rate'; rating: number } | { kind: 'swap' };

const RATINGS = [1, 2, 3, 4, 5] as const;

const BUSY_LABELS: Record<TaskAction['kind'], string> = {
  done: 'Saving…',
  skip: 'Skipping…',
  rate: 'Saving your rating…',
  swap: 'Finding another task…',
};

/**
 * One task of today's plan. Every button names its task, so a list of buttons read
 * out of context still says what it acts on.
 */
export default function TaskCard({
  item,
  course,
  busy,
  failure,
  rating,
  onAction,
}: {
  item: PlanItem;
  /** The plan's course, whose address the task's lesson link is under. */
  course: string;
  busy: TaskAction | null;
  failure: { action: TaskAction; error: unknown } | null;
  /** The rating given, on this page or before (the plan carries it). */
  rating: number | null;
  onAction: (action: TaskAction) => void;
}) {
  const [skipping, setSkipping] = useState(false);
  const skipButton = useRef<HTMLButtonElement>(null);
  const href = taskHref(item, course);
  const hint = item.status === 'open' ? completionHint(item) : null;
  const titleId = `task-${item.id}-title`;
  const name = `“${item.title}”`;

  return (
    <li className={`task task-${item.status}`} data-task={item.id} data-category={item.category} data-status={item.status}>
      <p className="task-meta">
        <span className={`badge badge-category badge-category-${item.category}`}>{CATEGORY_LABELS[item.category]}</span>
        <span className="task-minutes">{item.minutes} min</span>
        <span className={`task-status task-status-${item.status}`}>
          {item.status === 'completed' ? <span aria-hidden="true">✓ </span> : null}
          {STATUS_LABELS[item.status]}
          {item.status === 'skipped' && item.skipReason ? `: ${SKIP_REASON_LABELS[item.skipReason].toLowerCase()}` : null}
        </span>
      </p>
      <h2 className="task-title" id={titleId} tabIndex={-1}>
        {href ? <a href={href}>{item.title}</a> : item.title}
      </h2>
      <p className="task-instructions">
        <InlineText text={item.instructions} />
      </p>
      {item.reasons.length > 0 ? (
        <ul className="task-reasons" aria-label={`Why ${name} is in your plan`}>
          {item.reasons.map((reason) => (
            <li key={reason}>{reason}</li>
          ))}
        </ul>
      ) : null}
      {hint ? <p className="task-hint">{hint}</p> : null}

      {item.status === 'open' && skipping ? (
        <SkipChoice
          item={item}
          disabled={busy !== null}
          onSkip={(reason) => {
            setSkipping(false);
            onAction({ kind: 'skip', reason });
          }}
          onCancel={() => {
            setSkipping(false);
            // The panel goes: focus goes back to the button that opened it.
            requestAnimationFrame(() => skipButton.current?.focus());
          }}
        />
      ) : item.status !== 'completed' ? (
        <div className="task-actions">
          <button
            type="button"
            aria-label={`Mark ${name} done`}
            disabled={busy !== null}
            onClick={() => onAction({ kind: 'done' })}
          >
            {busy?.kind === 'done' ? BUSY_LABELS.done : 'Done'}
          </button>
          {item.status === 'open' ? (
            <>
              <button
                type="button"
                ref={skipButton}
                className="button-secondary"
                aria-label={`Skip ${name}`}
                disabled={busy !== null}
                onClick={() => setSkipping(true)}
              >
                Skip
              </button>
              <button
                type="button"
                className="button-secondary"
                aria-label={`Swap ${name} for another ${CATEGORY_LABELS[item.category].toLowerCase()} task`}
                disabled={busy !== null}
                onClick={() => onAction({ kind: 'swap' })}
              >
                {busy?.kind === 'swap' ? BUSY_LABELS.swap : 'Swap'}
              </button>
            </>
          ) : null}
        </div>
      ) : busy?.kind === 'done' ? null : (
        // Offered once the tick is saved: a rating sent before it would be replaced by it.
        <Rating item={item} rating={busy?.kind === 'rate' ? busy.rating : rating} busy={busy !== null} onRate={onAction} />
      )}
      {busy && busy.kind !== 'swap' ? (
        <p className="task-busy muted" aria-hidden="true">
          {BUSY_LABELS[busy.kind]}
        </p>
      ) : null}
      {failure ? <ErrorNotice error={failure.error} onRetry={() => onAction(failure.action)} /> : null}
    </li>
  );
}

/** Why the learner skips: one of the API's reasons, or none. */
function SkipChoice({
  item,
  disabled,
  onSkip,
  onCancel,
}: {
  item: PlanItem;
  disabled: boolean;
  onSkip: (reason: SkipReason | null) => void;
  onCancel: () => void;
}) {
  const [reason, setReason] = useState<SkipReason | null>(null);
  const group = `skip-${item.id}`;
  return (
    <div className="task-skip">
      <fieldset className="skip-reasons">
        <legend>Why skip “{item.title}”? (optional)</legend>
        <div className="skip-options">
          {SKIP_REASONS.map((id, i) => (
            <label key={id} className="chip">
              <input
                type="radio"
                name={group}
                value={id}
                checked={reason === id}
                // The panel opens on a click: the first choice takes focus, so the keyboard is in the panel.
                autoFocus={i === 0}
                onChange={() => setReason(id)}
              />
              {SKIP_REASON_LABELS[id]}
            </label>
          ))}
        </div>
      </fieldset>
      <div className="task-actions">
        <button type="button" disabled={disabled} aria-label={`Skip “${item.title}” now`} onClick={() => onSkip(reason)}>
          Skip it
        </button>
        <button type="button" className="button-secondary" aria-label={`Keep “${item.title}”`} onClick={onCancel}>
          Keep it
        </button>
      </div>
    </div>
  );
}

/** How the task went, 1 to 5: each press is sent at once, and a later one replaces it. */
function Rating({
  item,
  rating,
  busy,
  onRate,
}: {
  item: PlanItem;
  rating: number | null;
  busy: boolean;
  onRate: (action: TaskAction) => void;
}) {
  const label = `task-${item.id}-rate`;
  return (
    <div className="task-rating">
      <p id={label} className="task-rating-label">
        How did it go? <span className="muted">1 = badly, 5 = very well</span>
      </p>
      <div className="rating-options" role="group" aria-labelledby={label}>
        {RATINGS.map((value) => (
          <button
            key={value}
            type="button"
            className={rating === value ? 'rating rating-chosen' : 'rating'}
            aria-label={`Rate “${item.title}” ${value} out of 5`}
            aria-pressed={rating === value}
            // Not disabled while sending: a disabled button would drop the focus the learner is on.
            aria-disabled={busy}
            onClick={() => {
              if (!busy) onRate({ kind: 'rate', rating: value });
            }}
          >
            {value}
          </button>
        ))}
      </div>
    </div>
  );
}
