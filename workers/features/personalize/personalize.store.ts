import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import * as t from '../../db/schema';
import { PreferencesSchema, type Preferences } from '../learners/learners.schemas';
import type { LessonContext } from './personalize.domain';

/** What a personalization request needs to know before it can look in the cache. */
export interface PersonalizeLookup {
  learner: { preferences: Preferences; preferencesHash: string } | null;
  learnerExists: boolean;
  /** The lesson's body hash and everything else an engine sees, without the markdown. */
  lesson: { contentHash: string; context: Omit<LessonContext, 'markdown'> } | null;
}

export interface GenerationLogEntry {
  id: string;
  learnerId: string;
  lessonSlug: string;
  model: string;
  promptVersion: string;
  outcome: 'ok' | 'rejected' | 'failed';
  reason: string | null;
  attempts: number;
  promptTokens: number;
  completionTokens: number;
  estimatedCostUsd: number;
  durationMs: number;
  createdAt: string;
}

/** Port over what personalization reads and writes in D1. */
export interface PersonalizeStore {
  /** Learner profile, lesson and its context (prerequisites, concepts) in one round trip. */
  lookup(learnerId: string, lessonSlug: string): Promise<PersonalizeLookup>;
  /**
   * Takes one generation from the learner's budget for `day` if any is left, in one
   * SQL statement, so concurrent requests can never overspend. False when spent.
   */
  reserveGeneration(learnerId: string, day: string, dailyLimit: number): Promise<boolean>;
  /** Gives back a reservation whose generation never reached the model's answer. */
  releaseGeneration(learnerId: string, day: string): Promise<void>;
  logGeneration(entry: GenerationLogEntry): Promise<void>;
}

export function createD1PersonalizeStore(db: Db): PersonalizeStore {
  return {
    async lookup(learnerId, lessonSlug) {
      const [learnerRows, lessonRows, conceptRows, prerequisites] = await db.batch([
        db
          .select({ preferences: t.learners.preferences, hash: t.learners.preferencesHash, onboardedAt: t.learners.onboardedAt })
          .from(t.learners)
          .where(eq(t.learners.id, learnerId)),
        db.select().from(t.lessons).where(eq(t.lessons.slug, lessonSlug)),
        db
          .select({ id: t.concepts.id, label: t.concepts.label })
          .from(t.lessonConcepts)
          .innerJoin(t.concepts, eq(t.concepts.id, t.lessonConcepts.conceptId))
          .where(eq(t.lessonConcepts.lessonSlug, lessonSlug))
          .orderBy(asc(t.lessonConcepts.position)),
        db
          .select({ slug: t.lessons.slug, title: t.lessons.title, summary: t.lessons.summary })
          .from(t.lessonPrerequisites)
          .innerJoin(t.lessons, eq(t.lessons.slug, t.lessonPrerequisites.prerequisiteSlug))
          .where(eq(t.lessonPrerequisites.lessonSlug, lessonSlug))
          .orderBy(asc(t.lessonPrerequisites.position)),
      ]);
      const row = learnerRows[0];
      const preferences = row?.preferences ? PreferencesSchema.safeParse(row.preferences) : null;
      const onboarded = !!row?.onboardedAt && !!row.hash && preferences?.success === true;
      const lesson = lessonRows[0];
      return {
        learnerExists: row !== undefined,
        learner:
          onboarded && preferences?.success && row.hash ? { preferences: preferences.data, preferencesHash: row.hash } : null,
        lesson: lesson
          ? {
              contentHash: lesson.contentHash,
              context: {
                slug: lesson.slug,
                title: lesson.title,
                summary: lesson.summary,
                minutes: lesson.minutes,
                difficulty: lesson.difficulty,
                layer: lesson.layer,
                objectives: lesson.objectives,
                concepts: conceptRows,
                prerequisites,
              },
            }
          : null,
      };
    },

    async reserveGeneration(learnerId, day, dailyLimit) {
      if (dailyLimit <= 0) return false;
      const rows = await db
        .insert(t.generationBudgets)
        .values({ learnerId, day, used: 1 })
        .onConflictDoUpdate({
          target: [t.generationBudgets.learnerId, t.generationBudgets.day],
          set: { used: sql`${t.generationBudgets.used} + 1` },
          setWhere: sql`${t.generationBudgets.used} < ${dailyLimit}`,
        })
        .returning({ used: t.generationBudgets.used });
      return rows.length > 0;
    },

    async releaseGeneration(learnerId, day) {
      await db
        .update(t.generationBudgets)
        .set({ used: sql`${t.generationBudgets.used} - 1` })
        .where(
          and(eq(t.generationBudgets.learnerId, learnerId), eq(t.generationBudgets.day, day), gt(t.generationBudgets.used, 0)),
        );
    },

    async logGeneration(entry) {
      await db.insert(t.generationLog).values(entry);
    },
  };
}
