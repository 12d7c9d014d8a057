import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { authorTarget, defaultTarget } from './local-env';
import { z } from 'zod';
import { createClient, pushCourse, runCli } from './push';
import { pushPracticeLibrary } from './practice';
import { removeCourse } from './course-remove';
import { addSources, deleteSource, listSources } from './sources';
import { IngestStatusSchema } from '../workers/features/search/search.schemas';

const USAGE = `Usage: npm run content -- push <dir> [--target <url>] [--dry-run] [--prune] [--yes] [--wait] [--force] [--key <author key>]
                                  [--locale <code>] [--version <name>] [--prefix-slugs]
       npm run content -- remove <course> [--yes] [--target <url>] [--key <author key>]
       npm run content -- practice <dir> [--course <course>] [--dry-run] [--target <url>] [--key <author key>]
       npm run content -- ingest [--retry-failed | --reindex | --copy-vectors] [--target <url>] [--key <author key>]
       npm run content -- sources add <files...> [--title <title>] [--wait]
       npm run content -- sources list
       npm run content -- sources delete <id>

  push <dir>   validate a course folder and upload what changed: it adds the course its slug
               names to the catalog, or updates it
  remove <course>
               remove a course and its content from the catalog (says how many learners have
               progress in it and asks first; --yes answers for scripts)
  practice <dir>
               validate a practice-task library (a folder of YAML lists, e.g. seeds/practice)
               and replace a course's library with it (--course, default: the default course, whose
               library serves courses without one); any problem: nothing is sent
  ingest       show each lesson's and source's ingest state (chunks, embedder, last error);
               --retry-failed queues every failed item again; --reindex embeds every item
               that lacks vectors of the server's current embedder, and waits for it;
               --copy-vectors copies every recorded vector into the serving index (Vectorize)
  sources      add knowledge sources (PDF, DOCX, TXT, Markdown; 20 MB each), list or delete them;
               --wait waits until each added file is searchable (or failed)
  --title      title of the added source(s) (default: the file name)
  --target     API origin (default ${defaultTarget()})
  --dry-run    validate and show what would change; upload nothing
  --prune      remove lessons that are no longer in the folder (asks first, saying how many
               learners completed them; --yes answers for you, as scripts and CI must)
  --wait       wait until every changed lesson is ingested
  --locale     a Starlight or Docusaurus tree's locale to import (default: its default locale); pages it has
               not translated come in the default language, and the course slug ends in the locale
  --version    a Docusaurus tree's version to import (versioned_docs/version-<name>; default: docs/, the
               current one); the course slug and title end in the version
  --prefix-slugs
               start every lesson slug with the course slug (<course>-<lesson>): lesson slugs are unique
               across the catalog, so a course whose slugs another course already uses needs this
  --force      push even though someone else pushed since this folder last did (replaces their changes);
               each push records the version it made in <dir>/.learnedge/push.json: commit it with the course
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
      force: { type: 'boolean', default: false },
      yes: { type: 'boolean', short: 'y', default: false },
      'retry-failed': { type: 'boolean', default: false },
      reindex: { type: 'boolean', default: false },
      'copy-vectors': { type: 'boolean', default: false },
      title: { type: 'string' },
      locale: { type: 'string' },
      version: { type: 'string' },
      'prefix-slugs': { type: 'boolean', default: false },
      course: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, dir] = positionals;
  const [, action, ...rest] = positionals;
  const sourcesValid =
    command === 'sources' &&
    ((action === 'add' && rest.length > 0) ||
      (action === 'list' && rest.length === 0) ||
      (action === 'delete' && rest.length === 1));
  const valid =
    ((command === 'push' || command === 'practice' || command === 'remove') && dir) || command === 'ingest' || sourcesValid;
  if (values.help || !valid) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const author = authorTarget(values);
  if (!author) return 2;
  const { target, key } = author;
  if (command === 'ingest') {
    const api = createClient(target, key);
    if (values.reindex) return reindex(api);
    if (values['copy-vectors']) return copyVectors(api);
    return ingest(api, values['retry-failed']);
  }
  if (command === 'sources') {
    const api = createClient(target, key);
    const out = { log: (l: string) => console.log(l), error: (l: string) => console.error(l) };
    if (action === 'add') return (await addSources(api, rest, { title: values.title, wait: values.wait, out })) ? 0 : 1;
    if (action === 'list') await listSources(api, out);
    else await deleteSource(api, rest[0] ?? '', out);
    return 0;
  }
  if (!dir) return 2;
  if (command === 'remove') {
    const out = { log: (l: string) => console.log(l), error: (l: string) => console.error(l) };
    const confirm = process.stdin.isTTY ? { confirm: ask } : {};
    return (await removeCourse(createClient(target, key), dir, { yes: values.yes, ...confirm, out })) ? 0 : 1;
  }
  if (command === 'practice') {
    const out = { log: (l: string) => console.log(l), error: (l: string) => console.error(l) };
    return (await pushPracticeLibrary(createClient(target, key), { dir, dryRun: values['dry-run'], course: values.course, out }))
      ? 0
      : 1;
  }
  const result = await pushCourse({
    dir,
    target,
    key,
    dryRun: values['dry-run'],
    prune: values.prune,
    force: values.force,
    yes: values.yes,
    ...(process.stdin.isTTY ? { confirm: ask } : {}),
    wait: values.wait,
    locale: values.locale,
    version: values.version,
    prefixSlugs: values['prefix-slugs'],
    out: { log: (l) => console.log(l), error: (l) => console.error(l), progress: process.stderr },
  });
  return result.ok ? 0 : 1;
}

/** A yes/no question on the terminal; anything but y or yes is no. */
async function ask(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await prompt.question(question)).trim());
  } finally {
    prompt.close();
  }
}

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

/** Copies recorded vectors into the serving index page by page, following the cursor. */
async function copyVectors(api: ReturnType<typeof createClient>): Promise<number> {
  const Page = z.object({ copied: z.number(), next: z.string().nullable() });
  let after: string | null = null;
  let total = 0;
  do {
    const page: z.infer<typeof Page> = Page.parse(await api('POST', '/api/admin/ingest/copy-vectors', { after }));
    total += page.copied;
    after = page.next;
  } while (after !== null);
  console.log(total === 0 ? 'nothing to copy (the local index is its own record)' : `copied ${total} vector(s)`);
  return 0;
}

/** Queues items without vectors of the current embedder, then waits until each has them (bounded). */
async function reindex(api: ReturnType<typeof createClient>): Promise<number> {
  const { requeued } = z.object({ requeued: z.array(z.string()) }).parse(await api('POST', '/api/admin/ingest/reindex'));
  if (requeued.length === 0) {
    console.log('every item has vectors of the current embedder; nothing queued');
    return 0;
  }
  console.log(`embedding ${requeued.length} item(s) with the current embedder…`);
  const started = Date.now();
  const wanted = new Set(requeued);
  for (;;) {
    const status = IngestStatusSchema.parse(await api('GET', '/api/admin/ingest/status'));
    const waiting = status.items.filter(
      (i) => wanted.has(i.id) && i.status !== 'failed' && !i.embedders.includes(status.embedder),
    );
    if (waiting.length === 0) {
      console.log(
        `re-indexed ${requeued.length} item(s) with ${status.embedder} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      return 0;
    }
    if (Date.now() - started > 300_000) {
      console.error(`${waiting.length} item(s) still without vectors after 300 s`);
      return 1;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

runCli(main);
