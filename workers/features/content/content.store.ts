import { and, asc, eq, inArray, lt, ne, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Db } from '../../db/client';
import * as t from '../../db/schema';
import type { BookRows, LessonFingerprint } from './content.domain';
import type { MarkdownStats } from './content.markdown';
import { chunk, pushStatements } from './content-push.store';
import type { Manifest, PlanSummary } from './content.schemas';

export interface ApplyInput {
  manifest: Manifest;
  summary: PlanSummary;
  metaHashes: Map<string, string>;
  manifestHash: string;
  /** The course version the push was planned against (0 for a new course). */
  baseVersion: number;
  now: string;
}

export interface LessonRecord {
  slug: string;
  objectives: string[];
  updatedAt: string;
  ingest: {
    status: 'pending' | 'ingested' | 'failed';
    error: string | null;
    wordCount: number | null;
    readingMinutes: number | null;
    outline: { depth: number; text: string; anchor: string }[];
  };
  quiz: { id: string; question: string; choices: string[]; concept: string | null }[];
}

/** Port over the content tables. */
/** A course's id, its version and the hash of its last applied manifest. */
export interface CourseHead {
  id: string;
  version: number;
  manifestHash: string;
}

/**
 * The deployment's default course: the first pushed (the oldest row), which the routes
 * without a course name serve and the learner model ranks over.
 */
export const DEFAULT_COURSE_SQL = '(SELECT id FROM courses ORDER BY rowid LIMIT 1)';

/** The course bound to its one `?` when the catalog holds it, else the default course (`DEFAULT_COURSE_SQL`). */
export const COURSE_OR_DEFAULT_SQL = `coalesce((SELECT id FROM courses WHERE id = ?), ${DEFAULT_COURSE_SQL})`;

export interface ContentStore {
  /** The default course (`DEFAULT_COURSE_SQL`), or null before any push. */
  currentCourse(): Promise<CourseHead | null>;
  /** One course of the catalog, or null. */
  course(courseId: string): Promise<CourseHead | null>;
  /** Every course's id, the default first, then in the order they were first pushed. */
  courseIds(): Promise<string[]>;
  /** The stored lessons of one course. */
  fingerprints(courseId: string): Promise<LessonFingerprint[]>;
  /** Lesson slugs and quiz item ids among these that another course than `courseId` holds (ids are catalog-wide). */
  heldElsewhere(
    courseId: string,
    lessonSlugs: readonly string[],
    quizIds: readonly string[],
  ): Promise<{ kind: 'lesson' | 'quiz'; id: string; courseId: string }[]>;
  knownBlobs(hashes: string[]): Promise<Set<string>>;
  /** A course as its removal shows it: title, version, lessons, and how many learners have progress in it; null when unknown. */
  courseSummary(
    courseId: string,
  ): Promise<{ slug: string; title: string; version: number; lessons: number; learnersWithProgress: number } | null>;
  /**
   * Removes a course and everything of its content in one D1 batch: lessons with their
   * quiz items, prerequisites, concepts links and search chunks (their vectors are queued
   * for deletion), parts, chapters, versions and its practice library. False when unknown.
   */
  removeCourse(courseId: string): Promise<boolean>;
  /** How many learners completed any of these lessons (from the shared completions). */
  learnersWithProgress(slugs: readonly string[]): Promise<number>;
  recordBlob(blob: { hash: string; size: number; contentType: string }, now: string): Promise<boolean>;
  blobContentType(hash: string): Promise<string | null>;
  /**
   * Applies a checked manifest in one D1 batch and returns the new course version,
   * or null when another push committed since `baseVersion` (nothing was written).
   */
  apply(input: ApplyInput): Promise<number | null>;
  bookRows(courseId: string): Promise<BookRows | null>;
  lessonRecord(slug: string): Promise<LessonRecord | null>;
  lessonHash(slug: string): Promise<string | null>;
  /** Each lesson's section headings (its level-2 headings; none before it is ingested), by slug. */
  lessonSections(): Promise<Map<string, string[]>>;
  /** The course a lesson belongs to; null for an unknown lesson. */
  lessonCourse(slug: string): Promise<string | null>;
  /** Stores ingest results only if the lesson still has this content hash (a newer push wins). */
  markIngested(slug: string, contentHash: string, stats: MarkdownStats, now: string): Promise<boolean>;
  /** Records why an ingest attempt failed; the lesson stays pending for the retry. */
  recordIngestError(slug: string, contentHash: string, error: string, now: string): Promise<void>;
  /** Marks the lesson failed after its last retry, keeping the last attempt's reason. */
  markIngestFailed(slug: string, contentHash: string, now: string): Promise<void>;
  pendingSince(before: string): Promise<{ slug: string; contentHash: string }[]>;
  /** Puts every failed lesson back to pending (error kept until it succeeds); returns them. */
  resetFailed(now: string): Promise<{ slug: string; contentHash: string }[]>;
}

export function createD1ContentStore(db: Db): ContentStore {
  return {
    async currentCourse() {
      const row = await db.query.courses.findFirst({
        columns: { id: true, version: true, manifestHash: true },
        where: sql`${t.courses.id} = ${sql.raw(DEFAULT_COURSE_SQL)}`,
      });
      return row ?? null;
    },

    async course(courseId) {
      const row = await db.query.courses.findFirst({
        columns: { id: true, version: true, manifestHash: true },
        where: eq(t.courses.id, courseId),
      });
      return row ?? null;
    },

    async courseIds() {
      const rows = await db
        .select({ id: t.courses.id })
        .from(t.courses)
        .orderBy(sql`rowid`);
      return rows.map((r) => r.id);
    },

    async fingerprints(courseId) {
      return db
        .select({ slug: t.lessons.slug, contentHash: t.lessons.contentHash, metaHash: t.lessons.metaHash })
        .from(t.lessons)
        .where(eq(t.lessons.courseId, courseId));
    },

    async heldElsewhere(courseId, lessonSlugs, quizIds) {
      const held: { kind: 'lesson' | 'quiz'; id: string; courseId: string }[] = [];
      const [lessons, items] = await db.batch([
        db
          .select({ id: t.lessons.slug, courseId: t.lessons.courseId })
          .from(t.lessons)
          .where(and(inJsonList(t.lessons.slug, lessonSlugs), ne(t.lessons.courseId, courseId))),
        db
          .select({ id: t.quizItems.id, courseId: t.lessons.courseId })
          .from(t.quizItems)
          .innerJoin(t.lessons, eq(t.lessons.slug, t.quizItems.lessonSlug))
          .where(and(inJsonList(t.quizItems.id, quizIds), ne(t.lessons.courseId, courseId))),
      ]);
      for (const r of lessons) held.push({ kind: 'lesson', ...r });
      for (const r of items) held.push({ kind: 'quiz', ...r });
      return held;
    },

    async courseSummary(courseId) {
      const [courses, lessons, learners] = await db.batch([
        db
          .select({ slug: t.courses.id, title: t.courses.title, version: t.courses.version })
          .from(t.courses)
          .where(eq(t.courses.id, courseId)),
        db
          .select({ n: sql<number>`count(*)` })
          .from(t.lessons)
          .where(eq(t.lessons.courseId, courseId)),
        // A learner with any activity or completion in the course (one count each).
        db
          .select({
            n: sql<number>`(SELECT count(*) FROM (
              SELECT learner_id FROM learner_activity_daily WHERE course_id = ${courseId}
              UNION SELECT learner_id FROM lesson_completions WHERE course_id = ${courseId}))`,
          })
          .from(t.courses)
          .where(eq(t.courses.id, courseId)),
      ]);
      const course = courses[0];
      if (!course) return null;
      return { ...course, lessons: lessons[0]?.n ?? 0, learnersWithProgress: learners[0]?.n ?? 0 };
    },

    async removeCourse(courseId) {
      const results = await db.batch([
        db.delete(t.chunks).where(and(eq(t.chunks.itemKind, 'lesson'), lessonOf(t.chunks.itemId, courseId))),
        db.delete(t.itemConcepts).where(and(eq(t.itemConcepts.itemKind, 'lesson'), lessonOf(t.itemConcepts.itemId, courseId))),
        // Prerequisites, concept links and quiz items go with their lesson (foreign keys cascade).
        db.delete(t.lessons).where(eq(t.lessons.courseId, courseId)),
        db.delete(t.practiceVariations).where(eq(t.practiceVariations.courseId, courseId)),
        db.delete(t.practiceLibraries).where(eq(t.practiceLibraries.courseId, courseId)),
        // Parts, chapters and versions cascade from the course.
        db.delete(t.courses).where(eq(t.courses.id, courseId)).returning({ id: t.courses.id }),
      ]);
      return (results.at(-1) as { id: string }[] | undefined)?.length === 1;
    },

    async learnersWithProgress(slugs) {
      if (slugs.length === 0) return 0;
      const [row] = await db
        .select({ n: sql<number>`count(DISTINCT ${t.lessonCompletions.learnerId})` })
        .from(t.lessonCompletions)
        .where(inJsonList(t.lessonCompletions.lessonSlug, slugs));
      return row?.n ?? 0;
    },

    async knownBlobs(hashes) {
      const found = new Set<string>();
      for (const part of chunk([...new Set(hashes)], 1)) {
        const rows = await db.select({ hash: t.blobs.hash }).from(t.blobs).where(inArray(t.blobs.hash, part));
        rows.forEach((r) => found.add(r.hash));
      }
      return found;
    },

    async recordBlob(blob, now) {
      const inserted = await db
        .insert(t.blobs)
        .values({ ...blob, createdAt: now })
        .onConflictDoNothing()
        .returning({ hash: t.blobs.hash });
      return inserted.length > 0;
    },

    async blobContentType(hash) {
      const row = await db.query.blobs.findFirst({ columns: { contentType: true }, where: eq(t.blobs.hash, hash) });
      return row?.contentType ?? null;
    },

    async apply(input) {
      const stmts = pushStatements(db, input);
      try {
        await db.batch(stmts as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]);
      } catch (error) {
        if (isVersionConflict(error)) return null;
        throw error;
      }
      return input.baseVersion + 1;
    },

    async bookRows(courseId) {
      const [courses, parts, chapters, lessons, prerequisites, concepts] = await db.batch([
        db
          .select({
            id: t.courses.id,
            title: t.courses.title,
            summary: t.courses.summary,
            version: t.courses.version,
            language: t.courses.language,
          })
          .from(t.courses)
          .where(eq(t.courses.id, courseId)),
        db
          .select({
            id: t.parts.id,
            slug: t.parts.slug,
            title: t.parts.title,
            summary: t.parts.summary,
            position: t.parts.position,
          })
          .from(t.parts)
          .where(eq(t.parts.courseId, courseId)),
        db
          .select({
            id: t.chapters.id,
            partId: t.chapters.partId,
            slug: t.chapters.slug,
            title: t.chapters.title,
            summary: t.chapters.summary,
            position: t.chapters.position,
          })
          .from(t.chapters)
          .where(eq(t.chapters.courseId, courseId)),
        db
          .select({
            slug: t.lessons.slug,
            chapterId: t.lessons.chapterId,
            position: t.lessons.position,
            title: t.lessons.title,
            layer: t.lessons.layer,
            minutes: t.lessons.minutes,
            difficulty: t.lessons.difficulty,
            summary: t.lessons.summary,
            contentHash: t.lessons.contentHash,
          })
          .from(t.lessons)
          .where(eq(t.lessons.courseId, courseId)),
        db.select().from(t.lessonPrerequisites).where(lessonOf(t.lessonPrerequisites.lessonSlug, courseId)),
        db.select().from(t.lessonConcepts).where(lessonOf(t.lessonConcepts.lessonSlug, courseId)),
      ]);
      const course = courses[0];
      if (!course) return null;
      return { course, parts, chapters, lessons, prerequisites, concepts };
    },

    async lessonSections() {
      const rows = await db.select({ slug: t.lessons.slug, outline: t.lessons.outline }).from(t.lessons);
      return new Map(rows.map((r) => [r.slug, (r.outline ?? []).filter((h) => h.depth === 2).map((h) => h.text)]));
    },

    async lessonRecord(slug) {
      const [lessonRows, quizRows] = await db.batch([
        db.select().from(t.lessons).where(eq(t.lessons.slug, slug)),
        db.select().from(t.quizItems).where(eq(t.quizItems.lessonSlug, slug)).orderBy(asc(t.quizItems.position)),
      ]);
      const row = lessonRows[0];
      if (!row) return null;
      return {
        slug: row.slug,
        objectives: row.objectives,
        updatedAt: row.updatedAt,
        ingest: ingestOf(row),
        quiz: quizRows.map((q) => ({ id: q.id, question: q.question, choices: q.choices, concept: q.conceptId })),
      };
    },

    async lessonHash(slug) {
      const row = await db.query.lessons.findFirst({ columns: { contentHash: true }, where: eq(t.lessons.slug, slug) });
      return row?.contentHash ?? null;
    },

    async lessonCourse(slug) {
      const row = await db.query.lessons.findFirst({ columns: { courseId: true }, where: eq(t.lessons.slug, slug) });
      return row?.courseId ?? null;
    },

    async markIngested(slug, contentHash, stats, now) {
      const updated = await db
        .update(t.lessons)
        .set({ ingestStatus: 'ingested', ingestError: null, ingestedHash: contentHash, ...stats, updatedAt: now })
        .where(and(eq(t.lessons.slug, slug), eq(t.lessons.contentHash, contentHash)))
        .returning({ slug: t.lessons.slug });
      return updated.length > 0;
    },

    async recordIngestError(slug, contentHash, error, now) {
      await db
        .update(t.lessons)
        .set({ ingestError: error.slice(0, 1000), updatedAt: now })
        .where(notIngested(slug, contentHash));
    },

    async markIngestFailed(slug, contentHash, now) {
      await db
        .update(t.lessons)
        .set({
          ingestStatus: 'failed',
          ingestError: sql`'gave up after retries: ' || coalesce(${t.lessons.ingestError}, 'unknown error')`,
          updatedAt: now,
        })
        .where(notIngested(slug, contentHash));
    },

    async resetFailed(now) {
      return db
        .update(t.lessons)
        .set({ ingestStatus: 'pending', updatedAt: now })
        .where(eq(t.lessons.ingestStatus, 'failed'))
        .returning({ slug: t.lessons.slug, contentHash: t.lessons.contentHash });
    },

    async pendingSince(before) {
      return db
        .select({ slug: t.lessons.slug, contentHash: t.lessons.contentHash })
        .from(t.lessons)
        .where(and(eq(t.lessons.ingestStatus, 'pending'), lt(t.lessons.updatedAt, before)));
    },
  };
}

/** A column holding a lesson slug (or an item id that is one) names a lesson of `courseId`. */
function lessonOf(column: SQLiteColumn, courseId: string) {
  return sql`${column} IN (SELECT slug FROM lessons WHERE course_id = ${courseId})`;
}

/** A column's value is one of `values` (one bound JSON parameter, however many values: D1 binds at most 100). */
function inJsonList(column: SQLiteColumn, values: readonly string[]) {
  return sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`;
}

/** The course_versions primary key refused a second commit from the same base version. */
function isVersionConflict(error: unknown): boolean {
  const text = `${error instanceof Error ? error.message : ''} ${error instanceof Error && error.cause instanceof Error ? error.cause.message : ''}`;
  return /UNIQUE constraint failed: course_versions/.test(text);
}

/** This lesson version, unless ingested: a failing duplicate job must not undo another copy's success. */
function notIngested(slug: string, contentHash: string) {
  return and(eq(t.lessons.slug, slug), eq(t.lessons.contentHash, contentHash), ne(t.lessons.ingestStatus, 'ingested'));
}

function ingestOf(row: typeof t.lessons.$inferSelect): LessonRecord['ingest'] {
  return {
    status: row.ingestStatus,
    error: row.ingestError,
    wordCount: row.wordCount,
    readingMinutes: row.readingMinutes,
    outline: row.outline ?? [],
  };
}

/** One lesson of the course outline, in course order. */
export interface OutlineLesson {
  courseId: string;
  lessonSlug: string;
  title: string;
  partSlug: string;
  partTitle: string;
  chapterSlug: string;
  chapterTitle: string;
}

/**
 * Names the catalog's current content (`stamp`) for copies kept per isolate, and gives
 * the id of the course bound to its one `?` (see COURSE_OR_DEFAULT_SQL). It changes when a push changes the course (its version and manifest
 * hash), when a practice library is pushed (its hash), and as lessons are ingested
 * (between two pushes, the lessons not yet ingested only ever get fewer). Indexed:
 * reading it costs no scan of the lessons.
 */
export const COURSE_STAMP_SQL = `SELECT
  coalesce((SELECT group_concat(id || ':' || version || ':' || manifest_hash) FROM courses), '')
    || '|' || coalesce((SELECT group_concat(course_id || ':' || hash) FROM practice_libraries), '')
    || '|' || (SELECT count(*) FROM lessons WHERE ingest_status IN ('pending', 'failed')) AS stamp,
  ${COURSE_OR_DEFAULT_SQL} AS course_id`;

/** A course's lessons (`courseId` when the catalog holds it, else the default course's) with their part and chapter, in course order (one D1 query). */
export async function courseOutline(d1: D1Database, courseId?: string): Promise<OutlineLesson[]> {
  const { results } = await d1
    .prepare(
      `SELECT l.course_id AS courseId, l.slug AS lessonSlug, l.title, p.slug AS partSlug, p.title AS partTitle, c.slug AS chapterSlug,
         c.title AS chapterTitle
       FROM lessons l JOIN chapters c ON c.id = l.chapter_id JOIN parts p ON p.id = c.part_id
       WHERE l.course_id = ${COURSE_OR_DEFAULT_SQL}
       ORDER BY p.position, c.position, l.position`,
    )
    .bind(courseId ?? null)
    .all<OutlineLesson>();
  return results;
}
