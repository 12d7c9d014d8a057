import { createApp } from './app';
import { makeDeps, parseConfig } from './deps';
import { requeueStalePending } from './features/content/content.jobs';
import { createLogger } from './platform/logger';
import { consumeBatch } from './queues/consumer';
import type { JobMessage } from './queues/messages';

const app = createApp();

function depsFor(env: Env, fields: Record<string, unknown>) {
  const config = parseConfig(env);
  return makeDeps(env, config, createLogger(config.LOG_LEVEL, fields));
}

export default {
  fetch: app.fetch,

  async queue(batch, env, _ctx) {
    await consumeBatch(batch, depsFor(env, { queue: batch.queue }));
  },

  async scheduled(controller, env, _ctx) {
    const deps = depsFor(env, { cron: controller.cron });
    await requeueStalePending(deps, new Date(controller.scheduledTime));
  },
} satisfies ExportedHandler<Env, JobMessage>;
