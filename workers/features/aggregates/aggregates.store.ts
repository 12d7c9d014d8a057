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

/** Bins of a prediction's [0, 1] range in `prediction_bins`. */
export const PREDICTION_BINS = 20;

/** The counters of the learners' daily rollup. */
type RollupColumn =
  | 'active_seconds'
  | 'completions'
  | 'attempts'
  | 'correct'
  | 'plan_done'
  | 'plan_skipped'
  | 'answers_up'
  | 'answers_down'
  | 'recs_accepted'
  | 'onboarded';

/** A dismissal adds one to its recommendation's count; restoring (undoing) it takes that one back. */
const dismissedChange = (action: string) => (action === 'dismissed' ? 1 : action === 'restored' ? -1 : 0);

/** Written with D1's own statements: the guarded upserts (`INSERT … SELECT … WHERE EXISTS`) have no query-builder form. */
export function createD1AggregateStore(d1: D1Database): AggregateStore {
  const receipted = 'EXISTS (SELECT 1 FROM aggregate_receipts WHERE learner_id = ? AND seq = ? AND applied_by = ?)';

  function statements(learnerId: string, delta: Delta, attempt: string, now: string): D1PreparedStatement[] {
    const guard = [learnerId, delta.seq, attempt] as const;
    /** Adds to the learner's row of a course and day in the daily rollup, once per delta (the receipt guards it). */
    const rollup = (courseId: string, day: string, add: Partial<Record<RollupColumn, number>>) => {
      const columns = Object.keys(add) as RollupColumn[];
      return d1
        .prepare(
          `INSERT INTO learner_activity_daily (learner_id, course_id, day, ${columns.join(', ')})
           SELECT ?, ?, ?, ${columns.map(() => '?').join(', ')} WHERE ${receipted}
           ON CONFLICT (learner_id, course_id, day) DO UPDATE SET ${columns.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`,
        )
        .bind(learnerId, courseId, day, ...columns.map((c) => add[c] ?? 0), ...guard);
    };
    /**
     * Co-completion kept as completions arrive (what `refreshPairs` would rebuild): a
     * lesson's completion counts toward `base` of its pairs, and pairs each lesson the
     * learner completed before it with it (and it with each completed after, for deltas
     * that arrive out of order), counting a success when the learner answered an item of
     * the later lesson right.
     */
    const coCompletion = (lid: string, slug: string, at: string) => {
      const rightOn = (lesson: string) =>
        `EXISTS (SELECT 1 FROM attempt_log qa WHERE qa.learner_id = ?1 AND qa.lesson_slug = ${lesson} AND qa.correct = 1)`;
      const guarded = 'EXISTS (SELECT 1 FROM aggregate_receipts WHERE learner_id = ?1 AND seq = ?4 AND applied_by = ?5)';
      const pairs = (first: string, then: string, order: string) =>
        d1
          .prepare(
            `INSERT INTO lesson_pairs (lesson_slug, next_slug, base, learners, successes)
             SELECT ${first}, ${then}, (SELECT count(*) FROM lesson_completions x WHERE x.lesson_slug = ${first}), 1, ${rightOn(then)}
             FROM lesson_completions c WHERE c.learner_id = ?1 AND c.completed_at ${order} ?3 AND ${guarded}
             ON CONFLICT (lesson_slug, next_slug) DO UPDATE SET learners = learners + 1, successes = successes + excluded.successes`,
          )
          .bind(lid, slug, at, delta.seq, attempt);
      return [
        d1
          .prepare(`UPDATE lesson_pairs SET base = base + 1 WHERE lesson_slug = ?2 AND ${guarded}`)
          .bind(lid, slug, at, delta.seq, attempt),
        pairs('c.lesson_slug', '?2', '<'),
        pairs('?2', 'c.lesson_slug', '>'),
      ];
    };
    /** A learner's first right answer on a lesson's items makes each of their pairs into that lesson a success. */
    const firstRightAnswer = (lid: string, slug: string, eventId: string) =>
      d1
        .prepare(
          `UPDATE lesson_pairs SET successes = successes + 1
           WHERE next_slug = ?2 AND EXISTS (SELECT 1 FROM aggregate_receipts WHERE learner_id = ?1 AND seq = ?4 AND applied_by = ?5)
             AND lesson_slug IN (SELECT a.lesson_slug FROM lesson_completions a JOIN lesson_completions b
               ON b.learner_id = a.learner_id AND b.lesson_slug = ?2 AND a.completed_at < b.completed_at WHERE a.learner_id = ?1)
             AND NOT EXISTS (SELECT 1 FROM attempt_log qa
               WHERE qa.learner_id = ?1 AND qa.lesson_slug = ?2 AND qa.correct = 1 AND qa.event_id <> ?3)`,
        )
        .bind(lid, slug, eventId, delta.seq, attempt);
    /** Adds `n` to a column of the per-day, per-reason recommendation counts (receipt-guarded). */
    const reasonCount = (
      courseId: string,
      day: string,
      reason: string,
      column: 'impressions' | 'accepted' | 'dismissed',
      n: number,
    ) =>
      d1
        .prepare(
          `INSERT INTO recommendation_reason_daily (day, course_id, reason, ${column}) SELECT ?, ?, ?, ? WHERE ${receipted}
           ON CONFLICT (day, course_id, reason) DO UPDATE SET ${column} = ${column} + excluded.${column}`,
        )
        .bind(day, courseId, reason, n, ...guard);
    /** One prediction and its outcome into its day's bin (AUC, log-loss and calibration are read from the bins). */
    const prediction = (
      model: 'bkt' | 'fsrs' | 'engagement' | 'lesson_engagement',
      courseId: string,
      segment: string,
      day: string,
      predicted: number,
      outcome: boolean,
    ) => {
      const p = Math.min(1 - 1e-6, Math.max(1e-6, predicted));
      const loss = -(outcome ? Math.log(p) : Math.log(1 - p));
      return d1
        .prepare(
          `INSERT INTO prediction_bins (day, model, course_id, segment, bin, n, positives, sum_predicted, sum_log_loss)
           SELECT ?, ?, ?, ?, ?, 1, ?, ?, ? WHERE ${receipted}
           ON CONFLICT (day, model, course_id, segment, bin) DO UPDATE SET n = n + 1, positives = positives + excluded.positives,
             sum_predicted = sum_predicted + excluded.sum_predicted, sum_log_loss = sum_log_loss + excluded.sum_log_loss`,
        )
        .bind(
          day,
          model,
          courseId,
          segment,
          Math.min(PREDICTION_BINS - 1, Math.floor(predicted * PREDICTION_BINS)),
          outcome ? 1 : 0,
          predicted,
          loss,
          ...guard,
        );
    };
    /** One more learner who started or completed a lesson. */
    const lessonCount = (courseId: string, lessonSlug: string, column: 'started' | 'completed') =>
      d1
        .prepare(
          `INSERT INTO lesson_stats (course_id, lesson_slug, ${column}) SELECT ?, ?, 1 WHERE ${receipted}
           ON CONFLICT (course_id, lesson_slug) DO UPDATE SET ${column} = ${column} + 1`,
        )
        .bind(courseId, lessonSlug, ...guard);
    const receipt = d1
      .prepare(
        'INSERT INTO aggregate_receipts (learner_id, seq, applied_by, received_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      )
      .bind(learnerId, delta.seq, attempt, now);
    switch (delta.kind) {
      case 'attempt': {
        const ability = delta.ability ?? 0;
        const right = delta.correct ? 1 : 0;
        return [
          receipt,
          rollup(delta.courseId, delta.occurredAt.slice(0, 10), { attempts: 1, correct: right }),
          d1
            .prepare(
              `INSERT INTO item_stats (course_id, item_id, answers, correct, sum_ability, sum_ability_squares, sum_correct_ability)
               SELECT ?, ?, 1, ?, ?, ?, ? WHERE ${receipted}
               ON CONFLICT (course_id, item_id) DO UPDATE SET answers = answers + 1, correct = correct + excluded.correct,
                 sum_ability = sum_ability + excluded.sum_ability,
                 sum_ability_squares = sum_ability_squares + excluded.sum_ability_squares,
                 sum_correct_ability = sum_correct_ability + excluded.sum_correct_ability`,
            )
            .bind(delta.courseId, delta.itemId, right, ability, ability * ability, right * ability, ...guard),
          d1
            .prepare(
              `INSERT INTO item_choice_stats (course_id, item_id, answer, picks) SELECT ?, ?, ?, 1 WHERE ${receipted}
               ON CONFLICT (course_id, item_id, answer) DO UPDATE SET picks = picks + 1`,
            )
            .bind(delta.courseId, delta.itemId, delta.answer, ...guard),
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
          ...(delta.correct ? [firstRightAnswer(learnerId, delta.lessonSlug, delta.eventId)] : []),
          ...(delta.predicted === undefined
            ? []
            : [
                '',
                ...(delta.segment ? [`background:${delta.segment.background}`, `experience:${delta.segment.experience}`] : []),
              ].map((segment) =>
                prediction('bkt', delta.courseId, segment, delta.occurredAt.slice(0, 10), delta.predicted ?? 0, delta.correct),
              )),
        ];
      }
      case 'completion':
        return [
          receipt,
          rollup(delta.courseId, delta.completedAt.slice(0, 10), { completions: 1 }),
          lessonCount(delta.courseId, delta.lessonSlug, 'completed'),
          d1
            .prepare(
              `INSERT INTO lesson_completions (learner_id, course_id, lesson_slug, completed_at) VALUES (?, ?, ?, ?)
               ON CONFLICT (learner_id, lesson_slug) DO UPDATE SET completed_at = min(completed_at, excluded.completed_at)`,
            )
            .bind(learnerId, delta.courseId, delta.lessonSlug, delta.completedAt),
          ...coCompletion(learnerId, delta.lessonSlug, delta.completedAt),
        ];
      case 'feedback':
        return [
          receipt,
          ...(delta.action === 'accepted' && delta.courseId && delta.day
            ? [rollup(delta.courseId, delta.day, { recs_accepted: 1 })]
            : []),
          ...(delta.courseId && delta.day && delta.reason && delta.action !== 'completed'
            ? [
                reasonCount(
                  delta.courseId,
                  delta.day,
                  delta.reason,
                  delta.action === 'accepted' ? 'accepted' : 'dismissed',
                  delta.action === 'restored' ? -1 : 1,
                ),
              ]
            : []),
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
        // A changed vote moves the learner's one rating: a day's row may go below zero, their sum over days never does.
        const ups = (delta.rating === 'up' ? 1 : 0) - (previous?.rating === 'up' ? 1 : 0);
        const downs = (delta.rating === 'down' ? 1 : 0) - (previous?.rating === 'down' ? 1 : 0);
        return [
          receipt,
          rollup(delta.courseId, delta.day ?? now.slice(0, 10), { answers_up: ups, answers_down: downs }),
          vote(delta.rating, delta.reason, 1),
          ...(previous ? [vote(previous.rating, previous.reason, -1)] : []),
        ];
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
          rollup(delta.courseId, delta.day, { active_seconds: delta.seconds }),
        ];
      case 'recall':
        return [receipt, prediction('fsrs', delta.courseId ?? '', '', delta.day, delta.predicted, delta.recalled)];
      case 'review':
        return [
          receipt,
          d1
            .prepare(
              `INSERT INTO review_log (learner_id, event_id, course_id, item_id, grade, reviewed_at)
               VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
            )
            .bind(learnerId, delta.eventId, delta.courseId, delta.itemId, delta.grade, delta.reviewedAt),
        ];
      case 'mastery_level': {
        // Learners who never answered on a concept are not counted: "not started" has no row.
        const move = (level: string, by: 1 | -1) =>
          d1
            .prepare(
              `INSERT INTO concept_mastery_levels (course_id, concept_id, level, learners) SELECT ?, ?, ?, ? WHERE ${receipted}
               ON CONFLICT (course_id, concept_id, level) DO UPDATE SET learners = learners + excluded.learners`,
            )
            .bind(delta.courseId, delta.conceptId, level, by, ...guard);
        return [
          receipt,
          ...(delta.from === 'not started' ? [] : [move(delta.from, -1)]),
          ...(delta.to === 'not started' ? [] : [move(delta.to, 1)]),
        ];
      }
      case 'impressions':
        return [receipt, ...delta.impressions.map((i) => reasonCount(delta.courseId, delta.day, i.reason, 'impressions', i.n))];
      case 'rank_choice':
        return [
          receipt,
          d1
            .prepare(`INSERT INTO ranker_choices (course_id, day, chosen, options) SELECT ?, ?, ?, ? WHERE ${receipted}`)
            .bind(delta.courseId, delta.day, delta.chosen, JSON.stringify(delta.options), ...guard),
        ];
      case 'onboarded':
        return [receipt, rollup('', delta.day, { onboarded: 1 })];
      case 'lesson_seen':
        return [receipt, lessonCount(delta.courseId, delta.lessonSlug, 'started')];
      case 'exposure':
        // Keyed by experiment and learner: the first exposure stays, a redelivery changes nothing.
        return [
          d1
            .prepare(
              'INSERT INTO experiment_exposures (experiment_id, learner_id, variant, exposed_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
            )
            .bind(delta.experimentId, learnerId, delta.variant, delta.exposedAt),
        ];
      case 'summary_due':
        // Keyed by learner: a due summary already on the schedule stays, a redelivery changes nothing.
        return [
          d1
            .prepare('INSERT INTO summary_schedule (learner_id, next_at) VALUES (?, ?) ON CONFLICT DO NOTHING')
            .bind(learnerId, delta.nextAt),
        ];
      case 'offer_outcome':
        return [receipt, prediction('lesson_engagement', delta.courseId, '', delta.day, delta.predicted, delta.completed)];
      case 'plan_outcome': {
        const column = delta.outcome === 'completed' ? 'done' : 'skipped';
        return [
          receipt,
          rollup(delta.courseId, delta.day, delta.outcome === 'completed' ? { plan_done: 1 } : { plan_skipped: 1 }),
          ...(delta.category
            ? [
                d1
                  .prepare(
                    `INSERT INTO plan_category_daily (day, course_id, category, ${column}) SELECT ?, ?, ?, 1 WHERE ${receipted}
                     ON CONFLICT (day, course_id, category) DO UPDATE SET ${column} = ${column} + 1`,
                  )
                  .bind(delta.day, delta.courseId, delta.category, ...guard),
              ]
            : []),
          ...(delta.predicted === undefined
            ? []
            : [prediction('engagement', delta.courseId, '', delta.day, delta.predicted, delta.outcome === 'completed')]),
        ];
      }
    }
  }

  return {
    async apply(messages, attempt, now) {
      await d1.batch(messages.flatMap((m) => m.deltas.flatMap((delta) => statements(m.learnerId, delta, attempt, now))));
    },

    statementCount(message) {
      return message.deltas.reduce((n, d) => n + statements(message.learnerId, d, '', '').length, 0);
    },

    async pruneReceipts(before) {
      const result = await d1.prepare('DELETE FROM aggregate_receipts WHERE received_at < ?').bind(before).run();
      return result.meta.changes;
    },
  };
}
