import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where local-only secrets live; `.wrangler/` is git-ignored and is wrangler's own state folder. */
export const LOCAL_STATE_DIR = '.wrangler';
export const LOCAL_AUTHOR_KEY_FILE = join(LOCAL_STATE_DIR, 'author-key.local');

export function defaultTarget(): string {
  return `http://127.0.0.1:${process.env.PORT ?? '8787'}`;
}

/** Author key for a push: flag, then LEARNEDGE_AUTHOR_KEY, then the local dev key file. */
export function resolveAuthorKey(flag: string | undefined, target: string): string | undefined {
  if (flag) return flag;
  if (process.env.LEARNEDGE_AUTHOR_KEY) return process.env.LEARNEDGE_AUTHOR_KEY;
  const host = new URL(target).hostname;
  const loopback = host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
  return loopback ? readLocalAuthorKey() : undefined;
}

/**
 * The API origin and author key a CLI command acts with (flags, else their defaults),
 * or null after printing how to provide a key when none is found.
 */
export function authorTarget(flags: {
  target?: string | undefined;
  key?: string | undefined;
}): { target: string; key: string } | null {
  const target = flags.target ?? defaultTarget();
  const key = resolveAuthorKey(flags.key, target);
  if (key) return { target, key };
  console.error('No author key: pass --key, set LEARNEDGE_AUTHOR_KEY, or run `npm start` once to create the local one.');
  return null;
}

export function readLocalAuthorKey(): string | undefined {
  return existsSync(LOCAL_AUTHOR_KEY_FILE) ? readFileSync(LOCAL_AUTHOR_KEY_FILE, 'utf8').trim() || undefined : undefined;
}

export function writeLocalAuthorKey(key: string): void {
  mkdirSync(dirname(LOCAL_AUTHOR_KEY_FILE), { recursive: true });
  writeFileSync(LOCAL_AUTHOR_KEY_FILE, `${key}\n`, { mode: 0o600 });
}

export interface D1Target {
  /** `--local` (default), or `--remote` with an optional wrangler environment. */
  remote: boolean;
  env: string | undefined;
  /** Local state folder other than wrangler's default (tests and benchmarks use their own). */
  persistTo?: string;
}

/** Runs SQL against the DB binding through wrangler (local state or the deployed database). */
export function d1Execute(sql: string, target: D1Target): unknown[] {
  const args = ['wrangler', 'd1', 'execute', 'DB', target.remote ? '--remote' : '--local', '--json', '--command', sql];
  if (target.env) args.push('--env', target.env);
  if (target.persistTo && !target.remote) args.push('--persist-to', target.persistTo);
  const run = spawnSync('npx', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (run.status !== 0) throw new Error(`wrangler d1 execute failed:\n${run.stderr || run.stdout}`);
  const parsed = JSON.parse(run.stdout) as { results?: unknown[] }[];
  return parsed.flatMap((r) => r.results ?? []);
}

/** SQL string literal (single quotes doubled); values here are ids and hashes we generated. */
export function sqlText(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
