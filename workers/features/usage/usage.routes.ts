import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/app-env';
import { AUTHOR_SECURITY, requireAuthor } from '../../http/author-auth';
import { AppError, problemResponses } from '../../http/problem';
import { validationHook } from '../../http/validation';
import { totalOf, usageTable } from './usage.domain';
import { MAX_REPORT_DAYS, UsageQuerySchema, UsageReportSchema } from './usage.schemas';

const DAY_MS = 86_400_000;
const shiftDays = (day: string, days: number) => new Date(Date.parse(day) + days * DAY_MS).toISOString().slice(0, 10);

/** `GET /api/admin/usage`: model calls, tokens and estimated cost, by day, feature or model (admin scope). */
export const usageAdminRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
usageAdminRoutes.use('*', requireAuthor('admin'));
usageAdminRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags: ['Authoring'],
    summary: 'Model usage and estimated cost per day, feature (answers, personalize, summaries) or model',
    description:
      'Every model call is counted under its UTC day, feature and model, failed calls included; cost is estimated from the configured token prices. The same table as JSON, CSV or markdown (`npm run report -- usage` prints it).',
    security: AUTHOR_SECURITY,
    request: { query: UsageQuerySchema },
    responses: {
      200: {
        description: 'The table with its total',
        content: {
          'application/json': { schema: UsageReportSchema },
          'text/csv': { schema: z.string() },
          'text/markdown': { schema: z.string() },
        },
      },
      ...problemResponses(400, 401, 403, 429),
    },
  }),
  async (c) => {
    const query = c.req.valid('query');
    const to = query.to ?? new Date().toISOString().slice(0, 10);
    const from = query.from ?? shiftDays(to, -29);
    if (from > to) {
      throw new AppError('validation_failed', 'The period ends before it starts', {
        errors: [{ field: 'query/to', message: `must not be before from (${from})` }],
      });
    }
    if (shiftDays(from, MAX_REPORT_DAYS - 1) < to) {
      throw new AppError('validation_failed', `A report covers at most ${MAX_REPORT_DAYS} days`, {
        errors: [{ field: 'query/from', message: `must be at most ${MAX_REPORT_DAYS - 1} days before to` }],
      });
    }
    const rows = await c.get('deps').usage.report({ from, to, groupBy: query.groupBy });
    const report = { from, to, groupBy: query.groupBy, rows, total: totalOf(rows) };
    if (query.format === 'json') return c.json(report, 200);
    const type = query.format === 'csv' ? 'text/csv' : 'text/markdown';
    return c.body(usageTable(report, query.format), 200, { 'Content-Type': `${type}; charset=utf-8` });
  },
);
