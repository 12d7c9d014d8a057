import { parseArgs } from 'node:util';
import { defaultTarget, resolveAuthorKey } from './local-env';
import { z } from 'zod';
import { ApiError, createClient, pushCourse } from './push';

const USAGE = `Usage: npm run content -- push <dir> [--target <url>] [--dry-run] [--prune] [--wait] [--key <author key>]
       npm run content -- ingest [--retry-failed] [--target <url>] [--key <author key>]

  push <dir>   validate a course folder and upload what changed
  ingest       show each lesson's ingest state (chunks, embedder, last error);
               --retry-failed queues every failed lesson again
  --target     API origin (default ${defaultTarget()})
  --dry-run    validate and show what would change; upload nothing
  --prune      remove lessons that are no longer in the folder
  --wait       wait until every changed lesson is ingested
  --key        author key (default: $LEARNEDGE_AUTHOR_KEY, or the local dev key for a loopback target)`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      target: { type: 'string' },
      key: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      prune: { type: 'boolean', default: false },
      wait: { type: 'boolean', default: false },
      'retry-failed': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, dir] = positionals;
  const valid = (command === 'push' && dir) || command === 'ingest';
  if (values.help || !valid) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const target = values.target ?? defaultTarget();
  const key = resolveAuthorKey(values.key, target);
  if (!key) {
    console.error('No author key: pass --key, set LEARNEDGE_AUTHOR_KEY, or run `npm start` once to create the local one.');
    return 2;
  }
  if (command === 'ingest') return ingest(createClient(target, key), values['retry-failed']);
  if (!dir) return 2;
  const result = await pushCourse({
    dir,
    target,
    key,
    dryRun: values['dry-run'],
    prune: values.prune,
    wait: values.wait,
    out: { log: (l) => console.log(l), error: (l) => console.error(l), progress: process.stderr },
  });
  return result.ok ? 0 : 1;
}

const IngestStatusSchema = z.object({
  embedder: z.string(),
  counts: z.object({ pending: z.number(), ingested: z.number(), failed: z.number() }),
  items: z.array(z.object({ id: z.string(), status: z.string(), chunks: z.number(), error: z.string().nullable() })),
});

async function ingest(api: ReturnType<typeof createClient>, retryFailed: boolean): Promise<number> {
  if (retryFailed) {
    const { requeued } = z.object({ requeued: z.array(z.string()) }).parse(await api('POST', '/api/admin/ingest/retry-failed'));
    console.log(requeued.length === 0 ? 'nothing failed; nothing queued' : `queued again: ${requeued.join(', ')}`);
    return 0;
  }
  const status = IngestStatusSchema.parse(await api('GET', '/api/admin/ingest/status'));
  for (const item of status.items) {
    console.log(
      `${item.status.padEnd(8)} ${String(item.chunks).padStart(4)} chunks  ${item.id}${item.error ? `  (${item.error})` : ''}`,
    );
  }
  const { pending, ingested, failed } = status.counts;
  console.log(`${ingested} ingested, ${pending} pending, ${failed} failed; embedder ${status.embedder}`);
  return failed > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ApiError) {
      console.error(`${error.status} ${error.problem?.title ?? ''}: ${error.message}`);
      for (const e of error.problem?.errors ?? []) console.error(`  ${e.field}: ${e.message}`);
    } else {
      console.error(error instanceof Error ? error.message : String(error));
    }
    process.exit(1);
  },
);
