import { useCallback, useEffect, useRef, useState } from 'react';
import { createActiveTimeMeter, HEARTBEAT_MS } from '../lib/active-time';
import { completeLesson, recordActiveTime, startLesson, type LessonProgress, type ProgressWrite } from '../lib/api';
import { createEventWrite, type EventWrite } from '../lib/event-write';

export interface LessonProgressState {
  progress: LessonProgress | null;
  completing: boolean;
  /** The last write that failed after its retries, with a way to send that same write again. */
  failure: { error: unknown; retry: () => void } | null;
  /** Set when active time could not be saved; cleared by the next heartbeat that is. */
  timeNotSaved: boolean;
}

/** Signals of a learner at work: any of these keeps the meter counting. */
const ACTIVITY_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'scroll', 'wheel', 'touchstart'] as const;

/**
 * Records the learner's progress in one lesson: started when opened, active time
 * every 30 s while the tab is visible and the learner active, and completion on
 * request. Each write has its own eventId, kept across its retries.
 */
export function useLessonProgress(slug: string): LessonProgressState & { complete: () => void } {
  const [state, setState] = useState<LessonProgressState>({
    progress: null,
    completing: false,
    failure: null,
    timeNotSaved: false,
  });
  const completion = useRef<EventWrite<ProgressWrite> | null>(null);

  /** Sends a write and keeps its outcome; a failure offers to send the same write again. */
  const run = useCallback((write: EventWrite<ProgressWrite>, onSettled?: () => void) => {
    write.send().then(
      ({ progress }) => {
        setState((s) => ({ ...s, progress, failure: null }));
        onSettled?.();
      },
      (error: unknown) => {
        setState((s) => ({ ...s, failure: { error, retry: () => run(write, onSettled) } }));
        onSettled?.();
      },
    );
  }, []);

  useEffect(() => {
    run(createEventWrite((stamp) => startLesson(slug, stamp)));

    const meter = createActiveTimeMeter(Date.now(), { visible: document.visibilityState === 'visible' });
    const beat = () => {
      const seconds = meter.take(Date.now());
      if (seconds < 1) return;
      createEventWrite((stamp) => recordActiveTime(slug, { ...stamp, seconds }))
        .send()
        .then(
          ({ progress }) => setState((s) => ({ ...s, progress, timeNotSaved: false })),
          // Lost seconds are not added to the next heartbeat: it could then credit more than 60.
          () => setState((s) => ({ ...s, timeNotSaved: true })),
        );
    };
    const onActivity = () => meter.activity(Date.now());
    const onVisibility = () => {
      const visible = document.visibilityState === 'visible';
      meter.setVisible(visible, Date.now());
      // Leaving the tab reports the time counted so far; the page may not come back.
      if (!visible) beat();
    };
    const timer = window.setInterval(beat, HEARTBEAT_MS);
    for (const name of ACTIVITY_EVENTS) window.addEventListener(name, onActivity, { passive: true });
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      window.clearInterval(timer);
      for (const name of ACTIVITY_EVENTS) window.removeEventListener(name, onActivity);
      document.removeEventListener('visibilitychange', onVisibility);
      beat();
    };
  }, [slug, run]);

  const complete = useCallback(() => {
    // One completion event per lesson view: pressing again (or finishing the quiz too) resends the same one.
    completion.current ??= createEventWrite((stamp) => completeLesson(slug, stamp));
    setState((s) => ({ ...s, completing: true }));
    run(completion.current, () => setState((s) => ({ ...s, completing: false })));
  }, [slug, run]);

  return { ...state, complete };
}
