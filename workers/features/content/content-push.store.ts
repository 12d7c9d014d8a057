import { and, eq, inArray, notExists, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Db } from '../../db/client';
import * as t from '../../db/schema';
import { lessonConcepts, quizItemId } from './content.domain';
import type { ApplyInput } from './content.store';
import { labelOfId } from '../concepts/concepts.labels';
import type { LessonInput } from './content.schemas';

/** D1 caps bound parameters at 100 per statement; multi-row inserts are cut to fit. */
const MAX_PARAMS = 100;
export function chunk<T>(rows: T[], columns: number): T[][] {
  const size = Math.max(1, Math.floor(MAX_PARAMS / columns));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/**
 * Every write of one push, in order, for a single D1 batch: it commits whole or
 * not at all. Structure is upserted, changed lessons and their child rows are
 * replaced, pruned lessons deleted, and sections left without lessons removed.
 */
export function pushStatements(
  db: Db,
  { manifest, summary, metaHashes, manifestHash, baseVersion, now }: ApplyInput,
): BatchItem<'sqlite'>[] {
  const courseId = manifest.course.slug;
  const partId = (slug: string) => `${courseId}/${slug}`;
  const chapterId = (part: string, slug: string) => `${courseId}/${part}/${slug}`;
  const touched = new Set([...summary.added, ...summary.changed]);
  const lessons = manifest.lessons.filter((l) => touched.has(l.slug));
  const stmts: BatchItem<'sqlite'>[] = [];

  stmts.push(
    db
      .insert(t.courses)
      .values({
        id: courseId,
        title: manifest.course.title,
        summary: manifest.course.summary,
        language: manifest.course.language ?? null,
        version: baseVersion + 1,
        manifestHash,
        updatedAt: now,
      })
      .onConflictDoUpdate({
        target: t.courses.id,
        set: {
          title: manifest.course.title,
          summary: manifest.course.summary,
          language: manifest.course.language ?? null,
          version: baseVersion + 1,
          manifestHash,
          updatedAt: now,
        },
      }),
  );
  stmts.push(
    db.insert(t.courseVersions).values({
      courseId,
      version: baseVersion + 1,
      manifestHash,
      added: summary.added.length,
      changed: summary.changed.length,
      removed: summary.removed.length,
      committedAt: now,
    }),
  );
  // The course's links to other courses' concepts are what this push declares, no more.
  stmts.push(db.delete(t.conceptLinks).where(eq(t.conceptLinks.courseId, courseId)));
  const links = (manifest.course.conceptLinks ?? []).map((l) => ({
    courseId,
    conceptId: l.concept,
    linkedCourseId: l.course,
    linkedConceptId: l.courseConcept ?? l.concept,
  }));
  for (const rows of chunk(links, 4)) stmts.push(db.insert(t.conceptLinks).values(rows));
  for (const rows of chunk(manifest.parts, 6)) {
    stmts.push(
      db
        .insert(t.parts)
        .values(
          rows.map((p) => ({
            id: partId(p.slug),
            courseId,
            slug: p.slug,
            title: p.title,
            summary: p.summary,
            position: p.position,
          })),
        )
        .onConflictDoUpdate({
          target: t.parts.id,
          set: { title: sql`excluded.title`, summary: sql`excluded.summary`, position: sql`excluded.position` },
        }),
    );
  }
  for (const rows of chunk(manifest.chapters, 7)) {
    stmts.push(
      db
        .insert(t.chapters)
        .values(
          rows.map((c) => ({
            id: chapterId(c.partSlug, c.slug),
            courseId,
            partId: partId(c.partSlug),
            slug: c.slug,
            title: c.title,
            summary: c.summary,
            position: c.position,
          })),
        )
        .onConflictDoUpdate({
          target: t.chapters.id,
          set: { title: sql`excluded.title`, summary: sql`excluded.summary`, position: sql`excluded.position` },
        }),
    );
  }
  if (summary.removed.length > 0) {
    for (const rows of chunk(summary.removed, 1)) {
      stmts.push(db.delete(t.lessons).where(inArray(t.lessons.slug, rows)));
      stmts.push(db.delete(t.chunks).where(and(eq(t.chunks.itemKind, 'lesson'), inArray(t.chunks.itemId, rows))));
      stmts.push(
        db.delete(t.itemConcepts).where(and(eq(t.itemConcepts.itemKind, 'lesson'), inArray(t.itemConcepts.itemId, rows))),
      );
    }
  }
  if (lessons.length > 0) {
    // Child rows of a changed lesson are replaced whole.
    for (const slugs of chunk(
      lessons.map((l) => l.slug),
      1,
    )) {
      stmts.push(
        db.delete(t.lessonPrerequisites).where(inArray(t.lessonPrerequisites.lessonSlug, slugs)),
        db.delete(t.lessonConcepts).where(inArray(t.lessonConcepts.lessonSlug, slugs)),
        db.delete(t.quizItems).where(inArray(t.quizItems.lessonSlug, slugs)),
      );
    }
    for (const rows of chunk(lessons, 21)) {
      stmts.push(
        db
          .insert(t.lessons)
          .values(
            rows.map((l) => lessonRow(l, courseId, chapterId(l.partSlug, l.chapterSlug), metaHashes.get(l.slug) ?? '', now)),
          )
          .onConflictDoUpdate({
            target: t.lessons.slug,
            set: {
              ...Object.fromEntries(
                [
                  'course_id',
                  'chapter_id',
                  'position',
                  'title',
                  'layer',
                  'difficulty',
                  'minutes',
                  'summary',
                  'objectives',
                  'source_path',
                  'content_hash',
                  'meta_hash',
                  'ingest_status',
                  'ingest_error',
                  'updated_at',
                ].map((column) => [camel(column), sql.raw(`excluded.${column}`)]),
              ),
              // Stats of the old text go with it; a metadata-only change keeps them until re-ingested.
              ...Object.fromEntries(
                ['word_count', 'reading_minutes', 'outline', 'ingested_hash'].map((column) => [
                  camel(column),
                  sql.raw(`CASE WHEN excluded.content_hash = lessons.content_hash THEN lessons.${column} ELSE NULL END`),
                ]),
              ),
            },
          }),
      );
    }
    const concepts = lessonConcepts(lessons);
    for (const rows of chunk(concepts, 2)) {
      stmts.push(
        db
          .insert(t.concepts)
          .values(rows.map((id) => ({ id, label: labelOfId(id) })))
          .onConflictDoNothing(),
      );
    }
    // The course's own concepts: labelled from the slug until its lessons' text says how they write them (ingest).
    for (const rows of chunk(concepts, 3)) {
      stmts.push(
        db
          .insert(t.courseConcepts)
          .values(rows.map((conceptId) => ({ courseId, conceptId, label: labelOfId(conceptId) })))
          .onConflictDoNothing(),
      );
    }
    const prereqRows = lessons.flatMap((l) =>
      l.prerequisites.map((p, i) => ({ lessonSlug: l.slug, prerequisiteSlug: p, position: i })),
    );
    for (const rows of chunk(prereqRows, 3)) stmts.push(db.insert(t.lessonPrerequisites).values(rows));
    const conceptRows = lessons.flatMap((l) => l.concepts.map((c, i) => ({ lessonSlug: l.slug, conceptId: c, position: i })));
    for (const rows of chunk(conceptRows, 3)) stmts.push(db.insert(t.lessonConcepts).values(rows));
    const quizRows = lessons.flatMap((l) =>
      l.quiz.map((q, i) => ({
        id: quizItemId(l.slug, q.id, i),
        lessonSlug: l.slug,
        position: i,
        question: q.question,
        choices: q.choices,
        answer: q.answer,
        explanation: q.explanation,
        conceptId: q.concept ?? null,
        difficulty: q.difficulty ?? null,
      })),
    );
    for (const rows of chunk(quizRows, 9)) stmts.push(db.insert(t.quizItems).values(rows));
  }
  // Chapters and parts that lost their last lesson go; kept lessons keep theirs.
  stmts.push(
    db.delete(t.chapters).where(
      and(
        eq(t.chapters.courseId, courseId),
        notExists(
          db
            .select({ one: sql`1` })
            .from(t.lessons)
            .where(eq(t.lessons.chapterId, t.chapters.id)),
        ),
      ),
    ),
  );
  stmts.push(
    db.delete(t.parts).where(
      and(
        eq(t.parts.courseId, courseId),
        notExists(
          db
            .select({ one: sql`1` })
            .from(t.chapters)
            .where(eq(t.chapters.partId, t.parts.id)),
        ),
      ),
    ),
  );
  return stmts;
}

function camel(column: string): string {
  return column.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
}

function lessonRow(
  l: LessonInput,
  courseId: string,
  chapterId: string,
  metaHash: string,
  now: string,
): typeof t.lessons.$inferInsert {
  return {
    slug: l.slug,
    courseId,
    chapterId,
    position: l.position,
    title: l.title,
    layer: l.layer,
    difficulty: l.difficulty,
    minutes: l.minutes,
    summary: l.summary,
    objectives: l.objectives,
    sourcePath: l.sourcePath,
    contentHash: l.contentHash,
    metaHash,
    ingestStatus: 'pending',
    ingestError: null,
    updatedAt: now,
  };
}
