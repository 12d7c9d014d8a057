import { z } from '@hono/zod-openapi';

/** What `POST /api/admin/mastery/fit-bkt` answers (and `npm run fit -- bkt` prints). */
export const BktFitResponseSchema = z
  .object({
    fitted: z.array(
      z.object({
        concept: z.string(),
        learners: z.number().int(),
        attempts: z.number().int(),
        prior: z.number(),
        learn: z.number(),
        guess: z.number(),
        slip: z.number(),
        forget: z.number(),
        logLikelihood: z.number(),
        iterations: z.number().int(),
      }),
    ),
    skipped: z.array(z.object({ concept: z.string(), attempts: z.number().int() })),
    stored: z.boolean(),
  })
  .openapi('BktFit');
