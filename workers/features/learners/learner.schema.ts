import { integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { Citation } from '../answers/answers.schemas';
import type { PlacementResult } from '../mastery/placement.schemas';
import type { PlanItem } from '../practice/plan.domain';
import type { WeeklySummary } from '../practice/summary.schemas';
import type { RankOption } from '../recommendations/recommend.domain';

/**
 * The SQLite schema of one learner's Durable Object: everything that is this learner's.
 * There is no learner id column: the object is the learner. Every row that refers to
 * course content carries its `course_id`. No secondary indexes: one learner's tables
 * are small, and a scan is billed as rows read ($0.001 per million) while every index
 * entry a write touches is billed as a row written ($1 per million).
 */

/** The learner's profile, one row. `legacy_checked_at` notes the object has looked for rows in D1 to move. */
export const profile = sqliteTable('profile', {
  id: text('id').primaryKey(),
  createdAt: text('created_at').notNull(),
  onboardedAt: text('onboarded_at'),
  preferences: text('preferences', { mode: 'json' }).$type<Record<string, unknown>>(),
  preferencesHash: text('preferences_hash'),
  answers: text('answers', { mode: 'json' }).$type<Record<string, unknown>>(),
  /** When the learner's rows were moved from the shared D1 database, if they were. */
  movedAt: text('moved_at'),
  /** Tokens carry the epoch they were issued in; a token of any other epoch is signed out. */
  tokenEpoch: integer('token_epoch').notNull().default(0),
  /** Until when (epoch ms) a token of the previous epoch may still refresh: two tabs refreshing at once both get in. */
  tokenGraceUntil: integer('token_grace_until').notNull().default(0),
  /** Consent: lessons may be adapted by a language model with this learner's profile. */
  consentModel: integer('consent_model', { mode: 'boolean' }).notNull().default(true),
  /** Consent: this learner's activity may feed shared statistics, analytics and experiments. */
  consentAnalytics: integer('consent_analytics', { mode: 'boolean' }).notNull().default(true),
  /** When the learner last changed a consent (null: the defaults, never changed). */
  consentUpdatedAt: text('consent_updated_at'),
  /** What to tell the learner on their next look (a course change dropped a goal); cleared once told. */
  pendingNotices: text('pending_notices', { mode: 'json' }).$type<string[]>(),
});

/** Every change of preferences, oldest first; never updated. */
export const preferenceHistory = sqliteTable('preference_history', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  preferences: text('preferences', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  /** `course`: goals the course no longer has were dropped after a push. */
  source: text('source', { enum: ['onboarding', 'profile', 'course'] }).notNull(),
  changedAt: text('changed_at').notNull(),
});

/**
 * One row per applied event: the dedupe record, written in the same transaction as the
 * change the event makes. `fingerprint` names the event's content, so a reused id with
 * a different payload is told apart from a repeat.
 */
export const events = sqliteTable('events', {
  eventId: text('event_id').primaryKey(),
  type: text('type').notNull(),
  courseId: text('course_id'),
  occurredAt: text('occurred_at').notNull(),
  receivedAt: text('received_at').notNull(),
  payload: text('payload', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  fingerprint: text('fingerprint').notNull(),
});

export const lessonProgress = sqliteTable(
  'lesson_progress',
  {
    courseId: text('course_id').notNull(),
    lessonSlug: text('lesson_slug').notNull(),
    startedAt: text('started_at'),
    completedAt: text('completed_at'),
    activeSeconds: integer('active_seconds').notNull().default(0),
    lastActivityAt: text('last_activity_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.courseId, t.lessonSlug] })],
);

/** Active seconds and events per UTC day. */
export const dailyActivity = sqliteTable('daily_activity', {
  day: text('day').primaryKey(),
  activeSeconds: integer('active_seconds').notNull().default(0),
  events: integer('events').notNull().default(0),
});

/** The IRT ability estimate, one row. */
export const ability = sqliteTable('ability', {
  id: integer('id').primaryKey(),
  theta: real('theta').notNull(),
  thetaSe: real('theta_se').notNull(),
  updatedAt: text('updated_at').notNull(),
});

export const conceptMastery = sqliteTable(
  'concept_mastery',
  {
    courseId: text('course_id').notNull(),
    conceptId: text('concept_id').notNull(),
    pKnown: real('p_known').notNull(),
    attempts: integer('attempts').notNull(),
    correct: integer('correct').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.courseId, t.conceptId] })],
);

/** Every graded answer (quiz or review). */
export const attempts = sqliteTable('attempts', {
  eventId: text('event_id').primaryKey(),
  courseId: text('course_id').notNull(),
  itemId: text('item_id').notNull(),
  conceptId: text('concept_id').notNull(),
  answer: integer('answer').notNull(),
  correct: integer('correct', { mode: 'boolean' }).notNull(),
  occurredAt: text('occurred_at').notNull(),
});

/** The FSRS card of one quiz item (ts-fsrs fields). */
export const reviewCards = sqliteTable(
  'review_cards',
  {
    courseId: text('course_id').notNull(),
    itemId: text('item_id').notNull(),
    conceptId: text('concept_id').notNull(),
    due: text('due').notNull(),
    stability: real('stability').notNull(),
    difficulty: real('difficulty').notNull(),
    elapsedDays: integer('elapsed_days').notNull(),
    scheduledDays: integer('scheduled_days').notNull(),
    learningSteps: integer('learning_steps').notNull(),
    reps: integer('reps').notNull(),
    lapses: integer('lapses').notNull(),
    state: integer('state').notNull(),
    lastReview: text('last_review'),
    /** The forgetting curve's decay (FSRS w20) of the weights that scheduled the card; null: the defaults'. */
    decay: real('decay'),
  },
  (t) => [primaryKey({ columns: [t.courseId, t.itemId] })],
);

/** The learning goal, one row. */
export const goal = sqliteTable('goal', {
  id: integer('id').primaryKey(),
  courseId: text('course_id'),
  type: text('type', { enum: ['concept', 'lesson', 'part'] }).notNull(),
  targetId: text('target_id').notNull(),
  targetDate: text('target_date'),
  setAt: text('set_at').notNull(),
});

/** The latest feedback on each recommendation. */
export const recommendationFeedback = sqliteTable('recommendation_feedback', {
  recommendationId: text('recommendation_id').primaryKey(),
  courseId: text('course_id'),
  action: text('action', { enum: ['accepted', 'dismissed', 'completed', 'restored'] }).notNull(),
  rating: integer('rating'),
  at: text('at').notNull(),
  /** The actions already counted in the shared statistics (`accepted,dismissed,`): each counts once per learner. */
  counted: text('counted').notNull().default(''),
});

/** The learner's latest rating of each answer they were given (the answer named by its engine and cache key). */
export const answerFeedback = sqliteTable('answer_feedback', {
  answerKey: text('answer_key').primaryKey(),
  courseId: text('course_id').notNull(),
  engine: text('engine', { enum: ['offline', 'model'] }).notNull(),
  rating: text('rating', { enum: ['up', 'down'] }).notNull(),
  reason: text('reason'),
  at: text('at').notNull(),
});

/** Every recommendation the learner was offered, latest offer: feedback is taken only on these. */
export const recommendationOffers = sqliteTable('recommendation_offers', {
  recommendationId: text('recommendation_id').primaryKey(),
  courseId: text('course_id'),
  offeredAt: text('offered_at').notNull(),
  /** A lesson's signal values and bonus when offered (what learning the ranker's weights reads); null for reviews and quizzes. */
  option: text('option', { mode: 'json' }).$type<RankOption>(),
  /** The first reason the item was given (impressions and acceptance by reason). */
  reason: text('reason'),
  /** Set once the list this offer was in has given a choice (taken, accepted or completed), so a list counts once. */
  chosen: integer('chosen').notNull().default(0),
  /**
   * A lesson offered and not yet resolved: when it was first offered since the last
   * resolution, and the completion chance it had then. Completing it within
   * OFFER_OUTCOME_DAYS resolves it as done, the days running out as not done (engagement
   * model health); offers again in between keep the first time and chance.
   */
  pendingSince: text('pending_since'),
  pendingChance: real('pending_chance'),
});

/** Model generations per UTC day. */
export const generationBudgets = sqliteTable('generation_budgets', {
  day: text('day').primaryKey(),
  used: integer('used').notNull().default(0),
});

/**
 * Deltas for the shared aggregates in D1, written in the same transaction as the change
 * they come from and deleted once a queue accepted them. `seq` never repeats (AUTOINCREMENT),
 * so (learner, seq) names a delta for the consumer's dedupe.
 */
export const outbox = sqliteTable('outbox', {
  seq: integer('seq').primaryKey({ autoIncrement: true }),
  delta: text('delta', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  createdAt: text('created_at').notNull(),
});

/** Heartbeat seconds not yet sent to the shared activity rollup: the alarm turns them into one delta. */
export const pendingActivity = sqliteTable(
  'pending_activity',
  {
    courseId: text('course_id').notNull(),
    lessonSlug: text('lesson_slug').notNull(),
    day: text('day').notNull(),
    seconds: integer('seconds').notNull(),
    heartbeats: integer('heartbeats').notNull(),
  },
  (t) => [primaryKey({ columns: [t.courseId, t.lessonSlug, t.day] })],
);

/** What the object has sent to the AGGREGATES queue, one row: operators read it to see deltas flow. */
export const delivery = sqliteTable('delivery', {
  id: integer('id').primaryKey(),
  messages: integer('messages').notNull().default(0),
  deltas: integer('deltas').notNull().default(0),
  lastSentAt: text('last_sent_at'),
});

/** A task of a stored plan: the planner's item with its status and the learner's explicit feedback, if any. */
export type StoredPlanItem = PlanItem & {
  status: string;
  outcome?: { status: string; at: string; rating?: number; skipReason?: string };
};

/**
 * Daily practice plans, one per local date: stored when first composed, so the same
 * day always returns the same plan. `items` holds the plan's tasks (JSON).
 */
export const plans = sqliteTable('plans', {
  date: text('date').primaryKey(),
  courseId: text('course_id').notNull(),
  createdAt: text('created_at').notNull(),
  timeZone: text('time_zone').notNull(),
  archetype: text('archetype').notNull(),
  mode: text('mode').notNull(),
  phase: text('phase').notNull(),
  /** Why the archetype, mode and phase are what they are. */
  reasons: text('reasons', { mode: 'json' })
    .$type<{ archetype: string; mode: string; phase: string; time?: string; minutes?: string }>()
    .notNull(),
  items: text('items', { mode: 'json' }).$type<StoredPlanItem[]>().notNull(),
});

/**
 * Weekly summaries, one per ISO week of the learner's local calendar, built once after
 * the week ends (the cron's job) and never changed. `concepts` keeps P(known) per
 * concept at the time, for the next summary's mastered and slipping.
 */
export const weeklySummaries = sqliteTable('weekly_summaries', {
  week: text('week').primaryKey(),
  courseId: text('course_id'),
  builtAt: text('built_at').notNull(),
  summary: text('summary', { mode: 'json' }).$type<WeeklySummary>().notNull(),
  concepts: text('concepts', { mode: 'json' }).$type<Record<string, number>>().notNull(),
});

/** A conversation with the course's answers: its scope, and the lesson it was started from. */
export const conversations = sqliteTable('conversations', {
  id: text('id').primaryKey(),
  courseId: text('course_id'),
  title: text('title').notNull(),
  scope: text('scope', { enum: ['lesson', 'course', 'all'] }).notNull(),
  lessonSlug: text('lesson_slug'),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
});

/** A conversation's turns in order: the learner's questions and the answers, with their citations. */
export const conversationMessages = sqliteTable(
  'conversation_messages',
  {
    conversationId: text('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    role: text('role', { enum: ['learner', 'answer'] }).notNull(),
    text: text('text').notNull(),
    /** The standalone question retrieval used (a follow-up rewritten), for the learner's turns. */
    query: text('query'),
    citations: text('citations', { mode: 'json' }).$type<Citation[]>().notNull(),
    engine: text('engine'),
    createdAt: text('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.conversationId, t.position] })],
);

/**
 * The learner's experiment assignments: their GrowthBook sticky bucket (the variant
 * they keep when a split changes) and when they were first exposed. Only kept for a
 * learner who consents to experiments.
 */
export const experimentAssignments = sqliteTable('experiment_assignments', {
  experimentId: text('experiment_id').primaryKey(),
  /** GrowthBook's sticky key: `<experiment>__<bucket version>`. */
  bucketKey: text('bucket_key').notNull(),
  variant: text('variant').notNull(),
  exposedAt: text('exposed_at').notNull(),
});

/**
 * A learner's preferences for one course where they differ from their own (see
 * COURSE_PREFERENCE_FIELDS): that course's lessons are personalized with them.
 */
export const coursePreferences = sqliteTable('course_preferences', {
  courseId: text('course_id').primaryKey(),
  preferences: text('preferences', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  updatedAt: text('updated_at').notNull(),
});

/** One answer of a placement test, as the session keeps it. */
export interface PlacementAnswerRow {
  itemId: string;
  conceptId: string;
  answer: number;
  correct: boolean;
  at: string;
}

/**
 * Placement tests: adaptive quizzes across a course's concepts that set where a learner who
 * already knows some of it starts. An active session asks `current_item_id` next; a finished one
 * keeps its result (the concepts it set and the lessons it unlocked).
 */
export const placementSessions = sqliteTable('placement_sessions', {
  id: text('id').primaryKey(),
  courseId: text('course_id').notNull(),
  status: text('status', { enum: ['active', 'finished'] }).notNull(),
  theta: real('theta').notNull(),
  thetaSe: real('theta_se').notNull(),
  currentItemId: text('current_item_id'),
  answers: text('answers', { mode: 'json' }).$type<PlacementAnswerRow[]>().notNull(),
  result: text('result', { mode: 'json' }).$type<PlacementResult>(),
  startedAt: text('started_at').notNull(),
  finishedAt: text('finished_at'),
});
