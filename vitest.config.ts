import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { startFakeOpenAi } from './scripts/fake-openai';

export default defineConfig({
  test: {
    projects: [
      {
        // Worker tests run inside workerd with real local D1, R2, KV and Queues.
        plugins: [
          cloudflareTest(async () => ({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                APP_ENV: 'test',
                LOG_LEVEL: 'error',
                LEARNER_TOKEN_SECRET: 'test-secret-for-learner-tokens-0123456789',
                // Tests use the offline engine unless they pass a model endpoint themselves,
                // whatever a developer keeps in .dev.vars.
                OPENAI_API_KEY: '',
                EMBEDDINGS_BASE_URL: '',
                // Ranking reads D1 on every request, so a test sees what it wrote at once (the memo's own test sets a window).
                RANKING_STATS_TTL_MS: '0',
                // A real HTTP server speaking the OpenAI protocol, for the model engine's tests.
                FAKE_OPENAI_URL: (await startFakeOpenAi()).url,
                TEST_MIGRATIONS: await readD1Migrations('./migrations'),
              },
            },
          })),
        ],
        test: {
          name: 'workers',
          include: ['workers/**/*.test.ts'],
          setupFiles: ['./workers/test/setup.ts'],
          // CommonJS packages, pre-bundled for workerd (wrangler's build bundles them itself).
          deps: { optimizer: { ssr: { enabled: true, include: ['obscenity'] } } },
        },
      },
      {
        test: { name: 'cli', environment: 'node', include: ['cli/**/*.test.ts', 'scripts/**/*.test.ts', 'pages/**/*.test.ts'] },
      },
      {
        // The site's own logic (rendering, sanitizing) in a DOM; whole pages are tested in e2e.
        test: { name: 'site', environment: 'jsdom', include: ['site/src/**/*.test.ts'] },
      },
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['e2e/**/*.e2e.ts'],
          globalSetup: ['./e2e/global-setup.ts'],
          testTimeout: 60_000,
          // A page drives a real browser against a real server: give polls time on a busy machine.
          expect: { poll: { timeout: 10_000 } },
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
