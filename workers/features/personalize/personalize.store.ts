import type { ModelFeature } from '../../platform/text-generator';
import { asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import * as t from '../../db/schema';
import { courseConceptLabel } from '../concepts/concepts.store';
import type { LearnerObject } from '../learners/learner.client';
import type { MasteryRow } from '../learners/learner.store';
import type { Preferences } from '../learners/learners.schemas';
import { inCourse, preferencesHash } from '../learners/onboarding.domain';
import type { LessonContext } from './personalize.domain';
import type { Config } from '../../deps';

/** What a personalization request needs to know before it can look in the cache. */
export interface PersonalizeLookup {
  learner: {
    preferences: Preferences;
    preferencesHash: string;
    modelConsent: boolean;
    /** Every concept's measured mastery (see `measuredEvidence`). */
    mastery: MasteryRow[];
  } | null;
  learnerExists: boolean;
  /** The lesson's body hash and everything else an engine sees, without the markdown. */
  lesson: { courseId: string; contentHash: string; context: Omit<LessonContext, 'markdown'> } | null;
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

/** Port over what personalization reads and writes: lessons and the usage log in D1, the learner and their budget in the learner's object. */
export interface PersonalizeStore {
  /** Learner profile, lesson and its context (prerequisites, concepts): one call to the object, one D1 batch, at once. */
  lookup(learnerId: string, lessonSlug: string): Promise<PersonalizeLookup>;
  /**
   * Takes one generation for `day` from the learner's budget (in the learner's object, one
   * call at a time) and from the platform's (one conditional D1 upsert), so concurrent
   * requests can never overspend either; which budget was spent when one was (counted
   * for `courseId`, the course the request was about, if any).
   */
  reserveGeneration(
    learnerId: string,
    day: string,
    limits: GenerationLimits,
    feature: ModelFeature,
    courseId?: string,
  ): Promise<'reserved' | 'learner_spent' | 'platform_spent'>;
  /** Gives back a reservation whose generation never reached the model's answer. */
  releaseGeneration(learnerId: string, day: string): Promise<void>;
  logGeneration(entry: GenerationLogEntry): Promise<void>;
}

/** A learner's generations per day; the platform's generations and estimated spend per day. */
export interface GenerationLimits {
  learner: number;
  platform: number;
  platformUsd: number;
}

export function generationLimits(config: Config): GenerationLimits {
  return {
    learner: config.GENERATION_DAILY_BUDGET,
    platform: config.GENERATION_GLOBAL_DAILY_BUDGET,
    platformUsd: config.MODEL_DAILY_COST_CAP_USD,
  };
}

/** A lesson's concept (joined as `concepts` on `lesson_concepts`) as the lesson's course names it. */
const LABEL_IN_LESSON_COURSE = sql<string>`${sql.raw(
  courseConceptLabel('"concepts"."id"', '(SELECT l.course_id FROM lessons l WHERE l.slug = "lesson_concepts"."lesson_slug")'),
)}`;

export function createPersonalizeStore(db: Db, learner: (learnerId: string) => LearnerObject): PersonalizeStore {
  return {
    async lookup(learnerId, lessonSlug) {
      const [found, [lessonRows, conceptRows, prerequisites, prerequisiteConcepts]] = await Promise.all([
        learner(learnerId).personalizing(learnerId),
        db.batch([
          db.select().from(t.lessons).where(eq(t.lessons.slug, lessonSlug)),
          db
            .select({ id: t.concepts.id, label: LABEL_IN_LESSON_COURSE })
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
          db
            .select({ lessonSlug: t.lessonConcepts.lessonSlug, id: t.concepts.id, label: LABEL_IN_LESSON_COURSE })
            .from(t.lessonPrerequisites)
            .innerJoin(t.lessonConcepts, eq(t.lessonConcepts.lessonSlug, t.lessonPrerequisites.prerequisiteSlug))
            .innerJoin(t.concepts, eq(t.concepts.id, t.lessonConcepts.conceptId))
            .where(eq(t.lessonPrerequisites.lessonSlug, lessonSlug))
            .orderBy(asc(t.lessonConcepts.position)),
        ]),
      ]);
      const lesson = lessonRows[0];
      const profile = found?.profile ?? null;
      // The lesson's course may have preferences of the learner's own: its lessons are adapted with those.
      const ownInCourse = lesson ? found?.coursePreferences[lesson.courseId] : undefined;
      const inLessonCourse =
        profile?.preferences && ownInCourse ? inCourse(profile.preferences, ownInCourse) : (profile?.preferences ?? null);
      return {
        learnerExists: profile !== null,
        learner:
          profile?.onboarded && inLessonCourse && profile.preferencesHash
            ? {
                preferences: inLessonCourse,
                preferencesHash: ownInCourse ? await preferencesHash(inLessonCourse) : profile.preferencesHash,
                modelConsent: profile.consent.model,
                mastery: found?.mastery ?? [],
              }
            : null,
        lesson: lesson
          ? {
              courseId: lesson.courseId,
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
                prerequisites: prerequisites.map((p) => ({
                  ...p,
                  concepts: prerequisiteConcepts.flatMap((c) => (c.lessonSlug === p.slug ? [{ id: c.id, label: c.label }] : [])),
                })),
              },
            }
          : null,
      };
    },

    async reserveGeneration(learnerId, day, limits, feature, courseId) {
      // A refusal is counted (budget hits in the analytics); the count never holds up the answer.
      const refused = async (reason: 'learner_spent' | 'platform_spent') => {
        await db
          .insert(t.budgetHitsDaily)
          .values({ day, courseId: courseId ?? '', feature, reason, hits: 1 })
          .onConflictDoUpdate({
            target: [t.budgetHitsDaily.day, t.budgetHitsDaily.courseId, t.budgetHitsDaily.feature, t.budgetHitsDaily.reason],
            set: { hits: sql`${t.budgetHitsDaily.hits} + 1` },
          })
          .catch(() => undefined);
        return reason;
      };
      if (!(await learner(learnerId).reserveGeneration(learnerId, day, limits.learner))) return refused('learner_spent');
      const taken =
        limits.platform > 0 &&
        limits.platformUsd > 0 &&
        (
          await db
            .insert(t.modelSpendDaily)
            .values({ day, generations: 1 })
            .onConflictDoUpdate({
              target: t.modelSpendDaily.day,
              set: { generations: sql`${t.modelSpendDaily.generations} + 1` },
              setWhere: sql`${t.modelSpendDaily.generations} < ${limits.platform} AND ${t.modelSpendDaily.costUsd} < ${limits.platformUsd}`,
            })
            .returning({ generations: t.modelSpendDaily.generations })
        ).length > 0;
      if (taken) return 'reserved';
      await learner(learnerId).releaseGeneration(learnerId, day);
      return refused('platform_spent');
    },

    async releaseGeneration(learnerId, day) {
      await Promise.all([
        learner(learnerId).releaseGeneration(learnerId, day),
        db
          .update(t.modelSpendDaily)
          .set({ generations: sql`max(0, ${t.modelSpendDaily.generations} - 1)` })
          .where(eq(t.modelSpendDaily.day, day)),
      ]);
    },

    async logGeneration(entry) {
      await db.insert(t.generationLog).values(entry);
    },
  };
}
