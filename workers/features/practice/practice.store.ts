import { and, asc, eq, gte, lte, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Db } from '../../db/client';
import * as t from '../../db/schema';
import { sha256Hex } from '../../platform/sha256';
import { CATEGORIES, VariationSchema, type Variation } from './practice.schemas';
import type { CompletionRates } from './signals.domain';

/** Port over the practice-task library and the weekly summaries schedule in D1. */
export interface PracticeStore {
  /** Replaces the course's whole library in one batch, with its hash: it commits whole or not at all. */
  replaceLibrary(courseId: string, variations: readonly Variation[], at: string): Promise<void>;
  /** The course's library in the order it was pushed. */
  library(courseId: string): Promise<Variation[]>;
  /**
   * The course's share of plan tasks completed (over completed and skipped) since `since`
   * (YYYY-MM-DD), overall and per category; null where fewer than `COURSE_RATE_MIN` tasks had an outcome.
   */
  completionRates(courseId: string, since: string): Promise<CompletionRates>;
  /** Learners due a weekly summary at `now`, soonest first (at most `limit`). */
  dueSummaries(now: string, limit: number): Promise<string[]>;
  /** Moves a learner's next summary to `nextAt`, or (null) takes them off the schedule. */
  setSummaryDue(learnerId: string, nextAt: string | null): Promise<void>;
}

/** Fewest task outcomes behind a course-wide completion rate (else the planner's default stands in). */
export const COURSE_RATE_MIN = 20;

/** Rows per insert: D1 binds at most 100 parameters per statement (14 columns a row). */
const ROWS_PER_INSERT = 7;

export function createD1PracticeStore(db: Db): PracticeStore {
  return {
    async replaceLibrary(courseId, variations, at) {
      const rows = variations.map((v, position) => ({
        courseId,
        id: v.id,
        position,
        category: v.category,
        variationGroup: v.group,
        title: v.title,
        instructions: v.instructions,
        minutes: v.minutes,
        difficulty: v.difficulty,
        archetypes: v.archetypes,
        modes: v.modes,
        times: v.times,
        completes: v.completes,
        after: v.after ?? null,
      }));
      const inserts: BatchItem<'sqlite'>[] = [];
      for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
        inserts.push(db.insert(t.practiceVariations).values(rows.slice(i, i + ROWS_PER_INSERT)));
      }
      const library = { courseId, hash: await sha256Hex(JSON.stringify(variations)), updatedAt: at };
      await db.batch([
        db.delete(t.practiceVariations).where(eq(t.practiceVariations.courseId, courseId)),
        ...inserts,
        db
          .insert(t.practiceLibraries)
          .values(library)
          .onConflictDoUpdate({ target: t.practiceLibraries.courseId, set: { hash: library.hash, updatedAt: at } }),
      ]);
    },

    async library(courseId) {
      const rows = await db
        .select()
        .from(t.practiceVariations)
        .where(eq(t.practiceVariations.courseId, courseId))
        .orderBy(asc(t.practiceVariations.position));
      // Parsed on the way out: a row is only ever written from a checked variation.
      return rows.map((r) =>
        VariationSchema.parse({
          id: r.id,
          category: r.category,
          group: r.variationGroup,
          title: r.title,
          instructions: r.instructions,
          minutes: r.minutes,
          difficulty: r.difficulty,
          archetypes: r.archetypes,
          modes: r.modes,
          times: r.times,
          completes: r.completes,
          ...(r.after ? { after: r.after } : {}),
        }),
      );
    },

    async completionRates(courseId, since) {
      const rows = await db
        .select({
          category: t.planCategoryDaily.category,
          done: sql<number>`sum(${t.planCategoryDaily.done})`,
          skipped: sql<number>`sum(${t.planCategoryDaily.skipped})`,
        })
        .from(t.planCategoryDaily)
        .where(and(eq(t.planCategoryDaily.courseId, courseId), gte(t.planCategoryDaily.day, since)))
        .groupBy(t.planCategoryDaily.category);
      const share = (done: number, skipped: number) => (done + skipped >= COURSE_RATE_MIN ? done / (done + skipped) : null);
      const categories: CompletionRates['categories'] = {};
      for (const r of rows) {
        const category = CATEGORIES.find((c) => c === r.category);
        const rate = share(Number(r.done), Number(r.skipped));
        if (category && rate !== null) categories[category] = rate;
      }
      const total = (k: 'done' | 'skipped') => rows.reduce((n, r) => n + Number(r[k]), 0);
      return { overall: share(total('done'), total('skipped')), categories };
    },

    async dueSummaries(now, limit) {
      const rows = await db
        .select({ learnerId: t.summarySchedule.learnerId })
        .from(t.summarySchedule)
        .where(lte(t.summarySchedule.nextAt, now))
        .orderBy(asc(t.summarySchedule.nextAt))
        .limit(limit);
      return rows.map((r) => r.learnerId);
    },

    async setSummaryDue(learnerId, nextAt) {
      if (nextAt === null) await db.delete(t.summarySchedule).where(eq(t.summarySchedule.learnerId, learnerId));
      else await db.update(t.summarySchedule).set({ nextAt }).where(eq(t.summarySchedule.learnerId, learnerId));
    },
  };
}
