import { useEffect, useRef, useState } from 'react';
import {
  ApiError,
  getTodayPlan,
  sendPlanFeedback,
  swapPlanTask,
  type Plan,
  type PlanItem,
  type PlanItemStatus,
} from '../lib/api';
import { createEventWrite, type EventWrite } from '../lib/event-write';
import { completionPercent, formatDate, plural } from '../lib/format';
import { onboardingHref } from '../lib/onboarding';
import {
  ARCHETYPE_LABELS,
  deviceTimeZone,
  keepPending,
  MODE_LABELS,
  PHASE_LABELS,
  planProgress,
  progressText,
  SKIP_REASON_LABELS,
  TODAY_PATH,
  withStatus,
} from '../lib/today';
import { ErrorNotice, Loading } from './Status';
import TaskCard, { type TaskAction } from './TaskCard';

type PageState =
  | { status: 'loading' }
  | { status: 'failed'; error: unknown }
  /** `refreshError`: the plan shown is the last one; reloading it when the page came back into view failed. */
  | { status: 'ready'; plan: Plan; refreshError: unknown };

const loadPlan = () => getTodayPlan(deviceTimeZone() ?? undefined);

/** A 409 from a task action carries a sentence for the learner (nothing else to swap in, task no longer open): show it. */
function shownError(error: unknown): unknown {
  return error instanceof ApiError && error.status === 409 && error.problem ? new Error(error.problem.detail) : error;
}

/**
 * Today's plan: its tasks with their reasons, and per task Done, Skip (with a reason),
 * Swap, and a rating once done. Done and Skip show at once and are undone if the API
 * refuses them; each action is one event, so a retry sends the same eventId. The plan
 * is fetched again when the page comes back into view: a lesson completed meanwhile
 * ticks its task.
 */
export default function Today() {
  const [page, setPage] = useState<PageState>({ status: 'loading' });
  const [busy, setBusy] = useState<ReadonlyMap<string, TaskAction>>(new Map());
  const [failures, setFailures] = useState<ReadonlyMap<string, { action: TaskAction; error: unknown }>>(new Map());
  const [ratings, setRatings] = useState<ReadonlyMap<string, number>>(new Map());
  const [announcement, setAnnouncement] = useState('');
  const [focusTask, setFocusTask] = useState<string | null>(null);
  const writes = useRef(new Map<string, EventWrite<{ applied: boolean }>>());
  /** Statuses shown before the API has confirmed them. */
  const pending = useRef(new Map<string, PlanItemStatus>());
  /** Bumped by every plan the page takes from an action, so an older refetch landing later is dropped. */
  const version = useRef(0);

  const load = () => {
    setPage({ status: 'loading' });
    loadPlan().then(
      (plan) => setPage({ status: 'ready', plan, refreshError: null }),
      (error: unknown) => setPage({ status: 'failed', error }),
    );
  };

  const refresh = () => {
    const started = version.current;
    loadPlan().then(
      (plan) => {
        if (version.current !== started) return;
        setPage({ status: 'ready', plan: keepPending(plan, pending.current), refreshError: null });
      },
      (error: unknown) => setPage((current) => (current.status === 'ready' ? { ...current, refreshError: error } : current)),
    );
  };

  useEffect(() => {
    load();
    const onVisible = () => {
      if (document.visibilityState === 'visible') refresh();
    };
    // Back from a lesson: a page restored from the back/forward cache runs no script from the start.
    const onPageShow = (event: PageTransitionEvent) => {
      if (event.persisted) refresh();
    };
    document.addEventListener('visibilitychange', onVisible);
    window.addEventListener('pageshow', onPageShow);
    return () => {
      document.removeEventListener('visibilitychange', onVisible);
      window.removeEventListener('pageshow', onPageShow);
    };
  }, []);

  useEffect(() => {
    if (!focusTask) return;
    document.getElementById(`task-${focusTask}-title`)?.focus();
    setFocusTask(null);
  }, [focusTask]);

  const mark = (map: ReadonlyMap<string, TaskAction>, id: string, action: TaskAction | null) => {
    const next = new Map(map);
    if (action) next.set(id, action);
    else next.delete(id);
    return next;
  };
  const fail = (id: string, failure: { action: TaskAction; error: unknown } | null) =>
    setFailures((current) => {
      const next = new Map(current);
      if (failure) next.set(id, failure);
      else next.delete(id);
      return next;
    });

  const setPlan = (update: (plan: Plan) => Plan) => {
    version.current++;
    setPage((current) => (current.status === 'ready' ? { ...current, plan: update(current.plan) } : current));
  };

  const sendFeedback = (plan: Plan, item: PlanItem, action: Exclude<TaskAction, { kind: 'swap' }>) => {
    const key =
      action.kind === 'skip'
        ? `${item.id}|skip|${action.reason ?? ''}`
        : action.kind === 'rate'
          ? `${item.id}|rate|${action.rating}`
          : `${item.id}|done`;
    let write = writes.current.get(key);
    if (!write) {
      write = createEventWrite(({ eventId, occurredAt }) =>
        sendPlanFeedback(plan.id, item.id, {
          eventId,
          occurredAt,
          ...(action.kind === 'skip'
            ? { outcome: 'skipped', ...(action.reason ? { skipReason: action.reason } : {}) }
            : { outcome: 'completed', ...(action.kind === 'rate' ? { rating: action.rating } : {}) }),
        }),
      );
      writes.current.set(key, write);
    }
    const before = item.status;
    const after: PlanItemStatus = action.kind === 'skip' ? 'skipped' : 'completed';
    pending.current.set(item.id, after);
    setPlan((p) => withStatus(p, item.id, after));
    setBusy((current) => mark(current, item.id, action));
    fail(item.id, null);
    if (action.kind !== 'rate') setFocusTask(item.id);
    write.send().then(
      () => {
        // Sent: the next click of this action is a new choice, with a new eventId.
        writes.current.delete(key);
        pending.current.delete(item.id);
        setBusy((current) => mark(current, item.id, null));
        if (action.kind === 'rate') {
          setRatings((current) => new Map(current).set(item.id, action.rating));
          setAnnouncement(`Rated “${item.title}” ${action.rating} out of 5.`);
        } else if (action.kind === 'skip') {
          const why = action.reason ? ` (${SKIP_REASON_LABELS[action.reason].toLowerCase()})` : '';
          setAnnouncement(`Skipped “${item.title}”${why}.`);
        } else {
          setAnnouncement(`Marked “${item.title}” done.`);
        }
      },
      (error: unknown) => {
        pending.current.delete(item.id);
        setPlan((p) => withStatus(p, item.id, before));
        setBusy((current) => mark(current, item.id, null));
        fail(item.id, { action, error: shownError(error) });
      },
    );
  };

  const swap = (plan: Plan, item: PlanItem) => {
    setBusy((current) => mark(current, item.id, { kind: 'swap' }));
    fail(item.id, null);
    swapPlanTask(plan.id, item.id).then(
      (next) => {
        version.current++;
        setBusy((current) => mark(current, item.id, null));
        setPage({ status: 'ready', plan: keepPending(next, pending.current), refreshError: null });
        const known = new Set(plan.items.map((i) => i.id));
        const replacement = next.items.find((i) => !known.has(i.id) && i.category === item.category);
        setAnnouncement(replacement ? `Swapped “${item.title}” for “${replacement.title}”.` : `Swapped “${item.title}”.`);
        if (replacement) setFocusTask(replacement.id);
      },
      (error: unknown) => {
        setBusy((current) => mark(current, item.id, null));
        fail(item.id, { action: { kind: 'swap' }, error: shownError(error) });
        // A swap that went through but whose answer was lost leaves the task gone: show the plan as it is now.
        if (error instanceof ApiError && (error.status === 404 || error.status === 409)) refresh();
      },
    );
  };

  if (page.status === 'loading') return <Loading label="Loading today’s plan…" />;
  if (page.status === 'failed') return <Unavailable error={page.error} onRetry={load} />;

  const { plan } = page;
  const progress = planProgress(plan.items);
  const finished = progress.total > 0 && progress.done + progress.skipped === progress.total;
  return (
    <article className="today" aria-labelledby="today-title">
      <header className="today-header">
        <h1 id="today-title">Today’s plan</h1>
        <p className="today-date">
          {formatDate(plan.date)} · {plural(plan.items.length, 'task')} · {plan.minutes} min
        </p>
      </header>
      <dl className="plan-facts">
        <Fact term="Phase" value={PHASE_LABELS[plan.phase]} reason={plan.reasons.phase} />
        <Fact term="Pace" value={MODE_LABELS[plan.mode]} reason={plan.reasons.mode} />
        <Fact term="Style" value={ARCHETYPE_LABELS[plan.archetype]} reason={plan.reasons.archetype} />
        {plan.reasons.time ? <Fact term="Time of day" reason={plan.reasons.time} /> : null}
      </dl>
      <section className="today-progress" aria-label="Progress today">
        <p className="today-progress-text">{progressText(progress)}</p>
        <div className="bar" aria-hidden="true">
          <div className="bar-fill" style={{ width: `${completionPercent(progress.done, progress.total)}%` }} />
        </div>
        {finished ? (
          <p className="notice notice-success">
            That’s today done. See how your week is going on <a href="/dashboard/#week">your dashboard</a>.
          </p>
        ) : null}
      </section>
      <p className="today-status" role="status">
        {announcement}
      </p>
      {page.refreshError ? <ErrorNotice error={page.refreshError} onRetry={refresh} /> : null}
      <ol className="task-list">
        {plan.items.map((item) => (
          <TaskCard
            key={item.id}
            item={item}
            course={plan.course}
            busy={busy.get(item.id) ?? null}
            failure={failures.get(item.id) ?? null}
            rating={ratings.get(item.id) ?? item.rating ?? null}
            onAction={(action) => (action.kind === 'swap' ? swap(plan, item) : sendFeedback(plan, item, action))}
          />
        ))}
      </ol>
    </article>
  );
}

function Fact({ term, value, reason }: { term: string; value?: string; reason: string }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>
        {value ? <strong>{value}</strong> : null} <span className="plan-fact-reason">{reason}</span>
      </dd>
    </div>
  );
}

/** No plan to show: onboarding first, a course without practice tasks, or an error to retry. */
function Unavailable({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const problem = error instanceof ApiError ? error.problem : null;
  if (error instanceof ApiError && error.status === 409 && problem?.code === 'onboarding_required') {
    return (
      <article className="today" aria-labelledby="today-title">
        <h1 id="today-title">Today’s plan</h1>
        <p className="notice">
          Your daily plan is made from your answers to six short questions.{' '}
          <a href={onboardingHref(TODAY_PATH)}>Answer them now</a> and today’s tasks are waiting when you come back.
        </p>
      </article>
    );
  }
  if (error instanceof ApiError && error.status === 404) {
    return (
      <article className="today" aria-labelledby="today-title">
        <h1 id="today-title">Today’s plan</h1>
        <p className="notice">
          This course has no practice tasks yet, so there is no daily plan to show. Meanwhile,{' '}
          <a href="/">pick up the course where you left off</a> or see <a href="/dashboard/">your dashboard</a>.
        </p>
      </article>
    );
  }
  return <ErrorNotice error={error} onRetry={onRetry} />;
}
