import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { createAuthorKey } from '../cli/keys';
import { applyLocalMigrations, startLocalServer, throwawayVars, type LocalServer } from '../scripts/local-server';
import { SEED_SOURCES } from '../scripts/source-seeds';

// Its own local state, wiped at every run; E2E_PERSIST_TO lets two runs on one machine keep apart.
const PERSIST_TO = process.env.E2E_PERSIST_TO ?? '.wrangler/e2e-state';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    authorKey: string;
    persistTo: string;
  }
}

let server: LocalServer | undefined;

/**
 * Starts the whole platform the way `npm start` does, on its own port and its own
 * local state, and pushes the sample course and its practice library with the author CLI.
 */
export async function setup(project: TestProject) {
  rmSync(PERSIST_TO, { recursive: true, force: true });
  applyLocalMigrations(PERSIST_TO);
  const { key } = await createAuthorKey(['content:write', 'admin'], 'e2e', {
    remote: false,
    env: undefined,
    persistTo: PERSIST_TO,
  });
  const port = Number(process.env.E2E_PORT ?? 8799);
  server = await startLocalServer({ port, persistTo: PERSIST_TO, quiet: true, vars: throwawayVars() });
  const pushed = spawnSync(
    'npx',
    ['tsx', 'cli/content.ts', 'push', 'seeds/course', '--target', server.url, '--key', key, '--wait'],
    { encoding: 'utf8' },
  );
  if (pushed.status !== 0) throw new Error(`pushing the sample course failed:\n${pushed.stdout}\n${pushed.stderr}`);
  // The practice-task library daily plans are made from, as `npm start` pushes it.
  const practice = spawnSync(
    'npx',
    ['tsx', 'cli/content.ts', 'practice', 'seeds/practice', '--target', server.url, '--key', key],
    { encoding: 'utf8' },
  );
  if (practice.status !== 0) throw new Error(`pushing the practice library failed:\n${practice.stdout}\n${practice.stderr}`);
  // The reference documents answers can cite, as `npm start` adds them.
  const sources = spawnSync(
    'npx',
    ['tsx', 'cli/content.ts', 'sources', 'add', ...SEED_SOURCES, '--target', server.url, '--key', key, '--wait'],
    { encoding: 'utf8' },
  );
  if (sources.status !== 0) throw new Error(`adding the seed sources failed:\n${sources.stdout}\n${sources.stderr}`);
  project.provide('baseUrl', server.url);
  project.provide('authorKey', key);
  project.provide('persistTo', PERSIST_TO);
}

export async function teardown() {
  await server?.stop();
}
