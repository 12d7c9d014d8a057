import { and, asc, eq, inArray, lt, ne, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
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
  replacesCourse: string | null;
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
export interface ContentStore {
  currentCourse(): Promise<{ id: string; version: number; manifestHash: string } | null>;
  fingerprints(): Promise<LessonFingerprint[]>;
  knownBlobs(hashes: string[]): Promise<Set<string>>;
  /** How many learners completed any of these lessons (from the shared completions). */
  learnersWithProgress(slugs: readonly string[]): Promise<number>;
  recordBlob(blob: { hash: string; size: number; contentType: string }, now: string): Promise<boolean>;
  blobContentType(hash: string): Promise<string | null>;
  /**
   * Applies a checked manifest in one D1 batch and returns the new course version,
   * or null when another push committed since `baseVersion` (nothing was written).
   */
  apply(input: ApplyInput): Promise<number | null>;
  bookRows(): Promise<BookRows | null>;
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
      const row = await db.query.courses.findFirst({ columns: { id: true, version: true, manifestHash: true } });
      return row ?? null;
    },

    async fingerprints() {
      return db
        .select({ slug: t.lessons.slug, contentHash: t.lessons.contentHash, metaHash: t.lessons.metaHash })
        .from(t.lessons);
    },

    async learnersWithProgress(slugs) {
      if (slugs.length === 0) return 0;
      const [row] = await db
        .select({ n: sql<number>`count(DISTINCT ${t.lessonCompletions.learnerId})` })
        .from(t.lessonCompletions)
        .where(sql`${t.lessonCompletions.lessonSlug} IN (SELECT value FROM json_each(${JSON.stringify(slugs)}))`);
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

    async bookRows() {
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
          .limit(1),
        db
          .select({
            id: t.parts.id,
            slug: t.parts.slug,
            title: t.parts.title,
            summary: t.parts.summary,
            position: t.parts.position,
          })
          .from(t.parts),
        db
          .select({
            id: t.chapters.id,
            partId: t.chapters.partId,
            slug: t.chapters.slug,
            title: t.chapters.title,
            summary: t.chapters.summary,
            position: t.chapters.position,
          })
          .from(t.chapters),
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
          .from(t.lessons),
        db.select().from(t.lessonPrerequisites),
        db.select().from(t.lessonConcepts),
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
  lessonSlug: string;
  title: string;
  partSlug: string;
  partTitle: string;
  chapterSlug: string;
  chapterTitle: string;
}

/**
 * Names the course's current content (`stamp`) for copies kept per isolate, and gives
 * the course id. It changes when a push changes the course (its version and manifest
 * hash), when a practice library is pushed (its hash), and as lessons are ingested
 * (between two pushes, the lessons not yet ingested only ever get fewer). Indexed:
 * reading it costs no scan of the lessons.
 */
export const COURSE_STAMP_SQL = `SELECT
  coalesce((SELECT group_concat(id || ':' || version || ':' || manifest_hash) FROM courses), '')
    || '|' || coalesce((SELECT group_concat(course_id || ':' || hash) FROM practice_libraries), '')
    || '|' || (SELECT count(*) FROM lessons WHERE ingest_status IN ('pending', 'failed')) AS stamp,
  (SELECT min(id) FROM courses) AS course_id`;

/** The course's lessons with their part and chapter, in course order (one D1 query). */
export async function courseOutline(d1: D1Database): Promise<OutlineLesson[]> {
  const { results } = await d1
    .prepare(
      `SELECT l.slug AS lessonSlug, l.title, p.slug AS partSlug, p.title AS partTitle, c.slug AS chapterSlug,
         c.title AS chapterTitle
       FROM lessons l JOIN chapters c ON c.id = l.chapter_id JOIN parts p ON p.id = c.part_id
       ORDER BY p.position, c.position, l.position`,
    )
    .all<OutlineLesson>();
  return results;
}
