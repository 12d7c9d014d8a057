import type { AggregateMessage, Delta } from './aggregates.schemas';

/** Port over the shared aggregates the learner objects feed, in D1. */
export interface AggregateStore {
  /**
   * Applies messages' deltas in one D1 batch (one transaction). Logged rows (attempts,
   * completions) are keyed by learner and event or lesson; counts change only with a
   * receipt this attempt wrote, so a redelivered delta changes nothing.
   */
  apply(messages: readonly AggregateMessage[], attempt: string, now: string): Promise<void>;
  /** D1 statements `apply` sends for a message (to size batches under D1's per-invocation limit). */
  statementCount(message: AggregateMessage): number;
  /** Forgets receipts older than `before` (redeliveries come within days); returns how many went. */
  pruneReceipts(before: string): Promise<number>;
}

/** A dismissal adds one to its recommendation's count; restoring (undoing) it takes that one back. */
const dismissedChange = (action: string) => (action === 'dismissed' ? 1 : action === 'restored' ? -1 : 0);

/** Written with D1's own statements: the guarded upserts (`INSERT … SELECT … WHERE EXISTS`) have no query-builder form. */
export function createD1AggregateStore(d1: D1Database): AggregateStore {
  const receipted = 'EXISTS (SELECT 1 FROM aggregate_receipts WHERE learner_id = ? AND seq = ? AND applied_by = ?)';

  function statements(learnerId: string, delta: Delta, attempt: string, now: string): D1PreparedStatement[] {
    const guard = [learnerId, delta.seq, attempt] as const;
    const receipt = d1
      .prepare(
        'INSERT INTO aggregate_receipts (learner_id, seq, applied_by, received_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      )
      .bind(learnerId, delta.seq, attempt, now);
    switch (delta.kind) {
      case 'attempt':
        return [
          d1
            .prepare(
              `INSERT INTO attempt_log (learner_id, event_id, course_id, item_id, concept_id, lesson_slug, answer, correct, occurred_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
            )
            .bind(
              learnerId,
              delta.eventId,
              delta.courseId,
              delta.itemId,
              delta.conceptId,
              delta.lessonSlug,
              delta.answer,
              delta.correct ? 1 : 0,
              delta.occurredAt,
            ),
        ];
      case 'completion':
        return [
          d1
            .prepare(
              `INSERT INTO lesson_completions (learner_id, course_id, lesson_slug, completed_at) VALUES (?, ?, ?, ?)
               ON CONFLICT (learner_id, lesson_slug) DO UPDATE SET completed_at = min(completed_at, excluded.completed_at)`,
            )
            .bind(learnerId, delta.courseId, delta.lessonSlug, delta.completedAt),
        ];
      case 'feedback':
        return [
          receipt,
          d1
            .prepare(
              `INSERT INTO recommendation_stats (recommendation_id, accepted, dismissed, completed)
               SELECT ?, ?, max(?, 0), ? WHERE ${receipted}
               ON CONFLICT (recommendation_id) DO UPDATE SET accepted = accepted + excluded.accepted,
                 dismissed = max(dismissed + ?, 0), completed = completed + excluded.completed`,
            )
            .bind(
              delta.recommendationId,
              delta.action === 'accepted' ? 1 : 0,
              dismissedChange(delta.action),
              delta.action === 'completed' ? 1 : 0,
              ...guard,
              dismissedChange(delta.action),
            ),
        ];
      case 'answer_feedback': {
        const vote = (rating: string, reason: string | null, by: 1 | -1) =>
          d1
            .prepare(
              `INSERT INTO answer_feedback_stats (course_id, engine, reason, up, down)
               SELECT ?, ?, ?, max(?, 0), max(?, 0) WHERE ${receipted}
               ON CONFLICT (course_id, engine, reason) DO UPDATE SET up = max(up + ?, 0), down = max(down + ?, 0)`,
            )
            .bind(
              delta.courseId,
              delta.engine,
              reason ?? '',
              rating === 'up' ? by : 0,
              rating === 'down' ? by : 0,
              ...guard,
              rating === 'up' ? by : 0,
              rating === 'down' ? by : 0,
            );
        const { previous } = delta;
        return [receipt, vote(delta.rating, delta.reason, 1), ...(previous ? [vote(previous.rating, previous.reason, -1)] : [])];
      }
      case 'activity':
        return [
          receipt,
          d1
            .prepare(
              `INSERT INTO lesson_activity_daily (course_id, lesson_slug, day, active_seconds, heartbeats)
               SELECT ?, ?, ?, ?, ? WHERE ${receipted}
               ON CONFLICT (course_id, lesson_slug, day) DO UPDATE SET
                 active_seconds = active_seconds + excluded.active_seconds, heartbeats = heartbeats + excluded.heartbeats`,
            )
            .bind(delta.courseId, delta.lessonSlug, delta.day, delta.seconds, delta.heartbeats, ...guard),
        ];
    }
  }

  return {
    async apply(messages, attempt, now) {
      await d1.batch(messages.flatMap((m) => m.deltas.flatMap((delta) => statements(m.learnerId, delta, attempt, now))));
    },

    statementCount(message) {
      return message.deltas.reduce(
        (n, d) =>
          n + (d.kind === 'answer_feedback' ? (d.previous ? 3 : 2) : d.kind === 'feedback' || d.kind === 'activity' ? 2 : 1),
        0,
      );
    },

    async pruneReceipts(before) {
      const result = await d1.prepare('DELETE FROM aggregate_receipts WHERE received_at < ?').bind(before).run();
      return result.meta.changes;
    },
  };
}
