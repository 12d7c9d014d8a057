import { between, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import * as t from '../../db/schema';
import type { Logger } from '../../platform/logger';
import { GenerationError, type ModelFeature, type TextGenerator } from '../../platform/text-generator';
import { budgetDay, estimateCostUsd } from '../personalize/personalize.domain';
import type { UsageQuery, UsageRow } from './usage.schemas';

export interface UsageEntry {
  day: string;
  feature: ModelFeature;
  model: string;
  failed: boolean;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

export interface UsageStore {
  /** Adds one model call to its day, feature and model, and its cost to the day's platform spend. */
  record(entry: UsageEntry): Promise<void>;
  /** The calls of [from, to] (UTC days, both included), one row per value of `groupBy`. */
  report(query: { from: string; to: string; groupBy: UsageQuery['groupBy'] }): Promise<UsageRow[]>;
}

export function createUsageStore(db: Db): UsageStore {
  const u = t.modelUsageDaily;
  return {
    async record(entry) {
      const { day, feature, model, failed, promptTokens, completionTokens, costUsd } = entry;
      await db.batch([
        db
          .insert(u)
          .values({ day, feature, model, calls: 1, failedCalls: failed ? 1 : 0, promptTokens, completionTokens, costUsd })
          .onConflictDoUpdate({
            target: [u.day, u.feature, u.model],
            set: {
              calls: sql`${u.calls} + 1`,
              failedCalls: sql`${u.failedCalls} + ${failed ? 1 : 0}`,
              promptTokens: sql`${u.promptTokens} + ${promptTokens}`,
              completionTokens: sql`${u.completionTokens} + ${completionTokens}`,
              costUsd: sql`${u.costUsd} + ${costUsd}`,
            },
          }),
        db
          .insert(t.modelSpendDaily)
          .values({ day, generations: 0, costUsd })
          .onConflictDoUpdate({
            target: t.modelSpendDaily.day,
            set: { costUsd: sql`${t.modelSpendDaily.costUsd} + ${costUsd}` },
          }),
      ]);
    },

    async report({ from, to, groupBy }) {
      const key = groupBy === 'day' ? u.day : groupBy === 'feature' ? u.feature : u.model;
      const rows = await db
        .select({
          key,
          calls: sql<number>`sum(${u.calls})`,
          failedCalls: sql<number>`sum(${u.failedCalls})`,
          promptTokens: sql<number>`sum(${u.promptTokens})`,
          completionTokens: sql<number>`sum(${u.completionTokens})`,
          costUsd: sql<number>`round(sum(${u.costUsd}), 6)`,
        })
        .from(u)
        .where(between(u.day, from, to))
        .groupBy(key)
        .orderBy(key);
      return rows.map((r) => ({ ...r, key: String(r.key) }));
    },
  };
}

/**
 * The configured model, with every call recorded under its feature: tokens and the
 * estimated cost of a call that answered, a failed call for one that did not. The
 * record is bookkeeping: when it cannot be written the answer still goes out, and the
 * failure is logged.
 */
export function meteredGenerator(
  generator: TextGenerator,
  usage: UsageStore,
  prices: { inputPerMTok: number; outputPerMTok: number },
  logger: Logger,
): TextGenerator {
  const record = (entry: Omit<UsageEntry, 'day' | 'model'>) =>
    usage
      .record({ ...entry, day: budgetDay(new Date()), model: generator.model })
      .catch((error: unknown) => logger.log('warn', 'usage.record_failed', { feature: entry.feature, error: String(error) }));
  return {
    model: generator.model,
    async generate(messages, options) {
      const { feature } = options;
      try {
        const generation = await generator.generate(messages, options);
        const costUsd = estimateCostUsd(generation, prices);
        await record({
          feature,
          failed: false,
          promptTokens: generation.promptTokens,
          completionTokens: generation.completionTokens,
          costUsd,
        });
        return generation;
      } catch (error) {
        if (error instanceof GenerationError) {
          await record({ feature, failed: true, promptTokens: 0, completionTokens: 0, costUsd: 0 });
        }
        throw error;
      }
    },
  };
}
