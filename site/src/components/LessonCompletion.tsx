import { formatDateTime, formatDuration } from '../lib/format';
import { ErrorNotice } from './Status';
import type { LessonProgressState } from './use-lesson-progress';

/** One line under the lesson's title: where the learner stands in it. */
export function LessonStatus({ progress }: { progress: LessonProgressState['progress'] }) {
  // The line is there before the progress arrives (its height kept in CSS), so what follows never moves under a click.
  if (!progress) return <p className="lesson-status" />;
  const time = progress.activeSeconds > 0 ? ` · ${formatDuration(progress.activeSeconds)} spent` : '';
  return (
    <p className="lesson-status">
      {progress.completedAt ? (
        <span className="badge badge-done">Completed</span>
      ) : (
        <span className="badge badge-progress">In progress</span>
      )}
      <span className="muted">{time}</span>
    </p>
  );
}

/** The end of a lesson: mark it complete, or see when it was. */
export function LessonCompletion({
  state,
  hasQuiz,
  onComplete,
}: {
  state: LessonProgressState;
  hasQuiz: boolean;
  onComplete: () => void;
}) {
  const { progress, completing, failure, timeNotSaved } = state;
  return (
    <section className="lesson-completion" aria-labelledby="completion-title">
      <h2 id="completion-title">Your progress</h2>
      <div role="status" aria-live="polite" className="form-status">
        {progress?.completedAt ? (
          <p className="notice notice-success">
            Lesson completed on {formatDateTime(progress.completedAt)}. <a href="/dashboard/">See your dashboard</a>.
          </p>
        ) : null}
      </div>
      {progress?.completedAt ? null : (
        <>
          <p className="muted">
            Done with this lesson? Mark it complete{hasQuiz ? ', or answer every question above correctly' : ''}.
          </p>
          <button type="button" disabled={completing} onClick={onComplete}>
            {completing ? 'Saving…' : 'Mark lesson complete'}
          </button>
        </>
      )}
      {failure ? <ErrorNotice error={failure.error} onRetry={failure.retry} /> : null}
      {timeNotSaved ? (
        <p className="muted" role="note">
          A few minutes of your reading time could not be saved; time from now on is still counted.
        </p>
      ) : null}
    </section>
  );
}
