import type { ModelWrite } from '../mastery/mastery.store';
import { MAX_HEARTBEAT_SECONDS, type EventMessage } from './events.schemas';

/**
 * What applying an event did: applied it, found it applied before (a duplicate), or
 * found the learner model changed since the model write was computed (recompute and retry).
 */
export type ApplyResult = 'applied' | 'duplicate' | 'stale';

export interface ApplyOptions {
  /**
   * Record the event only if its learner (and lesson, for a lesson event) exist, checked
   * in the same batch; 'stale' then means one of them does not.
   */
  requireSubjects?: boolean;
}

/** Port over the learner events and the aggregates they feed, in D1. */
export interface EventStore {
  /**
   * Applies one event in one D1 batch: the dedupe record and every aggregate change
   * commit together, and the changes apply only if this call wrote the record.
   * A learner-model write joins the batch, and the event is recorded only while the
   * learner model still has the version the write was computed from.
   */
  apply(message: EventMessage, attempt: string, model?: ModelWrite): Promise<ApplyResult>;
  /** Applies an event like `apply` and reads the lesson's progress after it, in the same batch. */
  applyReadingLesson(
    message: EventMessage,
    attempt: string,
    options: ApplyOptions | undefined,
    lessonSlug: string,
  ): Promise<{ result: ApplyResult; progress: LessonProgressRow }>;
  /** Records a queue message that failed its schema (never retried). */
  reject(body: unknown, reason: string, now: string): Promise<void>;
  /** Keeps a message that ran out of retries for a later replay. */
  deadLetter(body: unknown, now: string): Promise<void>;
  /** The oldest kept dead letters, at most `limit`. */
  deadLetters(limit: number): Promise<{ id: number; body: unknown }[]>;
  /** Forgets replayed dead letters; returns how many are left. */
  forgetDeadLetters(ids: number[]): Promise<number>;
}

/**
 * Written with D1's own prepared statements: the conditional aggregate upserts
 * (`INSERT … SELECT … WHERE EXISTS … ON CONFLICT`) have no query-builder form.
 */
export function createD1EventStore(d1: D1Database): EventStore {
  /** The event's batch: dedupe row, aggregate changes, model write, then a read of who applied it. */
  function build(
    { learnerId, receivedAt, event }: EventMessage,
    attempt: string,
    model?: ModelWrite,
    options?: ApplyOptions,
  ): D1PreparedStatement[] {
    const occurredAt = new Date(event.occurredAt).toISOString();
    const { eventId, type, occurredAt: _raw, ...payload } = event;
    const seconds = event.type === 'lesson.active_time' ? Math.min(event.seconds, MAX_HEARTBEAT_SECONDS) : 0;
    // Aggregate changes apply only if the dedupe row in the same batch is this attempt's.
    const applied = 'EXISTS (SELECT 1 FROM learner_events WHERE event_id = ? AND applied_by = ?)';
    const where: string[] = [];
    const binds: unknown[] = [];
    // A model write is recorded only against the learner-model version it was computed from.
    if (model) {
      where.push('coalesce((SELECT version FROM learner_model WHERE learner_id = ?), 0) = ?');
      binds.push(model.learnerId, model.version);
    }
    if (options?.requireSubjects) {
      where.push('EXISTS (SELECT 1 FROM learners WHERE id = ?)');
      binds.push(learnerId);
      if ('lessonSlug' in event) {
        where.push('EXISTS (SELECT 1 FROM lessons WHERE slug = ?)');
        binds.push(event.lessonSlug);
      }
    }
    // SQLite needs a WHERE in an INSERT … SELECT … ON CONFLICT, even a trivial one.
    const current = { sql: `WHERE ${where.length > 0 ? where.join(' AND ') : 'true'}`, binds };
    const statements = [
      d1
        .prepare(
          `INSERT INTO learner_events (event_id, learner_id, type, occurred_at, received_at, payload, applied_by)
             SELECT ?, ?, ?, ?, ?, ?, ? ${current.sql} ON CONFLICT (event_id) DO NOTHING`,
        )
        .bind(eventId, learnerId, type, occurredAt, receivedAt, JSON.stringify(payload), attempt, ...current.binds),
      d1
        .prepare(
          `INSERT INTO daily_activity (learner_id, day, active_seconds, events)
             SELECT ?, ?, ?, 1 WHERE ${applied}
             ON CONFLICT (learner_id, day) DO UPDATE SET
               active_seconds = active_seconds + excluded.active_seconds, events = events + 1`,
        )
        .bind(learnerId, occurredAt.slice(0, 10), seconds, eventId, attempt),
    ];
    if ('lessonSlug' in event && event.type !== 'lesson.rated') {
      const started = event.type === 'lesson.started' ? occurredAt : null;
      const completed = event.type === 'lesson.completed' ? occurredAt : null;
      statements.push(
        d1
          .prepare(
            `INSERT INTO lesson_progress (learner_id, lesson_slug, started_at, completed_at, active_seconds, last_activity_at)
               SELECT ?, ?, ?, ?, ?, ? WHERE ${applied}
               ON CONFLICT (learner_id, lesson_slug) DO UPDATE SET
                 started_at = coalesce(min(started_at, excluded.started_at), started_at, excluded.started_at),
                 completed_at = coalesce(min(completed_at, excluded.completed_at), completed_at, excluded.completed_at),
                 active_seconds = active_seconds + excluded.active_seconds,
                 last_activity_at = max(last_activity_at, excluded.last_activity_at)`,
          )
          .bind(learnerId, event.lessonSlug, started, completed, seconds, occurredAt, eventId, attempt),
      );
    }
    if (event.type === 'recommendation.feedback') {
      const { recommendationId, action } = event;
      statements.push(
        d1
          .prepare(
            `INSERT INTO recommendation_feedback (learner_id, recommendation_id, action, rating, at)
               SELECT ?, ?, ?, ?, ? WHERE ${applied}
               ON CONFLICT (learner_id, recommendation_id) DO UPDATE SET action = excluded.action,
                 rating = coalesce(excluded.rating, rating), at = excluded.at
               WHERE excluded.at >= recommendation_feedback.at`,
          )
          .bind(learnerId, recommendationId, action, event.rating ?? null, occurredAt, eventId, attempt),
        d1
          .prepare(
            `INSERT INTO recommendation_stats (recommendation_id, accepted, dismissed, completed)
               SELECT ?, ?, ?, ? WHERE ${applied}
               ON CONFLICT (recommendation_id) DO UPDATE SET accepted = accepted + excluded.accepted,
                 dismissed = dismissed + excluded.dismissed, completed = completed + excluded.completed`,
          )
          .bind(
            recommendationId,
            action === 'accepted' ? 1 : 0,
            action === 'dismissed' ? 1 : 0,
            action === 'completed' ? 1 : 0,
            eventId,
            attempt,
          ),
      );
    }
    if (model) statements.push(...model.statements(applied, [eventId, attempt]));
    statements.push(d1.prepare('SELECT applied_by FROM learner_events WHERE event_id = ?').bind(eventId));
    return statements;
  }
  const resultOf = (rows: { applied_by?: unknown }[] | undefined, attempt: string): ApplyResult => {
    const by = rows?.[0]?.applied_by;
    return by === attempt ? 'applied' : by === undefined ? 'stale' : 'duplicate';
  };

  return {
    async apply(message, attempt, model) {
      const results = await d1.batch<{ applied_by: string }>(build(message, attempt, model));
      return resultOf(results.at(-1)?.results, attempt);
    },

    async applyReadingLesson(message, attempt, options, lessonSlug) {
      const statements = build(message, attempt, undefined, options);
      statements.push(lessonProgressQuery(d1, message.learnerId, lessonSlug));
      const results = await d1.batch<Record<string, unknown>>(statements);
      return {
        result: resultOf(results.at(-2)?.results, attempt),
        progress: lessonProgressRow(lessonSlug, results.at(-1)?.results[0] as LessonProgressDbRow | undefined),
      };
    },

    async reject(body, reason, now) {
      await d1
        .prepare('INSERT INTO event_rejections (received_at, reason, body) VALUES (?, ?, ?)')
        .bind(now, reason.slice(0, 2000), (JSON.stringify(body) ?? 'undefined').slice(0, 10_000))
        .run();
    },

    async deadLetters(limit) {
      const { results } = await d1
        .prepare('SELECT id, body FROM event_dead_letters ORDER BY id LIMIT ?')
        .bind(limit)
        .all<{ id: number; body: string }>();
      return results.map((r) => ({ id: r.id, body: JSON.parse(r.body) as unknown }));
    },

    async forgetDeadLetters(ids) {
      const statements = [];
      // D1 binds at most 100 parameters per statement.
      for (let i = 0; i < ids.length; i += 90) {
        const part = ids.slice(i, i + 90);
        statements.push(
          d1.prepare(`DELETE FROM event_dead_letters WHERE id IN (${part.map(() => '?').join(', ')})`).bind(...part),
        );
      }
      statements.push(d1.prepare('SELECT count(*) AS n FROM event_dead_letters'));
      const results = await d1.batch<{ n: number }>(statements);
      return results.at(-1)?.results[0]?.n ?? 0;
    },

    async deadLetter(body, now) {
      await d1
        .prepare('INSERT INTO event_dead_letters (dead_at, body) VALUES (?, ?)')
        .bind(now, JSON.stringify(body) ?? 'null')
        .run();
    },
  };
}

export interface LessonProgressRow {
  lessonSlug: string;
  startedAt: string | null;
  completedAt: string | null;
  activeSeconds: number;
  lastActivityAt: string | null;
}

export interface ProgressOverview {
  lessons: (LessonProgressRow & {
    title: string;
    partSlug: string;
    partTitle: string;
    chapterSlug: string;
    chapterTitle: string;
  })[];
  days: { day: string; activeSeconds: number; events: number }[];
}

interface LessonProgressDbRow {
  started_at: string | null;
  completed_at: string | null;
  active_seconds: number;
  last_activity_at: string;
}

const lessonProgressQuery = (d1: D1Database, learnerId: string, slug: string) =>
  d1
    .prepare(
      `SELECT started_at, completed_at, active_seconds, last_activity_at FROM lesson_progress
       WHERE learner_id = ? AND lesson_slug = ?`,
    )
    .bind(learnerId, slug);

function lessonProgressRow(slug: string, row: LessonProgressDbRow | undefined): LessonProgressRow {
  return {
    lessonSlug: slug,
    startedAt: row?.started_at ?? null,
    completedAt: row?.completed_at ?? null,
    activeSeconds: row?.active_seconds ?? 0,
    lastActivityAt: row?.last_activity_at ?? null,
  };
}

/** Reads of a learner's progress: one lesson, or the whole course in one D1 batch of two queries. */
export function createD1ProgressReader(d1: D1Database) {
  return {
    async lesson(learnerId: string, slug: string): Promise<LessonProgressRow> {
      return lessonProgressRow(slug, (await lessonProgressQuery(d1, learnerId, slug).first<LessonProgressDbRow>()) ?? undefined);
    },

    async overview(learnerId: string, sinceDay: string): Promise<ProgressOverview> {
      const [lessons, days] = await d1.batch<Record<string, unknown>>([
        d1
          .prepare(
            `SELECT l.slug AS lessonSlug, l.title, p.slug AS partSlug, p.title AS partTitle, c.slug AS chapterSlug,
               c.title AS chapterTitle, lp.started_at AS startedAt, lp.completed_at AS completedAt,
               coalesce(lp.active_seconds, 0) AS activeSeconds, lp.last_activity_at AS lastActivityAt
             FROM lessons l JOIN chapters c ON c.id = l.chapter_id JOIN parts p ON p.id = c.part_id
             LEFT JOIN lesson_progress lp ON lp.learner_id = ? AND lp.lesson_slug = l.slug
             ORDER BY p.position, c.position, l.position`,
          )
          .bind(learnerId),
        d1
          .prepare(
            `SELECT day, active_seconds AS activeSeconds, events FROM daily_activity
             WHERE learner_id = ? AND day >= ? ORDER BY day`,
          )
          .bind(learnerId, sinceDay),
      ]);
      return {
        lessons: (lessons?.results ?? []) as unknown as ProgressOverview['lessons'],
        days: (days?.results ?? []) as unknown as ProgressOverview['days'],
      };
    },
  };
}
export type ProgressReader = ReturnType<typeof createD1ProgressReader>;
