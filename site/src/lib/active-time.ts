/** How often a lesson page reports the active time it has counted. */
export const HEARTBEAT_MS = 30_000;
/**
 * Time still counts this long after the learner last scrolled, typed, pointed or
 * touched: long enough to read a screenful without moving, short enough that a tab
 * left open on a visible screen stops counting.
 */
export const IDLE_MS = 90_000;
/** The API credits at most this many seconds per heartbeat (MAX_HEARTBEAT_SECONDS of the events schema). */
export const MAX_HEARTBEAT_SECONDS = 60;

/** Counts the active time on a page; times are milliseconds from any one clock (`Date.now()`, a test's). */
export interface ActiveTimeMeter {
  /** The page was shown or hidden at `now`; hidden time never counts. Being shown counts as activity. */
  setVisible(visible: boolean, now: number): void;
  /** The learner did something at `now`, so the time up to `now + idleMs` may count. */
  activity(now: number): void;
  /** Whole seconds counted since the last take (the fraction is kept for the next), capped per heartbeat. */
  take(now: number): number;
}

/**
 * A meter that counts time while the page is visible and the learner was active in
 * the last `idleMs`. Pure: the caller passes the clock, so tests need no timers.
 */
export function createActiveTimeMeter(
  start: number,
  { visible = true, idleMs = IDLE_MS, maxSeconds = MAX_HEARTBEAT_SECONDS } = {},
): ActiveTimeMeter {
  let shown = visible;
  let countedUntil = start;
  let lastActivity = start;
  let counted = 0;

  /** Counts the visible, recently active time between the last mark and `now`. */
  const advance = (now: number) => {
    if (now <= countedUntil) return;
    if (shown) counted += Math.max(0, Math.min(now, lastActivity + idleMs) - countedUntil);
    countedUntil = now;
  };

  return {
    setVisible(visible, now) {
      advance(now);
      shown = visible;
      if (visible) lastActivity = Math.max(lastActivity, now);
    },
    activity(now) {
      advance(now);
      lastActivity = Math.max(lastActivity, now);
    },
    take(now) {
      advance(now);
      const seconds = Math.floor(counted / 1000);
      counted -= seconds * 1000;
      // A starved timer (a sleeping laptop, a throttled tab) must not report more than one heartbeat can hold.
      return Math.min(seconds, maxSeconds);
    },
  };
}
