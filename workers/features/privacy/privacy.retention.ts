/** Rows one retention pass deletes from a table at most (the next cron pass takes the rest). */
const RETENTION_BATCH = 5000;

export interface RetentionWindow {
  /** Raw events (and the shared log of answers) older than this are deleted. */
  eventsBefore: string;
  /** Refused events older than this keep their reason and time, not their payload. */
  rejectionPayloadsBefore: string;
}

/** The cutoffs at `now` for windows of `eventDays` and `rejectionDays`. */
export function retentionWindow(now: Date, eventDays: number, rejectionDays: number): RetentionWindow {
  return {
    eventsBefore: new Date(now.getTime() - eventDays * 86_400_000).toISOString(),
    rejectionPayloadsBefore: new Date(now.getTime() - rejectionDays * 86_400_000).toISOString(),
  };
}

/**
 * The shared database's part of retention (each learner's object prunes its own events):
 * answers in the shared attempt log, reviews in the review log and events from before learner objects, past the
 * events window, are deleted (the aggregates built from them, such as fitted BKT
 * parameters, co-completion and daily activity, stay); dead-lettered events past the
 * rejection window too, and refused events lose their payload. Bounded per pass.
 */
export async function applyRetention(d1: D1Database, window: RetentionWindow): Promise<Record<string, number>> {
  const older = (table: string, column: string) =>
    d1
      .prepare(`DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE ${column} < ? LIMIT ${RETENTION_BATCH})`)
      .bind(column === 'dead_at' ? window.rejectionPayloadsBefore : window.eventsBefore);
  const results = await d1.batch([
    older('attempt_log', 'occurred_at'),
    older('review_log', 'reviewed_at'),
    older('learner_events', 'occurred_at'),
    older('event_dead_letters', 'dead_at'),
    d1
      .prepare(
        `UPDATE event_rejections SET body = '' WHERE rowid IN
           (SELECT rowid FROM event_rejections WHERE received_at < ? AND body <> '' LIMIT ${RETENTION_BATCH})`,
      )
      .bind(window.rejectionPayloadsBefore),
  ]);
  const [attempts, reviews, legacyEvents, deadLetters, rejections] = results.map((r) => r.meta.changes);
  return {
    attempts: attempts ?? 0,
    reviews: reviews ?? 0,
    legacyEvents: legacyEvents ?? 0,
    deadLetters: deadLetters ?? 0,
    rejectionPayloads: rejections ?? 0,
  };
}
