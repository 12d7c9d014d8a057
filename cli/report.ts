import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { usageTable } from '../workers/features/usage/usage.domain';
import { UsageReportSchema } from '../workers/features/usage/usage.schemas';
import { authorTarget, defaultTarget } from './local-env';
import { createClient, runCli, type Api } from './push';
import { z } from 'zod';
import { resultsTable } from '../workers/features/experiments/experiments.domain';
import { itemsTable, weeklyReport } from '../workers/features/analytics/analytics.report';
import {
  ItemAnalysisSchema,
  LessonFiguresSchema,
  ModelHealthSchema,
  OverviewSchema,
} from '../workers/features/analytics/analytics.schemas';

const REPORTS = ['usage', 'experiments', 'weekly', 'items'] as const;
import { ExperimentResultsSchema, ExperimentSchema } from '../workers/features/experiments/experiments.schemas';

const USAGE = `Usage: npm run report -- usage [--from <YYYY-MM-DD>] [--to <YYYY-MM-DD>] [--group-by day|feature|model]
                             [--format markdown|csv] [--out <file>] [--target <url>] [--key <author key>]
       npm run report -- experiments [--id <experiment>] [--format markdown|csv] [--out <file>]
       npm run report -- weekly | items [--format markdown|csv] [--out <file>]

  usage       model calls, failed calls, tokens and estimated cost (GET /api/admin/usage),
              printed as a markdown table, or as CSV; --out writes the table to a file
              (CSV for a .csv file unless --format says otherwise)
  experiments each experiment's results (or --id one): exposures, the sample-ratio check, power,
              and per metric and variant the mean, difference and lift with intervals, p and
              chance to beat control (GET /api/admin/experiments/{id}/results)
  weekly      active learners, funnel, weekly-cohort retention, lessons and the learner model's
              health (the admin analytics routes)
  items       quiz item analysis, flagged items first (GET /api/admin/analytics/items)
  --from/--to the UTC days covered, both included (default: the last 30 days)
  --target    API origin (default ${defaultTarget()})
  --key       author key with the admin scope (default: $LEARNEDGE_AUTHOR_KEY, or the local dev key for a loopback target)`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      'group-by': { type: 'string', default: 'day' },
      id: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      target: { type: 'string' },
      key: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const format = values.format ?? (values.out?.endsWith('.csv') ? 'csv' : 'markdown');
  const report = positionals[0];
  if (
    values.help ||
    !REPORTS.includes(report as (typeof REPORTS)[number]) ||
    positionals.length !== 1 ||
    (format !== 'csv' && format !== 'markdown')
  ) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const author = authorTarget(values);
  if (!author) return 2;
  const client = createClient(author.target, author.key);
  if (report === 'experiments') return experimentsReport(client, { id: values.id, format, out: values.out });
  if (report === 'items') {
    const { items } = z.object({ items: z.array(ItemAnalysisSchema) }).parse(await client('GET', '/api/admin/analytics/items'));
    write(itemsTable(items, format), values.out, `${items.length} item(s)`);
    return 0;
  }
  if (report === 'weekly') {
    const [overview, lessons, health] = await Promise.all([
      client('GET', '/api/admin/analytics/overview?days=30').then((r) => OverviewSchema.parse(r)),
      client('GET', '/api/admin/analytics/lessons').then(
        (r) => z.object({ lessons: z.array(LessonFiguresSchema) }).parse(r).lessons,
      ),
      client('GET', '/api/admin/models/performance?days=28').then((r) => ModelHealthSchema.parse(r)),
    ]);
    write(weeklyReport({ overview, lessons, health }, format), values.out, 'the weekly report');
    return 0;
  }
  const query = new URLSearchParams({ groupBy: values['group-by'] });
  if (values.from) query.set('from', values.from);
  if (values.to) query.set('to', values.to);
  const usage = UsageReportSchema.parse(await client('GET', `/api/admin/usage?${query.toString()}`));
  write(usageTable(usage, format), values.out, `${usage.rows.length} row(s) and the total`);
  return 0;
}

function write(table: string, out: string | undefined, what: string) {
  if (out) {
    writeFileSync(out, table);
    console.log(`wrote ${what} to ${out}`);
  } else {
    process.stdout.write(table);
  }
}

/** Each experiment's results table (or one's), newest first. */
async function experimentsReport(
  api: Api,
  options: { id: string | undefined; format: 'markdown' | 'csv'; out: string | undefined },
) {
  const { experiments } = z.object({ experiments: z.array(ExperimentSchema) }).parse(await api('GET', '/api/admin/experiments'));
  const chosen = experiments.filter((e) => (options.id ? e.id === options.id : e.status !== 'draft'));
  if (options.id && chosen.length === 0) {
    console.error(`no experiment ${options.id}`);
    return 1;
  }
  const tables = [];
  for (const experiment of chosen) {
    const results = ExperimentResultsSchema.parse(await api('GET', `/api/admin/experiments/${experiment.id}/results`));
    tables.push(resultsTable(results, options.format));
  }
  write(tables.join('\n') || 'no started experiments\n', options.out, `${chosen.length} experiment(s)`);
  return 0;
}

runCli(main);
