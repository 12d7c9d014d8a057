import { useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, type PersonalizedLesson } from '../lib/api';
import { lessonSections, renderLessonHtml } from '../lib/markdown';
import { onboardingHref } from '../lib/onboarding';
import TableOfContents from './TableOfContents';
import type { PersonalizedState } from './use-personalized';
import { ListSection } from './ListSection';

const STATUS_TEXT = {
  idle: 'Personalizing this lesson for you…',
  loading: 'Personalizing this lesson for you…',
  streaming: 'Writing your version of this lesson…',
  done: 'Your personalized lesson is ready.',
} as const;

/** What the Personalized tab shows: a streaming lesson, then the final text and how it was made. */
export default function PersonalizedPanel({ state, onRetry }: { state: PersonalizedState; onRetry: () => void }) {
  const { phase, markdown, meta, lesson, replacedBecause, error } = state;
  const html = useMemo(() => (markdown ? renderLessonHtml(markdown) : ''), [markdown]);
  const sections = useMemo(() => (phase === 'done' ? lessonSections(markdown) : []), [phase, markdown]);
  const source = lesson ?? meta;
  // A link to a section (#anchor) is followed once this version's text is in: the browser tried before it existed.
  const followed = useRef(false);
  useEffect(() => {
    if (phase !== 'done' || followed.current) return;
    followed.current = true;
    const id = decodeURIComponent(window.location.hash.slice(1));
    if (id) document.getElementById(id)?.scrollIntoView();
  }, [phase, html]);

  return (
    <>
      {phase === 'error' ? null : (
        <p className={phase === 'done' ? 'visually-hidden' : 'status'} role="status">
          {STATUS_TEXT[phase]}
        </p>
      )}
      {source ? (
        <p className="personalized-meta">
          {source.cached ? <span className="badge badge-cache">From cache</span> : null}
          <span className="engine" data-engine={source.engine}>
            {engineLabel(source.engine, source.model)}
          </span>
        </p>
      ) : null}
      {replacedBecause && !lesson ? (
        <p className="notice notice-warning" role="note">
          {replacedBecause}
        </p>
      ) : null}
      {lesson ? <Outcome lesson={lesson} /> : null}
      {phase === 'error' ? <StreamError error={error} onRetry={onRetry} /> : null}
      {sections.length > 2 ? <TableOfContents sections={sections} /> : null}
      {/* Sanitized: markdown-it with raw HTML off, then DOMPurify (see lib/markdown.ts). */}
      <div
        className="prose"
        aria-busy={phase === 'loading' || phase === 'streaming'}
        dangerouslySetInnerHTML={{ __html: html }}
      />
    </>
  );
}

function engineLabel(engine: PersonalizedLesson['engine'], model: string | null): string {
  if (engine === 'offline') return 'Adapted for you by LearnEdge (no language model involved)';
  if (engine === 'model') return model ? `Adapted by the model ${model}` : 'Adapted by a language model';
  return 'Shown as written: not adapted';
}

function Outcome({ lesson }: { lesson: PersonalizedLesson }) {
  const warn = lesson.degraded || lesson.notice;
  return (
    <>
      {warn ? (
        <p className="notice notice-warning" role="note">
          {lesson.notice ?? 'The preferred way of adapting lessons was unavailable, so a simpler version is shown.'}
        </p>
      ) : null}
      <ListSection id="adaptations-title" className="adaptations" title="What changed for you" items={lesson.adaptations} />
    </>
  );
}

function StreamError({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const problem = error instanceof ApiError ? error : null;
  const [wait, setWait] = useState(problem?.status === 429 ? (problem.retryAfter ?? 0) : 0);
  useEffect(() => {
    if (wait <= 0) return;
    const timer = setTimeout(() => setWait((w) => w - 1), 1000);
    return () => clearTimeout(timer);
  }, [wait]);

  if (problem?.status === 409) {
    // Not an error: a learner who skipped onboarding is offered it here, where it matters.
    return (
      <div className="notice">
        <p>
          <strong>Personalize this lesson.</strong>{' '}
          <a href={onboardingHref(window.location.pathname)}>Answer six short questions</a> and every lesson is adapted to your
          experience, background and time.
        </p>
      </div>
    );
  }
  const message =
    problem?.status === 429
      ? 'Lessons are being personalized too often right now.'
      : error instanceof Error
        ? error.message
        : 'The personalized lesson could not be loaded.';
  return (
    <div className="notice notice-error">
      {/* Only the message is announced; the countdown below changes every second. */}
      <p role="alert">{message}</p>
      {problem?.problem?.requestId ? <p className="muted">Request id: {problem.problem.requestId}</p> : null}
      {wait > 0 ? (
        <p>
          You can try again in {wait} {wait === 1 ? 'second' : 'seconds'}.
        </p>
      ) : null}
      <button type="button" disabled={wait > 0} onClick={onRetry}>
        Try again
      </button>
    </div>
  );
}
