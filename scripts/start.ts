/**
 * `npm start`: the whole platform locally. Applies D1 migrations, builds the site,
 * makes sure a local author key exists, starts the Worker (local D1/R2/KV/Queues),
 * pushes the sample course with the author CLI, and stays up until Ctrl-C, which
 * stops every process it started. Safe to run again: each step is idempotent.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createDevLogFilter } from './dev-log';
import { SEED_SOURCES } from './source-seeds';
import { startEmbeddingServer, type EmbeddingServer } from './embedding-server';
import {
  applyLocalMigrations,
  ensureDevVars,
  ensureLocalAuthorKey,
  launchLocalServer,
  waitUntilReady,
  type LocalServer,
} from './local-server';

const port = Number(process.env.PORT ?? 8787);
/** `npm start -- --verbose` (or LEARNEDGE_VERBOSE=1) shows all of wrangler's output; by default one line per request. */
const verbose = process.argv.includes('--verbose') || process.env.LEARNEDGE_VERBOSE === '1';
const url = `http://127.0.0.1:${port}`;

function step(label: string) {
  console.log(`\n▶ ${label}`);
}

async function portTaken(): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

function buildSite(): Promise<void> {
  return new Promise((resolve, reject) => {
    const build = spawn('npx', ['astro', 'build', '--root', 'site'], { stdio: ['ignore', 'ignore', 'inherit'] });
    build.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`site build failed (exit ${code})`))));
  });
}

/** `.dev.vars` as key/value pairs (KEY=value lines), to pass on with extra vars. */
function devVars(): Record<string, string> {
  ensureDevVars();
  return Object.fromEntries(
    readFileSync('.dev.vars', 'utf8')
      .split('\n')
      .flatMap((line) => {
        const at = line.indexOf('=');
        return at > 0 && !line.startsWith('#') ? [[line.slice(0, at).trim(), line.slice(at + 1).trim()]] : [];
      }),
  );
}

function run(command: string, args: string[]): Promise<number | null> {
  return new Promise((resolve) => spawn(command, args, { stdio: 'inherit' }).once('exit', resolve));
}

async function main(): Promise<number> {
  const embeddingsMode = process.env.LOCAL_EMBEDDINGS ?? 'hashing';
  if (embeddingsMode !== 'hashing' && embeddingsMode !== 'semantic') {
    console.error(`LOCAL_EMBEDDINGS must be hashing or semantic (not ${embeddingsMode}).`);
    return 2;
  }
  if (await portTaken()) {
    console.error(`Port ${port} is already in use (is another \`npm start\` running?). Stop it, or set PORT.`);
    return 1;
  }
  step('building the site and preparing local storage');
  const site = buildSite();
  applyLocalMigrations();
  await ensureLocalAuthorKey({ remote: false, env: undefined });
  await site;

  step(`starting the Worker on ${url}`);
  const started: { server?: LocalServer; embeddings?: EmbeddingServer } = {};
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await started.server?.stop();
    await started.embeddings?.close();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  if (embeddingsMode === 'semantic') {
    step('loading the local semantic embedding model (Universal Sentence Encoder lite, from node_modules)');
    started.embeddings = await startEmbeddingServer();
  }
  // Registered before waiting, so Ctrl-C during start-up stops wrangler too.
  const filter = createDevLogFilter({ verbose });
  const server = launchLocalServer(
    started.embeddings ? { port, filter, vars: { ...devVars(), ...started.embeddings.vars } } : { port, filter },
  );
  started.server = server;
  await waitUntilReady(server);
  server.child.once('exit', (code) => {
    if (!stopping) {
      console.error(`wrangler dev exited (${code ?? 'signal'})`);
      void stop(1);
    }
  });

  step('moving any learners still in D1 into their own objects');
  if ((await run('npx', ['tsx', 'cli/learners.ts', 'move', '--target', url])) !== 0) {
    console.error('Moving learners failed; each one still moves on their first request.');
  }

  step('pushing seeds/course with the author CLI');
  // Spawned asynchronously: the embedding server in this process must keep answering meanwhile.
  const pushed = await run('npx', ['tsx', 'cli/content.ts', 'push', 'seeds/course', '--target', url, '--wait']);
  if (pushed !== 0) {
    console.error('Pushing the sample course failed; the server keeps running.');
  } else {
    // Content pushed under the other embedder gets vectors of this one (a no-op when it has them).
    await run('npx', ['tsx', 'cli/content.ts', 'ingest', '--reindex', '--target', url]);
    step('pushing seeds/practice, the practice-task library');
    if ((await run('npx', ['tsx', 'cli/content.ts', 'practice', 'seeds/practice', '--target', url])) !== 0) {
      console.error('Pushing the practice library failed; the server keeps running.');
    }
    step('adding seeds/sources, reference documents answers can cite');
    if ((await run('npx', ['tsx', 'cli/content.ts', 'sources', 'add', ...SEED_SOURCES, '--target', url, '--wait'])) !== 0) {
      console.error('Adding the seed sources failed; the server keeps running.');
    }
  }

  console.log(
    `\n✔ LearnEdge is running at ${url}\n  site: ${url}/   API docs: ${url}/api/docs   search embedder: ${embeddingsMode}   Ctrl-C stops everything.\n`,
  );
  await new Promise(() => undefined);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
