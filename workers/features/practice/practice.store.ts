import { asc, eq } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Db } from '../../db/client';
import * as t from '../../db/schema';
import { VariationSchema, type Variation } from './practice.schemas';

/** Port over the practice-task library in D1. */
export interface PracticeStore {
  /** Replaces the course's whole library in one batch: it commits whole or not at all. */
  replaceLibrary(courseId: string, variations: readonly Variation[]): Promise<void>;
  /** The course's library in the order it was pushed. */
  library(courseId: string): Promise<Variation[]>;
}

/** Rows per insert: D1 binds at most 100 parameters per statement (13 columns a row). */
const ROWS_PER_INSERT = 7;

export function createD1PracticeStore(db: Db): PracticeStore {
  return {
    async replaceLibrary(courseId, variations) {
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
      }));
      const inserts: BatchItem<'sqlite'>[] = [];
      for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
        inserts.push(db.insert(t.practiceVariations).values(rows.slice(i, i + ROWS_PER_INSERT)));
      }
      await db.batch([db.delete(t.practiceVariations).where(eq(t.practiceVariations.courseId, courseId)), ...inserts]);
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
        }),
      );
    },
  };
}
