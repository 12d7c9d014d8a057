/**
 * When a learner object sends what it owes the shared aggregates, by default (the
 * LEARNER_DELTA_DELAY_MS and LEARNER_ACTIVITY_FLUSH_MS settings). A leaf module: the
 * benchmark reads them too, to let the writes of one row drain before the next.
 */

/** After an answer, completion or feedback: soon, so the aggregates stay close to live. */
export const DELTA_DELAY_MS = 1000;
/** Heartbeat seconds are summed this long first: one write a minute per active learner, not one per heartbeat. */
export const ACTIVITY_FLUSH_MS = 60_000;
