import {
  CommitResponseSchema,
  PlanResponseSchema,
  type Manifest,
  type PlanSummary,
} from '../workers/features/content/content.schemas';
import { ProblemSchema } from '../workers/http/problem';
import { IngestStatusSchema } from '../workers/features/search/search.schemas';
import { loadCourseTree, type LoadedCourse, type TreeProblem } from './course-tree';
import { createProgress } from './progress';
import { readPushRecord, writePushRecord } from './push-record';

export interface PushOptions {
  dir: string;
  target: string;
  key: string | undefined;
  dryRun: boolean;
  prune: boolean;
  /** Push even when another push has moved the course since this copy last pushed (replacing its changes). */
  force?: boolean;
  /** Remove the lessons a prune drops without asking. */
  yes?: boolean;
  /** Asks the author a yes/no question; absent when no one can answer (not a terminal): then --yes is needed. */
  confirm?: (question: string) => Promise<boolean>;
  /** Wait until every lesson of this push is ingested. */
  wait: boolean;
  /** A doc tool's locale and version to import (default: its default locale, its current docs). */
  locale?: string | undefined;
  version?: string | undefined;
  /** Start every lesson slug with the course slug (`--prefix-slugs`). */
  prefixSlugs?: boolean;
  out: { log: (line: string) => void; error: (line: string) => void; progress: NodeJS.WriteStream | null };
}

export interface PushResult {
  ok: boolean;
  problems: TreeProblem[];
  summary?: PlanSummary;
  uploaded: number;
  version?: number;
}

const UPLOAD_CONCURRENCY = 6;
/** How many times a request the server rate-limited is sent again, after its Retry-After. */
const RATE_LIMIT_RETRIES = 3;

/** Thrown for a non-2xx answer; carries the problem+json the server sent. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: {
      code?: string;
      title?: string;
      detail?: string;
      errors?: { field: string; message: string }[];
    } | null,
  ) {
    super(problem?.detail ?? `HTTP ${status}`);
  }
}

/**
 * Pushes a course folder the way wrangler uploads assets: validate locally, send
 * the manifest, upload only the blobs the server lacks, then commit.
 */
export async function pushCourse(options: PushOptions): Promise<PushResult> {
  const { out } = options;
  const loaded = await loadCourseTree(options.dir, {
    locale: options.locale,
    version: options.version,
    prefixSlugs: options.prefixSlugs ?? false,
  });
  for (const w of loaded.warnings) out.error(`${w.file}:${w.line}: warning: ${w.message}`);
  for (const s of loaded.skipped) out.log(`${s.file}: skipped: ${s.message}`);
  const { locale, untranslated } = loaded.variant;
  if (untranslated.length > 0) {
    const some = `${untranslated.slice(0, 5).join(', ')}${untranslated.length > 5 ? ', …' : ''}`;
    out.log(
      `note: ${untranslated.length} lesson(s) have no ${locale ?? ''} translation and come in the default language: ${some}`,
    );
  }
  if (loaded.problems.length > 0) {
    for (const p of loaded.problems) out.error(`${p.file}:${p.line}: ${p.message}`);
    out.error(`${loaded.problems.length} problem(s); nothing was pushed.`);
    return { ok: false, problems: loaded.problems, uploaded: 0 };
  }
  const manifest: Manifest = { ...loaded.manifest, prune: options.prune };
  out.log(
    `${loaded.layout} course "${manifest.course.title}" (${manifest.course.slug}${describeVariant(loaded.variant)}): ${manifest.lessons.length} lessons, ${manifest.blobs.length} files` +
      (loaded.skipped.length > 0 ? `, ${loaded.skipped.length} page(s) skipped` : ''),
  );

  const api = createClient(options.target, options.key);
  const plan = PlanResponseSchema.parse(await api('POST', '/api/admin/content/plan', manifest));
  const record = await readPushRecord(options.dir, options.target, manifest.course.slug);
  // The server holds a version this copy has not seen: pushing would undo another author's push.
  if (record && plan.version > record.version && !options.force) {
    const moved = `The course on ${options.target} is at version ${plan.version}; this copy last pushed version ${record.version}: someone else has pushed since.`;
    if (!options.dryRun) {
      out.error(`${moved} Pull their changes into this folder, then push again (--force replaces their changes).`);
      return { ok: false, problems: [], uploaded: 0 };
    }
    out.error(`warning: ${moved}`);
  }
  const removing = plan.summary.removed.length;
  if (removing > 0) {
    const progress =
      plan.learnersWithProgress > 0
        ? `; ${plan.learnersWithProgress} learner(s) completed some of them and keep their progress only in their history`
        : '';
    const question = `This push removes ${removing} lesson(s) from the course (${plan.summary.removed.slice(0, 5).join(', ')}${removing > 5 ? ', …' : ''})${progress}.`;
    if (options.dryRun) out.log(question);
    else if (
      !(await askFirst(options, question, { ask: 'Remove them?', refused: 'Nothing was pushed.', rerun: 'remove them' }))
    ) {
      return { ok: false, problems: [], summary: plan.summary, uploaded: 0 };
    }
  }
  if (options.dryRun) {
    out.log(describe(plan.summary));
    out.log(`dry run: would upload ${plan.missing.length} file(s); nothing was changed`);
    return { ok: true, problems: [], summary: plan.summary, uploaded: 0 };
  }

  const progress = createProgress(plan.missing.length, options.out.progress, out.log);
  const queue = [...plan.missing];
  const worker = async () => {
    for (let hash = queue.shift(); hash; hash = queue.shift()) {
      const blob = loaded.blobs.get(hash);
      if (!blob) throw new Error(`server asked for ${hash}, which this push does not contain`);
      await api('PUT', `/api/admin/content/blobs/${hash}`, blob.bytes, blob.contentType);
      progress.tick(blob.file);
    }
  };
  await Promise.all(Array.from({ length: Math.min(UPLOAD_CONCURRENCY, queue.length) }, worker));
  progress.done();

  let commit;
  try {
    const body: Manifest = { ...manifest, baseVersion: plan.version };
    commit = CommitResponseSchema.parse(await api('POST', '/api/admin/content/commit', body));
  } catch (error) {
    if (!(error instanceof ApiError) || error.problem?.code !== 'stale_push') throw error;
    out.error(`${error.message} Nothing was changed.`);
    return { ok: false, problems: [], uploaded: plan.missing.length };
  }
  await writePushRecord(options.dir, options.target, { course: manifest.course.slug, version: commit.version });
  out.log(describe(commit.summary));
  out.log(
    `uploaded ${plan.missing.length} file(s); course version ${commit.version}; ${commit.enqueued} lesson(s) queued for ingest`,
  );
  if (options.wait && commit.enqueued > 0) await waitForIngest(api, manifest, out);
  return { ok: true, problems: [], summary: commit.summary, uploaded: plan.missing.length, version: commit.version };
}

export type Api = (method: string, path: string, body?: unknown, contentType?: string) => Promise<unknown>;

/**
 * Asks before a removal: true with `--yes`, or when the author answers yes on the terminal;
 * otherwise says what was not done (and, without a terminal, to run again with --yes).
 */
export async function askFirst(
  options: Pick<PushOptions, 'yes' | 'confirm'> & { out: { error: (line: string) => void } },
  question: string,
  words: { ask: string; refused: string; rerun: string },
): Promise<boolean> {
  if (options.yes) return true;
  if (options.confirm && (await options.confirm(`${question} ${words.ask} [y/N] `))) return true;
  options.out.error(`${question} ${words.refused} ${options.confirm ? '' : `Run again with --yes to ${words.rerun}.`}`.trim());
  return false;
}

export function createClient(target: string, key: string | undefined): Api {
  return async (method, path, body, contentType) => {
    const headers: Record<string, string> = {};
    if (key) headers.authorization = `Bearer ${key}`;
    let payload: BodyInit | undefined;
    if (body instanceof FormData) {
      payload = body; // fetch writes the multipart content type with its boundary
    } else if (body instanceof Uint8Array) {
      payload = body as Uint8Array<ArrayBuffer>;
      headers['content-type'] = contentType ?? 'application/octet-stream';
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    let response: Response;
    try {
      response = await fetch(new URL(path, target), { method, headers, body: payload });
      // Over the author's rate limit (a push of many files): wait as told, a few times.
      for (let attempt = 1; response.status === 429 && attempt <= RATE_LIMIT_RETRIES; attempt++) {
        await response.arrayBuffer();
        const seconds = Math.min(Number(response.headers.get('retry-after')) || 1, 60);
        await new Promise((r) => setTimeout(r, seconds * 1000));
        response = await fetch(new URL(path, target), { method, headers, body: payload });
      }
    } catch (error) {
      throw new Error(
        `cannot reach ${target}: ${error instanceof Error ? error.message : String(error)}. Is the server running (npm start)?`,
        {
          cause: error,
        },
      );
    }
    const text = await response.text();
    if (!response.ok) {
      throw new ApiError(response.status, readProblem(text));
    }
    return text ? (JSON.parse(text) as unknown) : null;
  };
}

async function waitForIngest(api: Api, manifest: Manifest, out: PushOptions['out']): Promise<void> {
  const wanted = new Map(manifest.lessons.map((l) => [l.slug, l.contentHash]));
  const started = Date.now();
  for (;;) {
    const { items } = IngestStatusSchema.parse(await api('GET', '/api/admin/ingest/status'));
    const mine = items.filter((i) => i.kind === 'lesson' && wanted.get(i.id) === i.contentHash);
    const pending = mine.filter((l) => l.status === 'pending').length;
    const failed = mine.filter((l) => l.status === 'failed');
    if (pending === 0) {
      for (const f of failed) out.error(`ingest failed: ${f.id}: ${f.error ?? 'unknown error'}`);
      out.log(
        `ingested ${mine.length - failed.length}/${wanted.size} lesson(s) in ${((Date.now() - started) / 1000).toFixed(1)} s after commit`,
      );
      return;
    }
    if (Date.now() - started > 120_000) throw new Error(`${pending} lesson(s) still pending ingest after 120 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The server's problem+json, or its first words when the body is not one (a proxy's error page). */
function readProblem(text: string): ApiError['problem'] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { detail: text.slice(0, 200) };
  }
  const parsed = ProblemSchema.partial().safeParse(json);
  return parsed.success ? parsed.data : { detail: text.slice(0, 200) };
}

function describe(s: PlanSummary): string {
  const parts = [
    `added ${s.added.length}`,
    `changed ${s.changed.length}`,
    `unchanged ${s.unchanged.length}`,
    `removed ${s.removed.length}`,
  ];
  if (s.kept.length > 0) parts.push(`kept ${s.kept.length} not in this tree (use --prune to remove)`);
  return parts.join(', ');
}

/** Runs a CLI's main and exits with its code; an API problem prints its title and field errors. */
export function runCli(main: (argv: string[]) => Promise<number>): void {
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
}

/** The locale and version a push read, among those its tree offers ("" for a tree with neither). */
function describeVariant(variant: LoadedCourse['variant']): string {
  const parts = [
    variant.locales.length > 1
      ? `${variant.locale ? `locale ${variant.locale}` : 'default locale'} of ${variant.locales.join(', ')}`
      : '',
    variant.versions.length > 0
      ? `${variant.version ? `version ${variant.version}` : 'current version'} of current, ${variant.versions.join(', ')}`
      : '',
  ].filter(Boolean);
  return parts.length > 0 ? `; ${parts.join('; ')}` : '';
}
