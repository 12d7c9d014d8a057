import { z } from '@hono/zod-openapi';

/** Longest period one report covers. */
export const MAX_REPORT_DAYS = 366;

const day = z.iso.date('must be a date (YYYY-MM-DD)');

export const UsageQuerySchema = z.object({
  from: day.optional().openapi({ description: 'First UTC day (YYYY-MM-DD); default 29 days before `to`' }),
  to: day.optional().openapi({ description: 'Last UTC day, included (YYYY-MM-DD); default today' }),
  groupBy: z.enum(['day', 'feature', 'model']).default('day').openapi({ description: 'One row per day, feature or model' }),
  format: z
    .enum(['json', 'csv', 'markdown'])
    .default('json')
    .openapi({ description: 'json (the default), or the same table as CSV or a markdown table' }),
});
export type UsageQuery = z.infer<typeof UsageQuerySchema>;

export const UsageRowSchema = z
  .object({
    key: z.string().openapi({ description: 'The day, feature or model of the row' }),
    calls: z.number().int().openapi({ description: 'Model calls made, failed ones included' }),
    failedCalls: z.number().int().openapi({ description: 'Calls that brought back nothing usable (timeouts, errors)' }),
    promptTokens: z.number().int(),
    completionTokens: z.number().int(),
    costUsd: z.number().openapi({ description: 'Estimated from OPENAI_INPUT_USD_PER_MTOK and OPENAI_OUTPUT_USD_PER_MTOK' }),
  })
  .openapi('UsageRow');
export type UsageRow = z.infer<typeof UsageRowSchema>;

export const UsageReportSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    groupBy: z.enum(['day', 'feature', 'model']),
    rows: z.array(UsageRowSchema),
    total: UsageRowSchema,
  })
  .openapi('UsageReport');
export type UsageReport = z.infer<typeof UsageReportSchema>;
