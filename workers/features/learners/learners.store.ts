import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { learners, preferenceHistory } from '../../db/schema';
import { PreferencesSchema, type Learner, type Preferences } from './learners.schemas';

export interface LearnerRecord extends Learner {
  preferencesHash: string | null;
}

/** Port over learner profiles and their preference history. */
export interface LearnerStore {
  create(id: string, now: Date): Promise<void>;
  find(id: string): Promise<LearnerRecord | null>;
  /**
   * Stores new preferences and one history row in one batch; `onboarding` also marks
   * the learner onboarded. Returns false when the learner does not exist.
   */
  savePreferences(
    id: string,
    change: { preferences: Preferences; preferencesHash: string; source: 'onboarding' | 'profile'; answers?: unknown },
    now: Date,
  ): Promise<boolean>;
}

export function createD1LearnerStore(db: Db): LearnerStore {
  return {
    async create(id, now) {
      await db.insert(learners).values({ id, createdAt: now.toISOString() });
    },

    async find(id) {
      const row = await db.query.learners.findFirst({ where: eq(learners.id, id) });
      if (!row) return null;
      // A stored profile of an older shape reads as "not onboarded" rather than failing every request.
      const preferences = row.preferences ? PreferencesSchema.safeParse(row.preferences) : null;
      return {
        learnerId: row.id,
        createdAt: row.createdAt,
        onboarded: row.onboardedAt !== null && preferences?.success === true,
        preferences: preferences?.success ? preferences.data : null,
        preferencesHash: preferences?.success ? row.preferencesHash : null,
      };
    },

    async savePreferences(id, change, now) {
      const at = now.toISOString();
      const [updated] = await db.batch([
        db
          .update(learners)
          .set({
            preferences: change.preferences,
            preferencesHash: change.preferencesHash,
            ...(change.source === 'onboarding' ? { onboardedAt: at, answers: change.answers as Record<string, unknown> } : {}),
          })
          .where(eq(learners.id, id))
          .returning({ id: learners.id }),
        // The foreign key fails the whole batch for an unknown learner: no orphan history.
        db
          .insert(preferenceHistory)
          .values({ learnerId: id, preferences: change.preferences, source: change.source, changedAt: at }),
      ]);
      return updated.length > 0;
    },
  };
}
