import { eventFingerprint } from '../events/events.once';
import type { LearnerEvent } from '../events/events.schemas';
import type { StoredCard } from '../mastery/mastery.domain';
import * as t from './learner.schema';
import type { LearnerDb } from './learner.store';

/**
 * One learner's rows in the shared D1 database, from before learner state moved into
 * learner objects. Rows get the course of the content they name (else the first course).
 */
export interface LegacyLearner {
  profile: {
    createdAt: string;
    onboardedAt: string | null;
    preferences: string | null;
    preferencesHash: string | null;
    answers: string | null;
  };
  history: { preferences: string; source: 'onboarding' | 'profile'; changedAt: string }[];
  events: { eventId: string; type: string; occurredAt: string; receivedAt: string; payload: string; courseId: string }[];
  progress: {
    courseId: string;
    lessonSlug: string;
    startedAt: string | null;
    completedAt: string | null;
    activeSeconds: number;
    lastActivityAt: string;
  }[];
  days: { day: string; activeSeconds: number; events: number }[];
  ability: { theta: number; thetaSe: number; updatedAt: string } | null;
  mastery: { courseId: string; conceptId: string; pKnown: number; attempts: number; correct: number; updatedAt: string }[];
  attempts: {
    eventId: string;
    courseId: string;
    itemId: string;
    conceptId: string;
    answer: number;
    correct: number;
    occurredAt: string;
  }[];
  cards: ({ courseId: string; itemId: string; conceptId: string } & StoredCard)[];
  goal: { type: 'concept' | 'lesson' | 'part'; targetId: string; targetDate: string | null; setAt: string } | null;
  feedback: { recommendationId: string; action: 'accepted' | 'dismissed' | 'completed'; rating: number | null; at: string }[];
  budgets: { day: string; used: number }[];
}

const FIRST_COURSE = `(SELECT min(id) FROM courses)`;
const LESSON_COURSE = (slug: string) => `coalesce((SELECT course_id FROM lessons WHERE slug = ${slug}), ${FIRST_COURSE}, '')`;
const ITEM_COURSE = (item: string) =>
  `coalesce((SELECT l.course_id FROM quiz_items q JOIN lessons l ON l.slug = q.lesson_slug WHERE q.id = ${item}), ${FIRST_COURSE}, '')`;

/** Reads everything of one learner in D1 in one batch; null when D1 has no such learner. */
export async function readLegacyLearner(d1: D1Database, learnerId: string): Promise<LegacyLearner | null> {
  const q = (sql: string, binds = 1) => d1.prepare(sql).bind(...Array<string>(binds).fill(learnerId));
  const results = await d1.batch<Record<string, unknown>>([
    q(
      `SELECT created_at AS createdAt, onboarded_at AS onboardedAt, preferences, preferences_hash AS preferencesHash, answers
       FROM learners WHERE id = ?`,
    ),
    q('SELECT preferences, source, changed_at AS changedAt FROM preference_history WHERE learner_id = ? ORDER BY id'),
    q(
      `SELECT event_id AS eventId, type, occurred_at AS occurredAt, received_at AS receivedAt, payload,
         CASE WHEN json_extract(payload, '$.lessonSlug') IS NOT NULL THEN ${LESSON_COURSE("json_extract(payload, '$.lessonSlug')")}
              WHEN json_extract(payload, '$.itemId') IS NOT NULL THEN ${ITEM_COURSE("json_extract(payload, '$.itemId')")}
              WHEN json_extract(payload, '$.reviewId') IS NOT NULL THEN ${ITEM_COURSE("json_extract(payload, '$.reviewId')")}
              ELSE coalesce(${FIRST_COURSE}, '') END AS courseId
       FROM learner_events WHERE learner_id = ?`,
    ),
    q(
      `SELECT ${LESSON_COURSE('p.lesson_slug')} AS courseId, lesson_slug AS lessonSlug, started_at AS startedAt,
         completed_at AS completedAt, active_seconds AS activeSeconds, last_activity_at AS lastActivityAt
       FROM lesson_progress p WHERE learner_id = ?`,
    ),
    q('SELECT day, active_seconds AS activeSeconds, events FROM daily_activity WHERE learner_id = ?'),
    q('SELECT theta, theta_se AS thetaSe, updated_at AS updatedAt FROM learner_model WHERE learner_id = ?'),
    q(
      `SELECT coalesce((SELECT l.course_id FROM lesson_concepts lc JOIN lessons l ON l.slug = lc.lesson_slug
           WHERE lc.concept_id = m.concept_id LIMIT 1), ${LESSON_COURSE('m.concept_id')}) AS courseId,
         concept_id AS conceptId, p_known AS pKnown, attempts, correct, updated_at AS updatedAt
       FROM concept_mastery m WHERE learner_id = ?`,
    ),
    q(
      `SELECT event_id AS eventId, ${ITEM_COURSE('a.item_id')} AS courseId, item_id AS itemId, concept_id AS conceptId,
         answer, correct, occurred_at AS occurredAt
       FROM quiz_attempts a WHERE learner_id = ?`,
    ),
    q(
      `SELECT ${ITEM_COURSE('c.item_id')} AS courseId, item_id AS itemId, concept_id AS conceptId, due, stability, difficulty,
         elapsed_days AS elapsedDays, scheduled_days AS scheduledDays, learning_steps AS learningSteps, reps, lapses, state,
         last_review AS lastReview
       FROM review_cards c WHERE learner_id = ?`,
    ),
    q('SELECT type, target_id AS targetId, target_date AS targetDate, set_at AS setAt FROM learner_goals WHERE learner_id = ?'),
    q(`SELECT recommendation_id AS recommendationId, action, rating, at FROM recommendation_feedback WHERE learner_id = ?`),
    q('SELECT day, used FROM generation_budgets WHERE learner_id = ?'),
  ]);
  const rows = <T>(i: number) => (results[i]?.results ?? []) as T[];
  const profile = rows<LegacyLearner['profile']>(0)[0];
  if (!profile) return null;
  return {
    profile,
    history: rows(1),
    events: rows(2),
    progress: rows(3),
    days: rows(4),
    ability: rows<NonNullable<LegacyLearner['ability']>>(5)[0] ?? null,
    mastery: rows(6),
    attempts: rows(7),
    cards: rows(8),
    goal: rows<NonNullable<LegacyLearner['goal']>>(9)[0] ?? null,
    feedback: rows(10),
    budgets: rows(11),
  };
}

/**
 * Deletes one learner's rows from D1 once their object holds them. The shared attempt
 * log, completions and feedback counts keep what they were given (migration 0010).
 */
export async function forgetLegacyLearner(d1: D1Database, learnerId: string): Promise<void> {
  await d1.batch([
    ...LEGACY_LEARNER_TABLES.map((table) => d1.prepare(`DELETE FROM ${table} WHERE learner_id = ?`).bind(learnerId)),
    d1.prepare('DELETE FROM learners WHERE id = ?').bind(learnerId),
  ]);
}

/** D1 tables that held a learner's rows (by `learner_id`) besides `learners` itself. */
export const LEGACY_LEARNER_TABLES = [
  'preference_history',
  'generation_budgets',
  'learner_events',
  'lesson_progress',
  'daily_activity',
  'learner_model',
  'concept_mastery',
  'quiz_attempts',
  'review_cards',
  'learner_goals',
  'recommendation_feedback',
] as const;

/** The learners still in D1, for the move command. */
export interface LegacyLearners {
  /** Learner ids still in D1, at most `limit`. */
  ids(limit: number): Promise<string[]>;
  count(): Promise<number>;
}

export function createD1LegacyLearners(d1: D1Database): LegacyLearners {
  return {
    async ids(limit) {
      const { results } = await d1.prepare('SELECT id FROM learners ORDER BY id LIMIT ?').bind(limit).all<{ id: string }>();
      return results.map((r) => r.id);
    },
    async count() {
      return (await d1.prepare('SELECT count(*) AS n FROM learners').first<{ n: number }>())?.n ?? 0;
    },
  };
}

/**
 * Writes a legacy learner into their object's tables (inside the object's transaction).
 * Rows already there win, so a rerun after a crash changes nothing.
 */
export function importLegacyLearner(db: LearnerDb, learnerId: string, legacy: LegacyLearner, movedAt: string): void {
  const json = (text: string | null) => (text === null ? null : (JSON.parse(text) as Record<string, unknown>));
  const { profile } = legacy;
  db.insert(t.profile)
    .values({
      id: learnerId,
      createdAt: profile.createdAt,
      onboardedAt: profile.onboardedAt,
      preferences: json(profile.preferences),
      preferencesHash: profile.preferencesHash,
      answers: json(profile.answers),
      movedAt,
    })
    .onConflictDoNothing()
    .run();
  const many = <T>(rows: T[], insert: (row: T) => void) => rows.forEach(insert);
  many(legacy.history, (h) =>
    db
      .insert(t.preferenceHistory)
      .values({ preferences: json(h.preferences) ?? {}, source: h.source, changedAt: h.changedAt })
      .run(),
  );
  many(legacy.events, (e) => {
    const payload = json(e.payload) ?? {};
    const fingerprint = eventFingerprint({
      eventId: e.eventId,
      occurredAt: e.occurredAt,
      type: e.type,
      ...payload,
    } as LearnerEvent);
    db.insert(t.events)
      .values({
        eventId: e.eventId,
        type: e.type,
        courseId: e.courseId,
        occurredAt: e.occurredAt,
        receivedAt: e.receivedAt,
        payload,
        fingerprint,
      })
      .onConflictDoNothing()
      .run();
  });
  many(legacy.progress, (p) => db.insert(t.lessonProgress).values(p).onConflictDoNothing().run());
  many(legacy.days, (d) => db.insert(t.dailyActivity).values(d).onConflictDoNothing().run());
  if (legacy.ability)
    db.insert(t.ability)
      .values({ id: 1, ...legacy.ability })
      .onConflictDoNothing()
      .run();
  many(legacy.mastery, (m) => db.insert(t.conceptMastery).values(m).onConflictDoNothing().run());
  many(legacy.attempts, (a) =>
    db
      .insert(t.attempts)
      .values({ ...a, correct: a.correct === 1 })
      .onConflictDoNothing()
      .run(),
  );
  many(legacy.cards, (c) => db.insert(t.reviewCards).values(c).onConflictDoNothing().run());
  if (legacy.goal)
    db.insert(t.goal)
      .values({ id: 1, courseId: null, ...legacy.goal })
      .onConflictDoNothing()
      .run();
  many(legacy.feedback, (f) =>
    db
      .insert(t.recommendationFeedback)
      .values({ ...f, courseId: null })
      .onConflictDoNothing()
      .run(),
  );
  many(legacy.budgets, (b) => db.insert(t.generationBudgets).values(b).onConflictDoNothing().run());
}
