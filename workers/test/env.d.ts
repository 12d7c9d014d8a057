import type { D1Migration } from 'cloudflare:test';

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      FAKE_OPENAI_URL: string;
      LEARNER_TOKEN_SECRET: string;
    }
  }
}
