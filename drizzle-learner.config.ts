import { defineConfig } from 'drizzle-kit';

/** The schema of each learner's Durable Object; its migrations run when the object starts. */
export default defineConfig({
  dialect: 'sqlite',
  driver: 'durable-sqlite',
  schema: './workers/features/learners/learner.schema.ts',
  out: './migrations/learner',
});
