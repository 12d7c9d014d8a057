import { sha256Hex } from '../../platform/sha256';

/**
 * Every D1 table that holds rows of one learner, with the column naming them. Export
 * reads these and erase deletes from them; a test scans the D1 schema and fails when a
 * table with a learner column is missing here.
 */
export const LEARNER_D1_TABLES = {
  // Shared aggregates fed by the learner objects.
  attempt_log: 'learner_id',
  review_log: 'learner_id',
  // FSRS weights fitted to one learner's reviews.
  fsrs_params: 'learner_id',
  lesson_completions: 'learner_id',
  aggregate_receipts: 'learner_id',
  // Experiment exposures and the per-learner daily rollup that metrics read.
  experiment_exposures: 'learner_id',
  learner_activity_daily: 'learner_id',
  // Usage of the model per generation.
  generation_log: 'learner_id',
  // Rows from before learner objects, until the learner is moved.
  learners: 'id',
  preference_history: 'learner_id',
  generation_budgets: 'learner_id',
  learner_events: 'learner_id',
  lesson_progress: 'learner_id',
  daily_activity: 'learner_id',
  learner_model: 'learner_id',
  concept_mastery: 'learner_id',
  quiz_attempts: 'learner_id',
  review_cards: 'learner_id',
  learner_goals: 'learner_id',
  recommendation_feedback: 'learner_id',
  // When the learner's next weekly summary is due.
  summary_schedule: 'learner_id',
} as const;

/**
 * Tables whose rows name a learner inside a JSON body rather than a column (events the
 * pipeline refused or gave up on): export and erase find them by the id in the body.
 */
export const LEARNER_D1_BODIES = { event_rejections: 'body', event_dead_letters: 'body' } as const;

/** Port over a learner's rows in the shared D1 database. */
export interface PrivacyStore {
  /** Every row of the learner's in D1, table by table. */
  export(learnerId: string): Promise<Record<string, Record<string, unknown>[]>>;
  /**
   * Deletes them all in one batch and records the erasure (by hash), so late deltas are
   * dropped; gives up the learner's hold on `preferencesHashes` and returns those no
   * other learner holds (their personalized entries can go).
   */
  erase(learnerId: string, now: string, preferencesHashes?: readonly string[]): Promise<string[]>;
  /** Notes that the learner holds a preferences hash (idempotent). */
  holdPreferences(learnerId: string, preferencesHash: string): Promise<void>;
  /** Of these learner ids, those who erased their data. */
  erased(learnerIds: readonly string[]): Promise<Set<string>>;
}

const TABLES = Object.entries(LEARNER_D1_TABLES);
const BODIES = Object.entries(LEARNER_D1_BODIES);

export function createD1PrivacyStore(d1: D1Database): PrivacyStore {
  return {
    async export(learnerId) {
      const results = await d1.batch<Record<string, unknown>>([
        ...TABLES.map(([table, column]) => d1.prepare(`SELECT * FROM ${table} WHERE ${column} = ?`).bind(learnerId)),
        ...BODIES.map(([table, column]) => d1.prepare(`SELECT * FROM ${table} WHERE instr(${column}, ?) > 0`).bind(learnerId)),
      ]);
      return Object.fromEntries([...TABLES, ...BODIES].map(([table], i) => [table, results[i]?.results ?? []]));
    },

    async erase(learnerId, now, preferencesHashes = []) {
      const learnerHash = await sha256Hex(learnerId);
      // Children before `learners` (their foreign keys cascade, but say it plainly).
      const ordered = TABLES.filter(([table]) => table !== 'learners').concat([['learners', 'id']]);
      const hashes = [...new Set(preferencesHashes)];
      const results = await d1.batch<{ preferences_hash: string }>([
        ...ordered.map(([table, column]) => d1.prepare(`DELETE FROM ${table} WHERE ${column} = ?`).bind(learnerId)),
        ...BODIES.map(([table, column]) => d1.prepare(`DELETE FROM ${table} WHERE instr(${column}, ?) > 0`).bind(learnerId)),
        d1.prepare('DELETE FROM preference_holders WHERE learner_hash = ?').bind(learnerHash),
        d1
          .prepare('INSERT INTO erased_learners (learner_hash, erased_at) VALUES (?, ?) ON CONFLICT DO NOTHING')
          .bind(learnerHash, now),
        // The hashes of theirs someone else still holds.
        d1
          .prepare(
            'SELECT DISTINCT preferences_hash FROM preference_holders WHERE preferences_hash IN (SELECT value FROM json_each(?))',
          )
          .bind(JSON.stringify(hashes)),
      ]);
      const held = new Set((results.at(-1)?.results ?? []).map((r) => r.preferences_hash));
      return hashes.filter((h) => !held.has(h));
    },

    async holdPreferences(learnerId, preferencesHash) {
      await d1
        .prepare('INSERT INTO preference_holders (preferences_hash, learner_hash) VALUES (?, ?) ON CONFLICT DO NOTHING')
        .bind(preferencesHash, await sha256Hex(learnerId))
        .run();
    },

    async erased(learnerIds) {
      const unique = [...new Set(learnerIds)];
      if (unique.length === 0) return new Set();
      const hashes = new Map(await Promise.all(unique.map(async (id) => [await sha256Hex(id), id] as const)));
      const found = new Set<string>();
      const keys = [...hashes.keys()];
      // D1 binds at most 100 parameters per statement.
      for (let i = 0; i < keys.length; i += 90) {
        const part = keys.slice(i, i + 90);
        const { results } = await d1
          .prepare(`SELECT learner_hash FROM erased_learners WHERE learner_hash IN (${part.map(() => '?').join(', ')})`)
          .bind(...part)
          .all<{ learner_hash: string }>();
        for (const r of results) found.add(hashes.get(r.learner_hash) ?? '');
      }
      return found;
    },
  };
}
