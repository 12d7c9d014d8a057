import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, getMe, streamPersonalized, type PersonalizedLesson, type StreamEvent } from '../lib/api';
import { onboardingSkipped } from '../lib/onboarding';

type Meta = Extract<StreamEvent, { event: 'meta' }>['data'];

export interface PersonalizedState {
  phase: 'idle' | 'loading' | 'streaming' | 'done' | 'error';
  /** The text to show: what has streamed so far, or the final text once done. */
  markdown: string;
  meta: Meta | null;
  lesson: PersonalizedLesson | null;
  /** Why the streamed text was replaced by the original, when it was. */
  replacedBecause: string | null;
  error: unknown;
}

const IDLE: PersonalizedState = { phase: 'idle', markdown: '', meta: null, lesson: null, replacedBecause: null, error: null };

/**
 * Streams the personalized version of a lesson once `enabled` turns true, and
 * keeps it while the learner switches tabs. Deltas are collected as they arrive and
 * shown at most once per animation frame, so rendering keeps pace with the screen,
 * not the network.
 */
export function usePersonalized(slug: string, enabled: boolean): { state: PersonalizedState; retry: () => void } {
  const [state, setState] = useState<PersonalizedState>(IDLE);
  const [attempt, setAttempt] = useState(0);
  const started = enabled || state.phase !== 'idle';
  const text = useRef('');
  const frame = useRef<number | null>(null);

  useEffect(() => {
    if (!started) return;
    const abort = new AbortController();
    const cancelFrame = () => {
      if (frame.current !== null) cancelAnimationFrame(frame.current);
      frame.current = null;
    };
    const show = () => {
      frame.current ??= requestAnimationFrame(() => {
        frame.current = null;
        setState((s) => ({ ...s, phase: 'streaming', markdown: text.current }));
      });
    };
    const fail = (error: unknown) => {
      cancelFrame();
      setState((s) => ({ ...s, phase: 'error', markdown: text.current, error }));
    };

    text.current = '';
    setState({ ...IDLE, phase: 'loading' });
    void (async () => {
      try {
        // A visitor who skipped onboarding is offered it (as the API's 409 would say) without a request bound to fail.
        if (onboardingSkipped() && !(await getMe()).onboarded) {
          if (!abort.signal.aborted) fail(new ApiError(409, null, 'Answer the onboarding questions first.'));
          return;
        }
        for await (const { event, data } of streamPersonalized(slug, abort.signal)) {
          if (abort.signal.aborted) return;
          switch (event) {
            case 'meta':
              setState((s) => ({ ...s, phase: 'streaming', meta: data }));
              break;
            case 'delta':
              text.current += data.text;
              show();
              break;
            case 'replace':
              text.current = data.markdown;
              setState((s) => ({ ...s, replacedBecause: data.reason }));
              show();
              break;
            case 'done':
              cancelFrame();
              text.current = data.markdown;
              setState((s) => ({ ...s, phase: 'done', markdown: data.markdown, lesson: data }));
              return;
            case 'error':
              fail(new ApiError(data.status, null, data.detail));
              return;
          }
        }
        if (!abort.signal.aborted) fail(new Error('The personalized lesson stopped arriving before it was complete.'));
      } catch (error) {
        if (!abort.signal.aborted) fail(error);
      }
    })();
    return () => {
      abort.abort();
      cancelFrame();
    };
    // Restart for another lesson or a retry; `enabled` only matters for the first start.
  }, [slug, started, attempt]);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  return { state, retry };
}
