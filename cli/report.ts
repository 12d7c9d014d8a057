import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { usageTable } from '../workers/features/usage/usage.domain';
import { UsageReportSchema } from '../workers/features/usage/usage.schemas';
import { authorTarget, defaultTarget } from './local-env';
import { createClient, runCli } from './push';

const USAGE = `Usage: npm run report -- usage [--from <YYYY-MM-DD>] [--to <YYYY-MM-DD>] [--group-by day|feature|model]
                             [--format markdown|csv] [--out <file>] [--target <url>] [--key <author key>]

  usage       model calls, failed calls, tokens and estimated cost (GET /api/admin/usage),
              printed as a markdown table, or as CSV; --out writes the table to a file
              (CSV for a .csv file unless --format says otherwise)
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
      format: { type: 'string' },
      out: { type: 'string' },
      target: { type: 'string' },
      key: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const format = values.format ?? (values.out?.endsWith('.csv') ? 'csv' : 'markdown');
  if (values.help || positionals[0] !== 'usage' || positionals.length !== 1 || (format !== 'csv' && format !== 'markdown')) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const author = authorTarget(values);
  if (!author) return 2;
  const query = new URLSearchParams({ groupBy: values['group-by'] });
  if (values.from) query.set('from', values.from);
  if (values.to) query.set('to', values.to);
  const api = createClient(author.target, author.key);
  const report = UsageReportSchema.parse(await api('GET', `/api/admin/usage?${query.toString()}`));
  const table = usageTable(report, format);
  if (values.out) {
    writeFileSync(values.out, table);
    console.log(`wrote ${report.rows.length} row(s) and the total to ${values.out}`);
  } else {
    process.stdout.write(table);
  }
  return 0;
}

runCli(main);
