import { useEffect, useRef, useState } from 'react';
import { getCatalog, getRecommendations, sendRecommendationFeedback, type Recommendation } from '../lib/api';
import { createEventWrite, type EventWrite } from '../lib/event-write';
import { KIND_LABELS, reasonLines, recommendationHref, shownTitle, withoutItem } from '../lib/recommendations';
import { ErrorNotice, Loading } from './Status';

/** Items shown: a short list to choose from, not the whole ranking. */
const LIMIT = 5;

type Action = 'accepted' | 'dismissed' | 'restored';

type ListState =
  | { status: 'loading' }
  | { status: 'failed'; error: unknown }
  /** `refreshError`: the list shown is the last one; reloading it after a dismissal failed. */
  | { status: 'ready'; items: Recommendation[]; refreshError: unknown };

/** The course a list without a `course` of its own was ranked over, named when the catalog holds several. */
type RankedCourse = { slug: string; title: string } | null;

/**
 * What to do next, ranked by the API, each item with its reasons. Start records the
 * choice and goes there; Dismiss records it, drops the item (it stays away 7 days)
 * and reloads the ranking, with Undo beside the message (it brings the item back).
 * Each choice is one event: a retry sends the same eventId.
 */
export default function Recommendations({ course }: { course?: string } = {}) {
  const [list, setList] = useState<ListState>({ status: 'loading' });
  const [busy, setBusy] = useState<{ id: string; action: Action } | null>(null);
  const [failure, setFailure] = useState<{ id: string; action: Action; error: unknown } | null>(null);
  const [announcement, setAnnouncement] = useState('');
  /** The item just dismissed, while its dismissal can be undone. */
  const [undoable, setUndoable] = useState<Recommendation | null>(null);
  const writes = useRef(new Map<string, EventWrite<{ applied: boolean }>>());
  const status = useRef<HTMLParagraphElement>(null);
  const [ranked, setRanked] = useState<RankedCourse>(null);

  const load = () => {
    setList({ status: 'loading' });
    // The catalog only names the course ranked over; without it the list still shows.
    Promise.all([getRecommendations(LIMIT, course), course ? null : getCatalog().catch(() => null)]).then(
      ([{ course: over, items }, catalog]) => {
        const card = catalog && catalog.length > 1 ? catalog.find((c) => c.slug === over) : undefined;
        setRanked(card ? { slug: card.slug, title: card.title } : null);
        setList({ status: 'ready', items, refreshError: null });
      },
      (error: unknown) => setList({ status: 'failed', error }),
    );
  };
  useEffect(load, []);
  // A dismissed item's buttons are gone: focus goes to the message that says so.
  useEffect(() => {
    if (announcement) status.current?.focus();
  }, [announcement]);

  /** Reloads the ranking behind the list shown, keeping it if the reload fails. */
  const refresh = () => {
    getRecommendations(LIMIT, course).then(
      ({ items }) => setList({ status: 'ready', items, refreshError: null }),
      (error: unknown) => setList((current) => (current.status === 'ready' ? { ...current, refreshError: error } : current)),
    );
  };

  const send = (item: Recommendation, action: Action) => {
    const key = `${item.id}|${action}`;
    let write = writes.current.get(key);
    if (!write) {
      write = createEventWrite(({ eventId }) => sendRecommendationFeedback(item.id, { eventId, action }));
      writes.current.set(key, write);
    }
    const settled = () => {
      // Each dismissal or undo is its own choice: the next one gets a new eventId.
      if (action !== 'accepted') writes.current.delete(key);
    };
    setBusy({ id: item.id, action });
    setFailure(null);
    write.send().then(
      () => {
        setBusy(null);
        settled();
        if (action === 'accepted') {
          window.location.assign(recommendationHref(item, course));
          return;
        }
        if (action === 'restored') {
          setUndoable(null);
          setAnnouncement(`“${item.title}” is back in your suggestions.`);
        } else {
          setList((current) =>
            current.status === 'ready' ? { ...current, items: withoutItem(current.items, item.id) } : current,
          );
          setUndoable(item);
          setAnnouncement(`Dismissed “${item.title}”. It stays out of your suggestions for 7 days.`);
        }
        refresh();
      },
      (error: unknown) => {
        setBusy(null);
        setFailure({ id: item.id, action, error });
      },
    );
  };

  if (list.status === 'loading') return <Loading label="Loading your recommendations…" />;
  if (list.status === 'failed') return <ErrorNotice error={list.error} onRetry={load} />;

  return (
    <div className="recommendations">
      <div className="recommendations-message">
        <p id="recommendations-status" className="recommendations-status" role="status" tabIndex={-1} ref={status}>
          {announcement}
        </p>
        {undoable ? (
          <button
            type="button"
            className="button-secondary"
            aria-label={`Undo dismissing ${undoable.title}`}
            disabled={busy !== null}
            onClick={() => send(undoable, 'restored')}
          >
            {busy?.action === 'restored' ? 'Undoing…' : 'Undo'}
          </button>
        ) : null}
        {undoable && failure?.action === 'restored' ? (
          <ErrorNotice error={failure.error} onRetry={() => send(undoable, 'restored')} />
        ) : null}
      </div>
      {ranked ? (
        <p className="muted recommendations-course">
          Ranked within <a href={`/courses/${ranked.slug}/`}>{ranked.title}</a>, the course you are working in.
        </p>
      ) : null}
      {list.items.length === 0 ? (
        <p className="notice">
          Nothing to suggest right now: every lesson open to you is done or set aside. Dismissed suggestions come back after 7
          days, and reviews show here when they are due. <a href={course ? `/courses/${course}/` : '/'}>Browse the course</a> to
          pick anything you like.
        </p>
      ) : (
        <ol className="recommendation-list">
          {list.items.map((item) => (
            <RecommendationItem
              key={item.id}
              item={item}
              course={course}
              busy={busy?.id === item.id ? busy.action : null}
              error={failure?.id === item.id ? failure : null}
              onAction={(action) => send(item, action)}
            />
          ))}
        </ol>
      )}
      {list.refreshError ? <ErrorNotice error={list.refreshError} onRetry={refresh} /> : null}
      <p className="muted recommendations-more">
        Working towards something? <a href="/path/">Set a goal and see the way there</a>.
      </p>
    </div>
  );
}

function RecommendationItem({
  item,
  course,
  busy,
  error,
  onAction,
}: {
  item: Recommendation;
  course: string | undefined;
  busy: Action | null;
  error: { action: Action; error: unknown } | null;
  onAction: (action: Action) => void;
}) {
  return (
    <li className="recommendation" data-recommendation={item.id}>
      <h3 className="recommendation-title">
        <span className={`badge badge-kind badge-kind-${item.kind}`}>{KIND_LABELS[item.kind]}</span>{' '}
        <a href={recommendationHref(item, course)}>{shownTitle(item)}</a>
      </h3>
      <ul className="recommendation-reasons">
        {reasonLines(item).map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
      {/* Each button names its item, so a list of buttons read out of context still says what it acts on. */}
      <div className="recommendation-actions">
        <button type="button" aria-label={`Start: ${item.title}`} disabled={busy !== null} onClick={() => onAction('accepted')}>
          {busy === 'accepted' ? 'Opening…' : 'Start'}
        </button>
        <button
          type="button"
          className="button-secondary"
          aria-label={`Dismiss: ${item.title}`}
          disabled={busy !== null}
          onClick={() => onAction('dismissed')}
        >
          {busy === 'dismissed' ? 'Dismissing…' : 'Dismiss'}
        </button>
      </div>
      {error ? <ErrorNotice error={error.error} onRetry={() => onAction(error.action)} /> : null}
    </li>
  );
}
