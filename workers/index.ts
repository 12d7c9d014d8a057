import { refitRanker } from './features/recommendations/ranker.weights';
import { refitModelsWhenDue } from './features/mastery/mastery.jobs';
import { createApp } from './app';
import { depsFor } from './deps';
import { requeuePending, STALE_PENDING_MS } from './features/content/content.jobs';
import { buildDueSummaries } from './features/practice/summary.jobs';
import { updateBandits } from './features/experiments/experiments.jobs';
import { refreshAnalytics } from './features/analytics/analytics.snapshots';
import { applyRetention, retentionWindow } from './features/privacy/privacy.retention';
import { consumeBatch } from './queues/consumer';
import type { JobMessage } from './queues/messages';

const app = createApp();
/** How long the aggregates consumer remembers the deltas it applied. */
const RECEIPT_DAYS = 14;

export default {
  fetch: app.fetch,

  async queue(batch, env, _ctx) {
    await consumeBatch(batch, depsFor(env, { queue: batch.queue }));
  },

  async scheduled(controller, env, _ctx) {
    const deps = depsFor(env, { cron: controller.cron });
    await requeuePending(deps, new Date(controller.scheduledTime), STALE_PENDING_MS);
    // Vectors of chunks deleted without a later ingest (a prune-only push) go here.
    await deps.vectorIndex.syncDeletions();
    // Co-completion is kept as completions arrive (the aggregates consumer); POST /api/admin/recommendations/refresh rebuilds it.
    // Receipts only need to outlive redeliveries (queue retries end within days).
    await deps.aggregates.pruneReceipts(new Date(controller.scheduledTime - RECEIPT_DAYS * 86_400_000).toISOString());
    // Raw events past their retention window (each learner's object prunes its own on its alarm).
    const { EVENT_RETENTION_DAYS, REJECTION_PAYLOAD_DAYS } = deps.config;
    const window = retentionWindow(new Date(controller.scheduledTime), EVENT_RETENTION_DAYS, REJECTION_PAYLOAD_DAYS);
    const removed = await applyRetention(env.DB, window);
    deps.logger.log('info', 'retention.applied', removed);
    // Bandits whose period has passed are reweighted from their primary metric.
    await updateBandits(deps, new Date(controller.scheduledTime));
    // The ranker's weights, refitted per course at most daily from learners' choices among offered lessons.
    await refitRanker(deps, new Date(controller.scheduledTime));
    // The overview and running experiments' results, computed once here so admin reads are one row.
    await refreshAnalytics(deps, new Date(controller.scheduledTime));
    // Weekly summaries of learners whose local week has ended.
    const summaries = await buildDueSummaries(deps, new Date(controller.scheduledTime));
    if (summaries.learners > 0) deps.logger.log('info', 'summaries.built', summaries);
    // Last: at most one of the learner model's weekly refits (BKT, KT choice, IRT, FSRS) per run.
    await refitModelsWhenDue(deps, new Date(controller.scheduledTime));
  },
} satisfies ExportedHandler<Env, JobMessage>;

export { Learner } from './features/learners/learner.object';
