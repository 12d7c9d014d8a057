import { sql } from 'drizzle-orm';
import { blob, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * Relational state of the platform. Every content table carries `course_id` so a
 * course can later move to its own database without reshaping rows.
 */

export const courses = sqliteTable('courses', {
  id: text('id').primaryKey(),
  title: text('title').notNull(),
  summary: text('summary').notNull().default(''),
  /** The course's language (BCP 47), when the push said. */
  language: text('language'),
  /** Bumped by every push that changes anything; names the cached book copy. */
  version: integer('version').notNull().default(0),
  /** SHA-256 of the last applied manifest; an identical push writes nothing. */
  manifestHash: text('manifest_hash').notNull().default(''),
  updatedAt: text('updated_at').notNull(),
});

export const parts = sqliteTable(
  'parts',
  {
    id: text('id').primaryKey(),
    courseId: text('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    slug: text('slug').notNull(),
    title: text('title').notNull(),
    summary: text('summary').notNull().default(''),
    position: integer('position').notNull(),
  },
  (t) => [index('parts_course_idx').on(t.courseId, t.position)],
);

export const chapters = sqliteTable(
  'chapters',
  {
    id: text('id').primaryKey(),
    courseId: text('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    partId: text('part_id')
      .notNull()
      .references(() => parts.id, { onDelete: 'cascade' }),
    slug: text('slug').notNull(),
    title: text('title').notNull(),
    summary: text('summary').notNull().default(''),
    position: integer('position').notNull(),
  },
  (t) => [index('chapters_part_idx').on(t.partId, t.position)],
);

export const lessons = sqliteTable(
  'lessons',
  {
    slug: text('slug').primaryKey(),
    courseId: text('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    chapterId: text('chapter_id')
      .notNull()
      .references(() => chapters.id),
    position: integer('position').notNull(),
    title: text('title').notNull(),
    layer: text('layer', { enum: ['L1', 'L2', 'L3'] }).notNull(),
    difficulty: integer('difficulty').notNull(),
    minutes: integer('minutes').notNull(),
    summary: text('summary').notNull().default(''),
    objectives: text('objectives', { mode: 'json' })
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'`),
    sourcePath: text('source_path').notNull(),
    /** SHA-256 of the markdown body; also its R2 key (`lessons/<hash>.md`). */
    contentHash: text('content_hash').notNull(),
    /** SHA-256 of the lesson's canonical metadata; a change re-writes rows but not R2. */
    metaHash: text('meta_hash').notNull(),
    ingestStatus: text('ingest_status', { enum: ['pending', 'ingested', 'failed'] })
      .notNull()
      .default('pending'),
    ingestError: text('ingest_error'),
    ingestedHash: text('ingested_hash'),
    wordCount: integer('word_count'),
    readingMinutes: integer('reading_minutes'),
    outline: text('outline', { mode: 'json' }).$type<{ depth: number; text: string; anchor: string }[]>(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [
    index('lessons_chapter_idx').on(t.chapterId, t.position),
    index('lessons_course_idx').on(t.courseId),
    // Counting the lessons not yet ingested is part of the course stamp (see COURSE_STAMP_SQL).
    index('lessons_ingest_idx').on(t.ingestStatus),
  ],
);

export const lessonPrerequisites = sqliteTable(
  'lesson_prerequisites',
  {
    lessonSlug: text('lesson_slug')
      .notNull()
      .references(() => lessons.slug, { onDelete: 'cascade' }),
    prerequisiteSlug: text('prerequisite_slug').notNull(),
    position: integer('position').notNull(),
  },
  (t) => [primaryKey({ columns: [t.lessonSlug, t.prerequisiteSlug] })],
);

/** Every concept slug of the catalog; `label` is how the last lesson to name it writes it (see `courseConcepts`). */
export const concepts = sqliteTable('concepts', {
  id: text('id').primaryKey(),
  label: text('label').notNull(),
});

/**
 * A concept as one course names it: the same slug in two courses is two concepts, each
 * labelled as that course's lessons write it. Read with `concepts.label` as the fallback.
 */
export const courseConcepts = sqliteTable(
  'course_concepts',
  {
    courseId: text('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    conceptId: text('concept_id').notNull(),
    label: text('label').notNull(),
  },
  (t) => [primaryKey({ columns: [t.courseId, t.conceptId] })],
);

/**
 * A concept of one course that its author declared the same as a concept of another
 * course: a graded answer on either moves the learner's mastery of both. A link names
 * a course that may not be in the catalog yet; it holds once that course has the concept.
 */
export const conceptLinks = sqliteTable(
  'concept_links',
  {
    courseId: text('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    conceptId: text('concept_id').notNull(),
    linkedCourseId: text('linked_course_id').notNull(),
    linkedConceptId: text('linked_concept_id').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.courseId, t.conceptId, t.linkedCourseId] }),
    index('concept_links_linked_idx').on(t.linkedCourseId, t.linkedConceptId),
  ],
);

export const lessonConcepts = sqliteTable(
  'lesson_concepts',
  {
    lessonSlug: text('lesson_slug')
      .notNull()
      .references(() => lessons.slug, { onDelete: 'cascade' }),
    conceptId: text('concept_id')
      .notNull()
      .references(() => concepts.id),
    position: integer('position').notNull(),
  },
  (t) => [primaryKey({ columns: [t.lessonSlug, t.conceptId] }), index('lesson_concepts_concept_idx').on(t.conceptId)],
);

export const quizItems = sqliteTable(
  'quiz_items',
  {
    id: text('id').primaryKey(),
    lessonSlug: text('lesson_slug')
      .notNull()
      .references(() => lessons.slug, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    question: text('question').notNull(),
    choices: text('choices', { mode: 'json' }).$type<string[]>().notNull(),
    answer: integer('answer').notNull(),
    explanation: text('explanation').notNull().default(''),
    conceptId: text('concept_id'),
    /** 1–5, null for the lesson's difficulty: the item's IRT difficulty. */
    difficulty: integer('difficulty'),
  },
  (t) => [index('quiz_items_lesson_idx').on(t.lessonSlug, t.position)],
);

export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    label: text('label').notNull().default(''),
    /** SHA-256 of the whole key; the key itself is shown once and never stored. */
    keyHash: text('key_hash').notNull(),
    scopes: text('scopes', { mode: 'json' }).$type<string[]>().notNull(),
    createdAt: text('created_at').notNull(),
    lastUsedAt: text('last_used_at'),
    revokedAt: text('revoked_at'),
  },
  (t) => [uniqueIndex('api_keys_hash_idx').on(t.keyHash)],
);

/** Every blob (lesson body or linked file) the content API holds in R2, by SHA-256. */
export const blobs = sqliteTable('blobs', {
  hash: text('hash').primaryKey(),
  size: integer('size').notNull(),
  contentType: text('content_type').notNull(),
  createdAt: text('created_at').notNull(),
});

/**
 * One row per applied push. The primary key doubles as an optimistic lock: two
 * pushes planned from the same version both insert `version + 1`, and the second
 * batch fails whole instead of interleaving with the first.
 */
export const courseVersions = sqliteTable(
  'course_versions',
  {
    courseId: text('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    manifestHash: text('manifest_hash').notNull(),
    added: integer('added').notNull(),
    changed: integer('changed').notNull(),
    removed: integer('removed').notNull(),
    committedAt: text('committed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.courseId, t.version] })],
);

/** An anonymous (for now) learner; the signed token carries the id. */
export const learners = sqliteTable('learners', {
  id: text('id').primaryKey(),
  createdAt: text('created_at').notNull(),
  onboardedAt: text('onboarded_at'),
  /** Canonical Preferences JSON, null until onboarding. */
  preferences: text('preferences', { mode: 'json' }).$type<Record<string, unknown>>(),
  /** SHA-256 of the canonical preferences the engines see; part of every personalization key. */
  preferencesHash: text('preferences_hash'),
  /** The raw onboarding answers as given, for re-reading the questionnaire later. */
  answers: text('answers', { mode: 'json' }).$type<Record<string, unknown>>(),
});

/** Every change of a learner's preferences, oldest first; never updated. */
export const preferenceHistory = sqliteTable(
  'preference_history',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    learnerId: text('learner_id')
      .notNull()
      .references(() => learners.id, { onDelete: 'cascade' }),
    preferences: text('preferences', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    source: text('source', { enum: ['onboarding', 'profile'] }).notNull(),
    changedAt: text('changed_at').notNull(),
  },
  (t) => [index('preference_history_learner_idx').on(t.learnerId, t.id)],
);

/** Model generations per learner per UTC day, counted exactly (one row, incremented in SQL). */
export const generationBudgets = sqliteTable(
  'generation_budgets',
  {
    learnerId: text('learner_id')
      .notNull()
      .references(() => learners.id, { onDelete: 'cascade' }),
    day: text('day').notNull(),
    used: integer('used').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.learnerId, t.day] })],
);

/** One row per model request: what it cost and how it ended. */
export const generationLog = sqliteTable(
  'generation_log',
  {
    id: text('id').primaryKey(),
    learnerId: text('learner_id').notNull(),
    lessonSlug: text('lesson_slug').notNull(),
    model: text('model').notNull(),
    promptVersion: text('prompt_version').notNull(),
    outcome: text('outcome', { enum: ['ok', 'rejected', 'failed'] }).notNull(),
    reason: text('reason'),
    attempts: integer('attempts').notNull(),
    promptTokens: integer('prompt_tokens').notNull().default(0),
    completionTokens: integer('completion_tokens').notNull().default(0),
    estimatedCostUsd: real('estimated_cost_usd').notNull().default(0),
    durationMs: integer('duration_ms').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [index('generation_log_learner_idx').on(t.learnerId, t.createdAt)],
);

/**
 * Searchable pieces of lessons and uploaded sources, heading-aware. A chunk's
 * id includes its item's content hash, so a new version never overwrites an old
 * chunk in place: ingest writes the new set and deletes the old one in one batch.
 */
export const chunks = sqliteTable(
  'chunks',
  {
    id: text('id').primaryKey(),
    itemKind: text('item_kind', { enum: ['lesson', 'source'] }).notNull(),
    itemId: text('item_id').notNull(),
    contentHash: text('content_hash').notNull(),
    position: integer('position').notNull(),
    headingPath: text('heading_path', { mode: 'json' }).$type<string[]>().notNull(),
    anchor: text('anchor').notNull(),
    startOffset: integer('start_offset').notNull(),
    endOffset: integer('end_offset').notNull(),
    page: integer('page'),
    text: text('text').notNull(),
    /** Filter fields copied from the item, so search filters need no join (a source has no course). */
    courseId: text('course_id'),
    partSlug: text('part_slug'),
    chapterSlug: text('chapter_slug'),
    layer: text('layer'),
    sourceType: text('source_type').notNull(),
  },
  (t) => [index('chunks_item_idx').on(t.itemKind, t.itemId)],
);

/** Chunk embeddings by embedder; vectors of different embedders never mix. */
export const chunkVectors = sqliteTable(
  'chunk_vectors',
  {
    chunkId: text('chunk_id')
      .notNull()
      .references(() => chunks.id, { onDelete: 'cascade' }),
    embedder: text('embedder').notNull(),
    dimensions: integer('dimensions').notNull(),
    /** Float32 little-endian, `dimensions` values. */
    vector: blob('vector', { mode: 'buffer' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.chunkId, t.embedder] }), index('chunk_vectors_embedder_idx').on(t.embedder)],
);

/**
 * One row per embedder: its dimensions (mixing is refused) and a version bumped by
 * every write, so isolates holding its vectors in memory know when to reload.
 */
export const vectorIndexes = sqliteTable('vector_indexes', {
  embedder: text('embedder').primaryKey(),
  dimensions: integer('dimensions').notNull(),
  version: integer('version').notNull().default(0),
});

/**
 * Chunk ids deleted from D1 whose vectors an external index (Vectorize) still holds.
 * Filled by a trigger on `chunks`, so every deletion path is covered; drained by the
 * vector index after its writes and by the cron.
 */
export const vectorDeletions = sqliteTable('vector_deletions', {
  chunkId: text('chunk_id').primaryKey(),
});

/**
 * Documents authors upload (PDF, DOCX, TXT, Markdown). The original file is in R2
 * under its content hash, like lesson bodies; the same bytes uploaded twice are one source.
 */
export const sources = sqliteTable(
  'sources',
  {
    id: text('id').primaryKey(),
    title: text('title').notNull(),
    filename: text('filename').notNull(),
    mediaType: text('media_type').notNull(),
    sourceType: text('source_type', { enum: ['pdf', 'docx', 'txt', 'markdown'] }).notNull(),
    byteSize: integer('byte_size').notNull(),
    contentHash: text('content_hash').notNull(),
    status: text('status', { enum: ['pending', 'ingested', 'failed'] })
      .notNull()
      .default('pending'),
    error: text('error'),
    /** Pages of a paged document (PDF); null otherwise. */
    pages: integer('pages'),
    /** Characters of extracted text, once ingested. */
    characters: integer('characters'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [uniqueIndex('sources_content_hash_idx').on(t.contentHash)],
);

/**
 * Which lessons and sources teach a concept: frontmatter concepts (origin `author`)
 * and key phrases extracted from the text (origin `extracted`, with a weight).
 */
export const itemConcepts = sqliteTable(
  'item_concepts',
  {
    itemKind: text('item_kind', { enum: ['lesson', 'source'] }).notNull(),
    itemId: text('item_id').notNull(),
    conceptId: text('concept_id').notNull(),
    origin: text('origin', { enum: ['author', 'extracted'] }).notNull(),
    weight: real('weight').notNull(),
  },
  (t) => [primaryKey({ columns: [t.itemKind, t.itemId, t.conceptId] }), index('item_concepts_concept_idx').on(t.conceptId)],
);

/**
 * Every learner event applied, by its client-generated id: the dedupe record. It is
 * written in the same D1 batch as the aggregate changes the event makes, and those
 * changes only apply when this row was written by the same attempt (`appliedBy`),
 * so a redelivered or duplicated event changes nothing twice.
 */
export const learnerEvents = sqliteTable(
  'learner_events',
  {
    eventId: text('event_id').primaryKey(),
    learnerId: text('learner_id').notNull(),
    type: text('type').notNull(),
    occurredAt: text('occurred_at').notNull(),
    receivedAt: text('received_at').notNull(),
    /** The event's own fields, as sent. */
    payload: text('payload', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    /** Random token of the consumer attempt that applied the event. */
    appliedBy: text('applied_by').notNull(),
  },
  (t) => [index('learner_events_learner_idx').on(t.learnerId, t.occurredAt)],
);

/** Queue messages that failed their schema: kept for inspection, never retried. */
export const eventRejections = sqliteTable('event_rejections', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  receivedAt: text('received_at').notNull(),
  reason: text('reason').notNull(),
  body: text('body').notNull(),
});

/** Events that ran out of retries, kept until `npm run events -- replay-dlq` sends them again. */
export const eventDeadLetters = sqliteTable('event_dead_letters', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  deadAt: text('dead_at').notNull(),
  body: text('body', { mode: 'json' }).$type<unknown>().notNull(),
});

/** A learner's progress in one lesson, aggregated from events. */
export const lessonProgress = sqliteTable(
  'lesson_progress',
  {
    learnerId: text('learner_id').notNull(),
    lessonSlug: text('lesson_slug').notNull(),
    startedAt: text('started_at'),
    completedAt: text('completed_at'),
    activeSeconds: integer('active_seconds').notNull().default(0),
    lastActivityAt: text('last_activity_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.learnerId, t.lessonSlug] }),
    index('lesson_progress_recent_idx').on(t.learnerId, t.lastActivityAt),
  ],
);

/** Active seconds and events per learner per UTC day, aggregated from events. */
export const dailyActivity = sqliteTable(
  'daily_activity',
  {
    learnerId: text('learner_id').notNull(),
    day: text('day').notNull(),
    activeSeconds: integer('active_seconds').notNull().default(0),
    events: integer('events').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.learnerId, t.day] })],
);

/**
 * The learner model's per-learner row: a version every model-changing event bumps
 * (an event computed from an older version is recomputed, so concurrent answers
 * never lose an update) and the IRT ability estimate.
 */
export const learnerModel = sqliteTable('learner_model', {
  learnerId: text('learner_id').primaryKey(),
  version: integer('version').notNull(),
  theta: real('theta').notNull(),
  thetaSe: real('theta_se').notNull(),
  updatedAt: text('updated_at').notNull(),
});

/** BKT P(known) of one concept for one learner, after their graded answers. */
export const conceptMastery = sqliteTable(
  'concept_mastery',
  {
    learnerId: text('learner_id').notNull(),
    conceptId: text('concept_id').notNull(),
    pKnown: real('p_known').notNull(),
    attempts: integer('attempts').notNull(),
    correct: integer('correct').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.learnerId, t.conceptId] })],
);

/** Every graded answer (quiz or review): the IRT responses and what `npm run fit -- bkt` learns from. */
export const quizAttempts = sqliteTable(
  'quiz_attempts',
  {
    eventId: text('event_id').primaryKey(),
    learnerId: text('learner_id').notNull(),
    itemId: text('item_id').notNull(),
    conceptId: text('concept_id').notNull(),
    answer: integer('answer').notNull(),
    correct: integer('correct', { mode: 'boolean' }).notNull(),
    occurredAt: text('occurred_at').notNull(),
  },
  (t) => [
    index('quiz_attempts_learner_idx').on(t.learnerId, t.occurredAt),
    index('quiz_attempts_concept_idx').on(t.conceptId, t.learnerId, t.occurredAt),
  ],
);

/** The FSRS card of one quiz item for one learner (ts-fsrs fields). */
export const reviewCards = sqliteTable(
  'review_cards',
  {
    learnerId: text('learner_id').notNull(),
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
  },
  (t) => [primaryKey({ columns: [t.learnerId, t.itemId] }), index('review_cards_due_idx').on(t.learnerId, t.due)],
);

/** BKT parameters fitted by `npm run fit -- bkt`; a concept without a row uses the defaults. */
/** BKT parameters fitted per concept of a course (the same slug in two courses is two concepts, fitted apart). */
export const bktParams = sqliteTable(
  'bkt_params',
  {
    courseId: text('course_id').notNull(),
    conceptId: text('concept_id').notNull(),
    prior: real('prior').notNull(),
    learn: real('learn').notNull(),
    guess: real('guess').notNull(),
    slip: real('slip').notNull(),
    forget: real('forget').notNull(),
    attempts: integer('attempts').notNull(),
    learners: integer('learners').notNull(),
    fittedAt: text('fitted_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.courseId, t.conceptId] })],
);

/**
 * The knowledge-tracing model a course's mastery uses, chosen by `npm run fit -- kt` on held-out
 * learners: `bkt` (per-concept BKT, the default without a row) or `pfa` (the shared weights here,
 * per-concept terms in `kt_concepts`). The report keeps both models' held-out figures.
 */
export const ktModels = sqliteTable('kt_models', {
  courseId: text('course_id').primaryKey(),
  chosen: text('chosen', { enum: ['bkt', 'pfa'] }).notNull(),
  intercept: real('intercept').notNull(),
  success: real('success').notNull(),
  failure: real('failure').notNull(),
  totalSuccess: real('total_success').notNull(),
  totalFailure: real('total_failure').notNull(),
  report: text('report').notNull(),
  attempts: integer('attempts').notNull(),
  learners: integer('learners').notNull(),
  fittedAt: text('fitted_at').notNull(),
});

/** PFA's per-concept terms of a course's fit (see `kt_models`). */
export const ktConcepts = sqliteTable(
  'kt_concepts',
  {
    courseId: text('course_id').notNull(),
    conceptId: text('concept_id').notNull(),
    easiness: real('easiness').notNull(),
    success: real('success').notNull(),
    failure: real('failure').notNull(),
  },
  (t) => [primaryKey({ columns: [t.courseId, t.conceptId] })],
);

/**
 * Quiz items calibrated from learners' first answers by `npm run fit -- irt` (3PL, guessing one
 * over the choices): the adaptive quiz uses `a` and `b` for items with `calibrated` = 1, the
 * author's difficulty for the rest. `flags` lists what makes an item misbehave.
 */
export const itemCalibrations = sqliteTable(
  'item_calibrations',
  {
    courseId: text('course_id').notNull(),
    itemId: text('item_id').notNull(),
    calibrated: integer('calibrated', { mode: 'boolean' }).notNull(),
    a: real('a').notNull(),
    b: real('b').notNull(),
    priorB: real('prior_b').notNull(),
    answers: integer('answers').notNull(),
    pCorrect: real('p_correct').notNull(),
    pointBiserial: real('point_biserial'),
    flags: text('flags', { mode: 'json' }).$type<string[]>().notNull(),
    fittedAt: text('fitted_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.courseId, t.itemId] }), index('item_calibrations_item_idx').on(t.itemId)],
);

/**
 * FSRS weights fitted by `npm run fit -- fsrs` from the review log: one row per course
 * (`learner_id` ''), and one per learner with enough reviews of their own (fitted from the
 * course's). Stored only when the fit predicted later reviews better than what it started
 * from; `report` keeps both scores. Reviews schedule with the learner's row, else the course's.
 */
export const fsrsParams = sqliteTable(
  'fsrs_params',
  {
    courseId: text('course_id').notNull(),
    learnerId: text('learner_id').notNull(),
    weights: text('weights', { mode: 'json' }).$type<number[]>().notNull(),
    reviews: integer('reviews').notNull(),
    report: text('report').notNull(),
    fittedAt: text('fitted_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.courseId, t.learnerId] }), index('fsrs_params_learner_idx').on(t.learnerId)],
);

/** A learner's learning goal: a concept, a lesson or a part, with an optional date. */
export const learnerGoals = sqliteTable('learner_goals', {
  learnerId: text('learner_id').primaryKey(),
  type: text('type', { enum: ['concept', 'lesson', 'part'] }).notNull(),
  targetId: text('target_id').notNull(),
  targetDate: text('target_date'),
  setAt: text('set_at').notNull(),
});

/**
 * Item-to-item co-completion, recomputed by the cron job: of the learners who completed
 * `lessonSlug` (`base`), how many completed `nextSlug` later, and how many of those got
 * one of its quiz items right.
 */
export const lessonPairs = sqliteTable(
  'lesson_pairs',
  {
    lessonSlug: text('lesson_slug').notNull(),
    nextSlug: text('next_slug').notNull(),
    base: integer('base').notNull(),
    learners: integer('learners').notNull(),
    successes: integer('successes').notNull(),
  },
  (t) => [primaryKey({ columns: [t.lessonSlug, t.nextSlug] })],
);

/** A learner's latest feedback on one recommendation (from events). */
export const recommendationFeedback = sqliteTable(
  'recommendation_feedback',
  {
    learnerId: text('learner_id').notNull(),
    recommendationId: text('recommendation_id').notNull(),
    action: text('action', { enum: ['accepted', 'dismissed', 'completed'] }).notNull(),
    rating: integer('rating'),
    at: text('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.learnerId, t.recommendationId] })],
);

/** Feedback counts per recommendation over all learners (the exploration's Beta counts). */
export const recommendationStats = sqliteTable('recommendation_stats', {
  recommendationId: text('recommendation_id').primaryKey(),
  accepted: integer('accepted').notNull().default(0),
  dismissed: integer('dismissed').notNull().default(0),
  completed: integer('completed').notNull().default(0),
});

/*
 * Shared aggregates fed by the learner objects' deltas (the AGGREGATES queue). Learner
 * state itself lives in each learner's Durable Object; the learner tables above stay
 * only until every learner has been moved (`npm run learners -- move`).
 */

/** Every graded answer of every learner, for fitting BKT and IRT and for co-completion. */
export const attemptLog = sqliteTable(
  'attempt_log',
  {
    learnerId: text('learner_id').notNull(),
    eventId: text('event_id').notNull(),
    courseId: text('course_id').notNull(),
    itemId: text('item_id').notNull(),
    conceptId: text('concept_id').notNull(),
    lessonSlug: text('lesson_slug').notNull(),
    answer: integer('answer').notNull(),
    correct: integer('correct', { mode: 'boolean' }).notNull(),
    occurredAt: text('occurred_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.learnerId, t.eventId] }),
    index('attempt_log_concept_idx').on(t.conceptId, t.learnerId, t.occurredAt),
  ],
);

/**
 * Every review that scheduled a card (a graded answer or a rated review), from the learner
 * objects: the review log FSRS weights are fitted from. `grade` is FSRS's (1 again to 4 easy).
 */
export const reviewLog = sqliteTable(
  'review_log',
  {
    learnerId: text('learner_id').notNull(),
    eventId: text('event_id').notNull(),
    courseId: text('course_id').notNull(),
    itemId: text('item_id').notNull(),
    grade: integer('grade').notNull(),
    reviewedAt: text('reviewed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.learnerId, t.eventId] }), index('review_log_course_idx').on(t.courseId, t.reviewedAt)],
);

/** When each learner first completed each lesson: what co-completion counts. */
export const lessonCompletions = sqliteTable(
  'lesson_completions',
  {
    learnerId: text('learner_id').notNull(),
    courseId: text('course_id').notNull(),
    lessonSlug: text('lesson_slug').notNull(),
    completedAt: text('completed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.learnerId, t.lessonSlug] }), index('lesson_completions_lesson_idx').on(t.lessonSlug)],
);

/** Active time per lesson per UTC day over all learners (no learner id). */
export const lessonActivityDaily = sqliteTable(
  'lesson_activity_daily',
  {
    courseId: text('course_id').notNull(),
    lessonSlug: text('lesson_slug').notNull(),
    day: text('day').notNull(),
    activeSeconds: integer('active_seconds').notNull().default(0),
    heartbeats: integer('heartbeats').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.courseId, t.lessonSlug, t.day] })],
);

/**
 * The counting deltas already applied, by learner and the object's delta sequence: a
 * redelivered delta finds its receipt and changes nothing. `appliedBy` is the consumer
 * attempt that wrote it (the guarded changes in the same batch check it).
 */
export const aggregateReceipts = sqliteTable(
  'aggregate_receipts',
  {
    learnerId: text('learner_id').notNull(),
    seq: integer('seq').notNull(),
    appliedBy: text('applied_by').notNull(),
    receivedAt: text('received_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.learnerId, t.seq] }), index('aggregate_receipts_received_idx').on(t.receivedAt)],
);

/**
 * Learners who erased their data, by SHA-256 of their id (not the id): deltas of theirs
 * still in the queue are dropped instead of writing the id back into the shared tables.
 */
export const erasedLearners = sqliteTable('erased_learners', {
  learnerHash: text('learner_hash').primaryKey(),
  erasedAt: text('erased_at').notNull(),
});

/**
 * Model generations and their estimated cost per UTC day across all learners: the
 * platform-wide caps beside each learner's budget.
 */
export const modelSpendDaily = sqliteTable('model_spend_daily', {
  day: text('day').primaryKey(),
  generations: integer('generations').notNull().default(0),
  costUsd: real('cost_usd').notNull().default(0),
});

/**
 * Answer ratings per course, engine and reason: each learner's latest rating of each
 * answer counted once (a changed rating moves their vote). Fed by learner objects.
 */
export const answerFeedbackStats = sqliteTable(
  'answer_feedback_stats',
  {
    courseId: text('course_id').notNull(),
    engine: text('engine', { enum: ['offline', 'model'] }).notNull(),
    /** '' for a rating without a reason. */
    reason: text('reason').notNull(),
    up: integer('up').notNull().default(0),
    down: integer('down').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.courseId, t.engine, t.reason] })],
);

/**
 * Every model call, summed per UTC day, feature and model: what `GET /api/admin/usage`
 * reports. No learner is named: it is the platform's bill, not anyone's history.
 */
export const modelUsageDaily = sqliteTable(
  'model_usage_daily',
  {
    day: text('day').notNull(),
    feature: text('feature', { enum: ['answers', 'personalize', 'summaries'] }).notNull(),
    model: text('model').notNull(),
    calls: integer('calls').notNull().default(0),
    failedCalls: integer('failed_calls').notNull().default(0),
    promptTokens: integer('prompt_tokens').notNull().default(0),
    completionTokens: integer('completion_tokens').notNull().default(0),
    costUsd: real('cost_usd').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.feature, t.model] })],
);

/**
 * Which learners (by SHA-256 of their id) have held each canonical preferences hash:
 * personalized entries in KV are keyed by it, so an erase deletes the entries of a
 * preferences hash once no other learner holds it.
 */
export const preferenceHolders = sqliteTable(
  'preference_holders',
  {
    preferencesHash: text('preferences_hash').notNull(),
    learnerHash: text('learner_hash').notNull(),
  },
  (t) => [primaryKey({ columns: [t.preferencesHash, t.learnerHash] }), index('preference_holders_learner').on(t.learnerHash)],
);

/**
 * The course's practice-task library: the variations daily plans are composed from,
 * pushed by authors with the CLI (a push replaces the course's whole library).
 */
export const practiceVariations = sqliteTable(
  'practice_variations',
  {
    courseId: text('course_id').notNull(),
    id: text('id').notNull(),
    position: integer('position').notNull(),
    category: text('category').notNull(),
    variationGroup: text('variation_group').notNull(),
    title: text('title').notNull(),
    instructions: text('instructions').notNull(),
    minutes: integer('minutes').notNull(),
    difficulty: integer('difficulty').notNull(),
    archetypes: text('archetypes', { mode: 'json' }).$type<Record<string, number>>().notNull(),
    modes: text('modes', { mode: 'json' }).$type<Record<string, number>>().notNull(),
    times: text('times', { mode: 'json' }).$type<string[]>().notNull(),
    completes: text('completes', { mode: 'json' }).$type<{ kind: string; count?: number }>().notNull(),
    /** Slugs of the lessons the task builds on (null: none). */
    after: text('after', { mode: 'json' }).$type<string[]>(),
  },
  (t) => [primaryKey({ columns: [t.courseId, t.id] })],
);

/**
 * Which practice library each course has: a hash of its variations, set by the push
 * that replaces them, so a per-isolate copy knows when it is stale (see COURSE_STAMP_SQL).
 */
export const practiceLibraries = sqliteTable('practice_libraries', {
  courseId: text('course_id').primaryKey(),
  hash: text('hash').notNull(),
  updatedAt: text('updated_at').notNull(),
});

/**
 * When each learner with daily plans is next owed a weekly summary (the end of their
 * local week; a week's first plan sends it through the learner object's outbox, see
 * `summary_due`). The cron reads the due ones, has each learner's object build what it is
 * owed, then moves `nextAt` on: a crash between the two builds nothing twice (the
 * object stores a week once) and skips no one (the row stays due).
 */
export const summarySchedule = sqliteTable(
  'summary_schedule',
  {
    learnerId: text('learner_id').primaryKey(),
    nextAt: text('next_at').notNull(),
  },
  (t) => [index('summary_schedule_next_idx').on(t.nextAt)],
);

/**
 * Feature flags the admins define: the value served when no rule matches, and
 * targeting rules (a GrowthBook condition on the learner's attributes, and the value
 * it forces). Published to KV with the running experiments as one payload.
 */
export const flags = sqliteTable('flags', {
  key: text('key').primaryKey(),
  description: text('description').notNull().default(''),
  /** JSON value. */
  defaultValue: text('default_value').notNull(),
  /** JSON: [{ condition, value }], the first match wins. */
  rules: text('rules').notNull().default('[]'),
  updatedAt: text('updated_at').notNull(),
});

/**
 * Experiments on a flag's value: the variants (key, weight, value), coverage,
 * namespace range, targeting, metrics, and for bandits the weights the cron last set.
 * `bucketVersion` is GrowthBook's sticky-bucket version: raising it reassigns everyone.
 */
export const experiments = sqliteTable('experiments', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  hypothesis: text('hypothesis').notNull().default(''),
  flagKey: text('flag_key').notNull(),
  /** JSON: the definition as the admin wrote it (variants, coverage, namespace, condition, metrics, alpha...). */
  definition: text('definition').notNull(),
  kind: text('kind', { enum: ['ab', 'bandit'] }).notNull(),
  status: text('status', { enum: ['draft', 'running', 'stopped'] }).notNull(),
  /** JSON: the traffic weights in force (the definition's, or the bandit's latest). */
  weights: text('weights').notNull(),
  bucketVersion: integer('bucket_version').notNull().default(1),
  startedAt: text('started_at'),
  stoppedAt: text('stopped_at'),
  weightsUpdatedAt: text('weights_updated_at'),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
});

/** Who saw which variant, first exposure only: fed by learner objects' `exposure` deltas (consenting learners only). */
export const experimentExposures = sqliteTable(
  'experiment_exposures',
  {
    experimentId: text('experiment_id').notNull(),
    learnerId: text('learner_id').notNull(),
    variant: text('variant').notNull(),
    exposedAt: text('exposed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.experimentId, t.learnerId] }), index('experiment_exposures_learner').on(t.learnerId)],
);

/**
 * Each consenting learner's activity per course and UTC day, summed from their deltas
 * (receipt-guarded): the rollup that experiment metrics and learner analytics read,
 * never the raw events. Erased with the learner.
 */
export const learnerActivityDaily = sqliteTable(
  'learner_activity_daily',
  {
    learnerId: text('learner_id').notNull(),
    courseId: text('course_id').notNull(),
    day: text('day').notNull(),
    activeSeconds: integer('active_seconds').notNull().default(0),
    completions: integer('completions').notNull().default(0),
    attempts: integer('attempts').notNull().default(0),
    correct: integer('correct').notNull().default(0),
    planDone: integer('plan_done').notNull().default(0),
    planSkipped: integer('plan_skipped').notNull().default(0),
    answersUp: integer('answers_up').notNull().default(0),
    answersDown: integer('answers_down').notNull().default(0),
    recsAccepted: integer('recs_accepted').notNull().default(0),
    /** 1 on the day the learner finished onboarding (course_id '': onboarding is not about a course). */
    onboarded: integer('onboarded').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.learnerId, t.courseId, t.day] }), index('learner_activity_daily_day').on(t.day)],
);

/**
 * Per quiz item over all learners' evidence answers, for item analysis: answers, right
 * ones, and sums of the answering learners' ability before the answer (for the
 * point-biserial discrimination). No learner id.
 */
export const itemStats = sqliteTable(
  'item_stats',
  {
    courseId: text('course_id').notNull(),
    itemId: text('item_id').notNull(),
    answers: integer('answers').notNull().default(0),
    correct: integer('correct').notNull().default(0),
    sumAbility: real('sum_ability').notNull().default(0),
    sumAbilitySquares: real('sum_ability_squares').notNull().default(0),
    sumCorrectAbility: real('sum_correct_ability').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.courseId, t.itemId] })],
);

/** How often each choice of each item was picked (distractor analysis). No learner id. */
export const itemChoiceStats = sqliteTable(
  'item_choice_stats',
  {
    courseId: text('course_id').notNull(),
    itemId: text('item_id').notNull(),
    answer: integer('answer').notNull(),
    picks: integer('picks').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.courseId, t.itemId, t.answer] })],
);

/** Learners who opened and who completed each lesson (completion and drop-off). No learner id. */
export const lessonStats = sqliteTable(
  'lesson_stats',
  {
    courseId: text('course_id').notNull(),
    lessonSlug: text('lesson_slug').notNull(),
    started: integer('started').notNull().default(0),
    completed: integer('completed').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.courseId, t.lessonSlug] })],
);

/**
 * The learner model's predictions against what happened, per UTC day, course, model (`bkt`: P(right)
 * before an answer; `fsrs`: predicted recall before a review; `engagement`: a plan task's completion chance before its outcome; `lesson_engagement`: an offered lesson's, before the week after the offer tells), segment ('' for everyone,
 * `background:<b>`, `experience:<e>`) and twentieth of the prediction (bin 0 to 19): enough
 * for AUC, log-loss and calibration over any days without the answers themselves. No learner id.
 */
export const predictionBins = sqliteTable(
  'prediction_bins',
  {
    day: text('day').notNull(),
    model: text('model', { enum: ['bkt', 'fsrs', 'engagement', 'lesson_engagement'] }).notNull(),
    /** The course the prediction was made in ('' for predictions recorded before courses were kept). */
    courseId: text('course_id').notNull().default(''),
    segment: text('segment').notNull(),
    bin: integer('bin').notNull(),
    n: integer('n').notNull().default(0),
    positives: integer('positives').notNull().default(0),
    sumPredicted: real('sum_predicted').notNull().default(0),
    sumLogLoss: real('sum_log_loss').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.model, t.courseId, t.segment, t.bin] })],
);

/** Daily-plan tasks done and skipped per UTC day, course and category (from each task's first outcome). No learner id. */
export const planCategoryDaily = sqliteTable(
  'plan_category_daily',
  {
    day: text('day').notNull(),
    courseId: text('course_id').notNull(),
    category: text('category').notNull(),
    done: integer('done').notNull().default(0),
    skipped: integer('skipped').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.courseId, t.category] })],
);

/**
 * Analytics reads computed by the cron (or the first read after they aged out), kept as
 * the JSON the route returns: the overview and each running experiment's results read
 * one row instead of scanning the rollups on every request. No learner id.
 */
export const analyticsSnapshots = sqliteTable('analytics_snapshots', {
  key: text('key').primaryKey(),
  computedAt: text('computed_at').notNull(),
  body: text('body').notNull(),
});

/**
 * Choices among offered lessons, the log the ranker's weights are learned from: each row
 * one list a learner took a lesson from (each offered lesson's signal values and bonus,
 * packed in `SIGNALS` order, and the index taken). No learner id: shared training data.
 */
export const rankerChoices = sqliteTable(
  'ranker_choices',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    courseId: text('course_id').notNull(),
    day: text('day').notNull(),
    chosen: integer('chosen').notNull(),
    options: text('options', { mode: 'json' }).$type<number[][]>().notNull(),
  },
  (t) => [index('ranker_choices_course_day').on(t.courseId, t.day)],
);

/** Each refit of a course's ranker weights (the newest is in use when the `recs.weights` decision is "learned"). */
export const rankerWeights = sqliteTable(
  'ranker_weights',
  {
    courseId: text('course_id').notNull(),
    version: integer('version').notNull(),
    fittedAt: text('fitted_at').notNull(),
    weights: text('weights', { mode: 'json' }).$type<Record<string, number>>().notNull(),
    /** The fit's report: choices, sharpness, held-out log-loss and top-1, per-signal estimates and steps. */
    fit: text('fit', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.courseId, t.version] })],
);

/** Recommendations offered, accepted and dismissed per day, course and the first reason each item was given. */
export const recommendationReasonDaily = sqliteTable(
  'recommendation_reason_daily',
  {
    day: text('day').notNull(),
    courseId: text('course_id').notNull(),
    reason: text('reason').notNull(),
    impressions: integer('impressions').notNull().default(0),
    accepted: integer('accepted').notNull().default(0),
    dismissed: integer('dismissed').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.courseId, t.reason] })],
);

/**
 * Search queries that found nothing, normalized (lower case, single spaces, at most 120
 * characters), per day and the course searched ('' for a search across the catalog). No learner id.
 */
export const searchMisses = sqliteTable(
  'search_misses',
  {
    day: text('day').notNull(),
    courseId: text('course_id').notNull().default(''),
    query: text('query').notNull(),
    searches: integer('searches').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.courseId, t.query] })],
);

/**
 * Model requests answered offline because a daily budget was spent, per day, course (''
 * when the request was about none: a weekly summary, an answer across the catalog),
 * feature and budget (the learner's or the platform's).
 */
export const budgetHitsDaily = sqliteTable(
  'budget_hits_daily',
  {
    day: text('day').notNull(),
    courseId: text('course_id').notNull().default(''),
    feature: text('feature').notNull(),
    reason: text('reason').notNull(),
    hits: integer('hits').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.courseId, t.feature, t.reason] })],
);

/** Learners at each mastery level of each concept (those who answered on it at least once): the mastery distribution. */
export const conceptMasteryLevels = sqliteTable(
  'concept_mastery_levels',
  {
    courseId: text('course_id').notNull(),
    conceptId: text('concept_id').notNull(),
    level: text('level').notNull(),
    learners: integer('learners').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.courseId, t.conceptId, t.level] })],
);
