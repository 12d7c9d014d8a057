import { z } from '@hono/zod-openapi';

const Rows = z.record(z.string(), z.array(z.record(z.string(), z.unknown())));

/** `GET /api/learners/me/export`: everything the platform holds about the learner. */
export const LearnerExportSchema = z
  .object({
    learnerId: z.string(),
    exportedAt: z.string(),
    learner: Rows.openapi({
      description: "The learner's own store, table by table (profile, history, events, progress, model, …)",
    }),
    shared: Rows.openapi({ description: 'Rows of the learner in shared tables (attempt log, completions, generation log, …)' }),
  })
  .openapi('LearnerExport');
export type LearnerExport = z.infer<typeof LearnerExportSchema>;
