import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { sha256Hex } from '../workers/platform/sha256';
import { createAuthorKey } from '../cli/keys';
import type { DevLogFilter } from './dev-log';
import { d1Execute, readLocalAuthorKey, sqlText, writeLocalAuthorKey, type D1Target } from '../cli/local-env';

export interface LocalServer {
  url: string;
  stop(): Promise<void>;
  child: ChildProcess;
}

/** Applies D1 migrations to local state (wrangler's default folder, or `persistTo`). */
export function applyLocalMigrations(persistTo?: string, cwd?: string): void {
  const args = ['wrangler', 'd1', 'migrations', 'apply', 'DB', '--local'];
  if (persistTo) args.push('--persist-to', persistTo);
  const run = spawnSync('npx', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CI: 'true' },
  });
  if (run.status !== 0) throw new Error(`migrations failed:\n${run.stdout}\n${run.stderr}`);
}

/**
 * Returns a working local author key: the saved one if the database still knows
 * it, else a new one (saved for the CLI). Safe to call on every start.
 */
export async function ensureLocalAuthorKey(target: D1Target): Promise<string> {
  const saved = readLocalAuthorKey();
  if (saved) {
    const rows = d1Execute(
      `SELECT id FROM api_keys WHERE key_hash = ${sqlText(await sha256Hex(saved))} AND revoked_at IS NULL
       AND scopes LIKE '%"admin"%'`,
      target,
    );
    if (rows.length > 0) return saved;
  }
  // The local operator runs the admin commands too (moving learners, replaying dead letters).
  const { key } = await createAuthorKey(['content:write', 'admin'], 'local development', target);
  writeLocalAuthorKey(key);
  return key;
}

export interface ServerOptions {
  port: number;
  persistTo?: string;
  quiet?: boolean;
  /** Each line wrangler writes goes through this (null leaves it out) instead of straight to the terminal. */
  filter?: DevLogFilter;
  /**
   * Secrets and vars for this server only, instead of `.dev.vars` (tests and the
   * benchmark must not pick up a developer's model key).
   */
  vars?: Record<string, string>;
  /** Another checkout to run (the benchmark's baseline); default this one. */
  cwd?: string;
  /**
   * Run with every abuse limit raised far above load-test traffic (the benchmark: a few
   * learners send thousands of requests a minute). The limiters are still asked.
   */
  raisedLimits?: boolean;
}

const DEV_VARS = '.dev.vars';

/**
 * Gives local runs a learner-token secret: generated once into `.dev.vars` (which git
 * ignores) and kept, so learner tokens survive restarts. Other lines are left alone.
 */
export function ensureDevVars(path = DEV_VARS): void {
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  if (/^LEARNER_TOKEN_SECRET=/m.test(text)) return;
  const line = `LEARNER_TOKEN_SECRET=${randomBytes(32).toString('base64url')}\n`;
  writeFileSync(path, text && !text.endsWith('\n') ? `${text}\n${line}` : `${text}${line}`, { mode: 0o600 });
}

const RAISED_LIMITS_CONFIG = 'wrangler.bench.toml';

/**
 * Writes `wrangler.toml` with every rate limit raised (the learner objects' own count
 * too), beside it (relative paths must hold); its name.
 */
function raisedLimitsConfig(cwd: string): string {
  const config = readFileSync(join(cwd, 'wrangler.toml'), 'utf8')
    .replace(/simple = \{ limit = \d+, period = (\d+) \}/g, 'simple = { limit = 1000000, period = $1 }')
    .replace(/^\[vars\]$/m, '[vars]\nLEARNER_OBJECT_LIMIT = "1000000"');
  writeFileSync(join(cwd, RAISED_LIMITS_CONFIG), config);
  return RAISED_LIMITS_CONFIG;
}

/** A random secret for throwaway servers (tests, benchmark). */
export function throwawayVars(): Record<string, string> {
  return { LEARNER_TOKEN_SECRET: randomBytes(32).toString('base64url') };
}

/**
 * Spawns `wrangler dev` in its own process group (so stopping it stops workerd too).
 * The handle can stop it at once, even before it answers.
 */
export function launchLocalServer(options: ServerOptions): LocalServer {
  const args = ['wrangler', 'dev', '--ip', '127.0.0.1', '--port', String(options.port), '--show-interactive-dev-session=false'];
  if (options.persistTo) args.push('--persist-to', options.persistTo);
  if (options.raisedLimits) args.push('--config', raisedLimitsConfig(options.cwd ?? '.'));
  if (options.vars) {
    const file = join(mkdtempSync(join(tmpdir(), 'learnedge-vars-')), 'server.env');
    writeFileSync(
      file,
      Object.entries(options.vars)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(''),
      { mode: 0o600 },
    );
    args.push('--env-file', file);
  } else {
    ensureDevVars();
  }
  const output = options.quiet ? 'ignore' : options.filter ? 'pipe' : 'inherit';
  const child = spawn('npx', args, {
    cwd: options.cwd,
    detached: true,
    stdio: ['ignore', output, output],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  });
  const { filter } = options;
  if (filter && !options.quiet) {
    for (const [stream, write] of [
      [child.stdout, (line: string) => console.log(line)],
      [child.stderr, (line: string) => console.error(line)],
    ] as const) {
      if (!stream) continue;
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        const shown = filter.line(line);
        if (shown !== null) write(shown);
      });
    }
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode !== null || child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, 5000);
    await exited;
    clearTimeout(timer);
  };
  return { url: `http://127.0.0.1:${options.port}`, stop, child };
}

/** Resolves once the liveness route answers; stops the server if it never does. */
export async function waitUntilReady(server: LocalServer): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (server.child.exitCode !== null) throw new Error(`wrangler dev exited with code ${server.child.exitCode}`);
    try {
      const res = await fetch(`${server.url}/api/health/live`);
      if (res.ok) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error('wrangler dev did not answer within 90 s');
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Launches the Worker locally and waits until it answers. */
export async function startLocalServer(options: ServerOptions): Promise<LocalServer> {
  const server = launchLocalServer(options);
  await waitUntilReady(server);
  return server;
}

/**
 * A throwaway Worker on its own fresh state with the sample course pushed and
 * ingested (benchmark, evaluation). `vars` add to the throwaway secret.
 */
export async function startSeededServer(options: {
  port: number;
  persistTo: string;
  vars?: Record<string, string>;
  /** Course folder to push (default the sample course). */
  course?: string;
  /** Another checkout's Worker to run (the benchmark's baseline); `persistTo` should be absolute then. */
  cwd?: string;
  raisedLimits?: boolean;
}): Promise<{ server: LocalServer; pushOutput: string; key: string }> {
  rmSync(options.persistTo, { recursive: true, force: true });
  applyLocalMigrations(options.persistTo, options.cwd);
  const { key } = await createAuthorKey(['content:write', 'admin'], 'seeded', {
    remote: false,
    env: undefined,
    persistTo: options.persistTo,
  });
  const server = await startLocalServer({
    port: options.port,
    persistTo: options.persistTo,
    quiet: true,
    vars: { ...throwawayVars(), ...options.vars },
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.raisedLimits ? { raisedLimits: true } : {}),
  });
  // Not spawnSync: servers in this process (a local embedding server) must keep answering.
  const pushed = await runAsync('npx', [
    'tsx',
    'cli/content.ts',
    'push',
    options.course ?? 'seeds/course',
    '--target',
    server.url,
    '--key',
    key,
    '--wait',
  ]);
  if (pushed.status !== 0) {
    await server.stop();
    throw new Error(`push failed: ${pushed.stderr}`);
  }
  return { server, pushOutput: pushed.stdout, key };
}

function runAsync(command: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}
