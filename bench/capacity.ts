import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { resolve } from 'node:path';
import { createAuthorKey } from '../cli/keys';
import { startSeededServer, type LocalServer } from '../scripts/local-server';
import { measure, percentile, roundRobin } from './measure';
import { createLearner, heartbeat, learnerHeaders, type ProgressLearner, type RequestParts } from './progress';
import { timingCount } from './server-timing';

/**
 * Learner-state capacity, before and after, in one run: the D1 path (the baseline
 * commit, served from a git worktree of it with only Server-Timing write counting
 * added by `bench/baseline-meter.patch`) against the learner objects (this checkout).
 * Each side runs on its own Worker and fresh state, with the same requests.
 */

/** The last commit before learner objects: every learner write went to D1. */
const BASELINE = process.env.BENCH_BASELINE ?? '1b25aa7';
const WORKTREE = resolve('.wrangler/bench-baseline');
const LEARNERS = 100;
const BURST_CONNECTIONS = 20;
const LOAD_CONNECTIONS = Number(process.env.BENCH_LOAD_CONNECTIONS ?? 1000);
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 60);
const BENCH_LESSON = 'filtering-with-where';
const SAMPLES = 10;

export interface CapacityRow {
  side: string;
  row: string;
  connections: number;
  requests: number;
  /** 2xx responses: each a newly applied event on the write rows. */
  ok: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  non2xx: number;
  errors: number;
}

export interface SideIo {
  side: string;
  answer: { d1Queries: number; d1Writes: number; learnerCalls: number };
  heartbeat: { d1Queries: number; d1Writes: number; learnerCalls: number };
  /** Queue messages the learner objects sent per applied answer (null on the D1 path: it sends none). */
  messagesPerAnswer: number | null;
  /** Peak resident memory of the Worker's workerd processes during the 1,000-connection load, MB. */
  peakRssMb: number;
}

export interface Capacity {
  baseline: string;
  rows: CapacityRow[];
  io: SideIo[];
}

interface Side {
  name: string;
  server: LocalServer;
  /** Admin keys: each reads the delivery counts once per row (the operational routes allow 120 a minute per key). */
  keys: [string, string];
  learners: (ProgressLearner & { id: string })[];
  item: string;
}

/** Vars of the learner-objects side, from BENCH_AFTER_VARS (JSON), to measure its knobs. */
function afterVars(): Record<string, string> {
  return JSON.parse(process.env.BENCH_AFTER_VARS ?? '{}') as Record<string, string>;
}

/** A fresh worktree of the baseline commit with the metering patch, sharing this checkout's node_modules and site. */
function baselineCheckout(): string {
  if (existsSync(WORKTREE)) execFileSync('git', ['worktree', 'remove', '--force', WORKTREE]);
  execFileSync('git', ['worktree', 'add', '--detach', '--force', WORKTREE, BASELINE], { stdio: 'ignore' });
  execFileSync('git', ['-C', WORKTREE, 'apply', resolve('bench/baseline-meter.patch')]);
  symlinkSync(resolve('node_modules'), resolve(WORKTREE, 'node_modules'));
  mkdirSync(resolve(WORKTREE, 'site'), { recursive: true });
  if (existsSync(resolve('site/dist'))) symlinkSync(resolve('site/dist'), resolve(WORKTREE, 'site/dist'));
  else mkdirSync(resolve(WORKTREE, 'site/dist'), { recursive: true });
  return WORKTREE;
}

async function givenSide(name: string, port: number, persistTo: string, octet: number, cwd?: string): Promise<Side> {
  const vars = cwd ? {} : afterVars();
  const { server, key } = await startSeededServer({
    port,
    persistTo: resolve(persistTo),
    vars,
    raisedLimits: true,
    ...(cwd ? { cwd } : {}),
  });
  const second = await createAuthorKey(['admin'], 'bench operations', {
    remote: false,
    env: undefined,
    persistTo: resolve(persistTo),
  });
  const learners = await Promise.all(
    Array.from({ length: LEARNERS }, async (_, i) => {
      const learner = await createLearner(server.url, `10.${octet}.${Math.floor(i / 200)}.${(i % 200) + 1}`);
      const me = await (
        await fetch(`${server.url}/api/learners/me`, { headers: learnerHeaders(learner) })
      ).json<{ learnerId: string }>();
      return { ...learner, id: me.learnerId };
    }),
  );
  const first = learners[0];
  if (!first) throw new Error('no learners');
  const next = await (
    await fetch(`${server.url}/api/quizzes/${BENCH_LESSON}/next`, { headers: learnerHeaders(first) })
  ).json<{ item: { id: string } | null }>();
  if (!next.item) throw new Error(`${BENCH_LESSON} has no quiz item`);
  return { name, server, keys: [key, second.key], learners, item: next.item.id };
}

/** One graded answer with a fresh event id (a new event every time). */
const answer =
  (item: string) =>
  (learner: ProgressLearner): RequestParts => ({
    method: 'POST',
    headers: { ...learnerHeaders(learner), 'content-type': 'application/json' },
    body: JSON.stringify({ eventId: randomUUID(), itemId: item, answer: 0 }),
  });

const ANSWER_PATH = '/api/quizzes/attempts';
const HEARTBEAT_PATH = `/api/progress/lessons/${BENCH_LESSON}/time`;

async function load(
  side: Side,
  row: string,
  options: {
    path: string | ((parts: RequestParts) => string);
    learners: ProgressLearner[];
    parts: (l: ProgressLearner) => RequestParts;
    connections: number;
    seconds: number;
  },
): Promise<CapacityRow> {
  const next = roundRobin(options.learners, options.parts);
  const path = typeof options.path === 'string' ? options.path : ANSWER_PATH;
  const { result, times } = await measure({
    url: `${side.server.url}${path}`,
    connections: options.connections,
    duration: options.seconds,
    timeout: 30,
    requests: [
      {
        setupRequest: (request) => {
          const parts = next();
          const target = typeof options.path === 'string' ? options.path : options.path(parts);
          return { ...request, ...parts, path: target };
        },
      },
    ],
  });
  return {
    side: side.name,
    row,
    connections: options.connections,
    requests: result.requests.total,
    ok: result['2xx'],
    perSecond: Math.round(result['2xx'] / options.seconds),
    p50: result.latency.p50,
    p95: percentile(times, 95),
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/** The most I/O one of a few sequential requests made, from Server-Timing. */
async function io(side: Side, path: string, parts: (l: ProgressLearner) => RequestParts) {
  const most = { d1Queries: 0, d1Writes: 0, learnerCalls: 0 };
  for (let i = 0; i < SAMPLES; i++) {
    const learner = side.learners[i % side.learners.length] as ProgressLearner;
    const response = await fetch(`${side.server.url}${path}`, parts(learner));
    if (!response.ok) throw new Error(`${path} failed on ${side.name}: ${response.status} ${await response.text()}`);
    const timing = response.headers.get('server-timing') ?? '';
    most.d1Queries = Math.max(most.d1Queries, timingCount(timing, 'd1') ?? 0);
    most.d1Writes = Math.max(most.d1Writes, timingCount(timing, 'd1w') ?? 0);
    most.learnerCalls = Math.max(most.learnerCalls, timingCount(timing, 'learner') ?? 0);
  }
  return most;
}

/** Resident memory of the server's workerd processes (its process group), MB. */
function workerdRssMb(server: LocalServer): number {
  const pgid = server.child.pid;
  if (pgid === undefined) return 0;
  try {
    const out = execFileSync('ps', ['-o', 'rss=,comm=', '-g', String(pgid)], { encoding: 'utf8' });
    const kb = out
      .split('\n')
      .filter((line) => line.includes('workerd'))
      .reduce((sum, line) => sum + Number(line.trim().split(/\s+/)[0] ?? 0), 0);
    return Math.round(kb / 1024);
  } catch {
    return 0;
  }
}

/** Queue messages the learners' objects sent, summed from the delivery route once their alarms have flushed. */
async function messagesSent(side: Side, learners: (ProgressLearner & { id: string })[], key: string): Promise<number> {
  await new Promise((r) => setTimeout(r, 3000));
  let messages = 0;
  for (const learner of learners) {
    const response = await fetch(`${side.server.url}/api/admin/learners/${learner.id}/delivery`, {
      headers: { authorization: `Bearer ${key}` },
    });
    if (!response.ok) throw new Error(`delivery of ${learner.id}: ${response.status} ${await response.text()}`);
    messages += (await response.json<{ messagesSent: number }>()).messagesSent;
  }
  return messages;
}

async function measureSide(side: Side, seconds: number, objects: boolean): Promise<{ rows: CapacityRow[]; io: SideIo }> {
  const rows: CapacityRow[] = [];
  const one = side.learners.slice(0, 1);
  const twenty = side.learners.slice(0, BURST_CONNECTIONS);
  const all = side.learners;
  const ans = answer(side.item);
  const ioAnswer = await io(side, ANSWER_PATH, ans);
  // The first heartbeat of a lesson reads its course; later ones (sampled below) need not.
  await io(side, HEARTBEAT_PATH, heartbeat);
  const ioHeartbeat = await io(side, HEARTBEAT_PATH, heartbeat);
  rows.push(
    await load(side, 'graded answers, one learner', { path: ANSWER_PATH, learners: one, parts: ans, connections: 10, seconds }),
  );
  const before = objects ? await messagesSent(side, all, side.keys[0]) : 0;
  const burst = await load(side, 'graded answers, 20 learners', {
    path: ANSWER_PATH,
    learners: twenty,
    parts: ans,
    connections: BURST_CONNECTIONS,
    seconds,
  });
  rows.push(burst);
  const hundred = await load(side, 'graded answers, 100 learners', {
    path: ANSWER_PATH,
    learners: all,
    parts: ans,
    connections: BURST_CONNECTIONS,
    seconds,
  });
  rows.push(hundred);
  const answered = burst.ok + hundred.ok;
  const messagesPerAnswer = objects ? (await messagesSent(side, all, side.keys[1])) - before : null;
  rows.push(
    await load(side, 'heartbeats, 100 learners', {
      path: HEARTBEAT_PATH,
      learners: all,
      parts: heartbeat,
      connections: BURST_CONNECTIONS,
      seconds,
    }),
  );
  // Mixed load: one answer to three heartbeats, over every learner.
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, workerdRssMb(side.server))), 1000);
  let i = 0;
  const mixed = (learner: ProgressLearner) => (i++ % 4 === 0 ? ans(learner) : heartbeat(learner));
  try {
    rows.push(
      await load(side, `mixed (1 answer : 3 heartbeats), ${LOAD_CONNECTIONS} connections`, {
        path: (parts) => (parts.method === 'POST' ? ANSWER_PATH : HEARTBEAT_PATH),
        learners: all,
        parts: mixed,
        connections: LOAD_CONNECTIONS,
        seconds: LOAD_SECONDS,
      }),
    );
  } finally {
    clearInterval(sampler);
  }
  return {
    rows,
    io: {
      side: side.name,
      answer: ioAnswer,
      heartbeat: ioHeartbeat,
      messagesPerAnswer: messagesPerAnswer === null || answered === 0 ? null : Number((messagesPerAnswer / answered).toFixed(3)),
      peakRssMb: peak,
    },
  };
}

/** Runs both sides one after the other (never at once: two cores). */
export async function capacity(options: { port: number; persistTo: string; seconds: number }): Promise<Capacity> {
  const sides: { rows: CapacityRow[]; io: SideIo }[] = [];
  const checkout = baselineCheckout();
  try {
    const all = [
      [`before: D1 path (${BASELINE})`, checkout, 91],
      ['after: learner objects', undefined, 92],
    ] as const;
    // BENCH_SIDES=after measures only the learner objects (to try a knob quickly).
    for (const [name, cwd, octet] of all.filter(([, cwd]) => process.env.BENCH_SIDES !== 'after' || cwd === undefined)) {
      const side = await givenSide(name, options.port, `${options.persistTo}-${octet}`, octet, cwd);
      try {
        sides.push(await measureSide(side, options.seconds, cwd === undefined));
      } finally {
        await side.server.stop();
      }
    }
  } finally {
    execFileSync('git', ['worktree', 'remove', '--force', checkout]);
    rmSync(checkout, { recursive: true, force: true });
  }
  return { baseline: BASELINE, rows: sides.flatMap((s) => s.rows), io: sides.map((s) => s.io) };
}

export function printCapacity(result: Capacity): void {
  console.log(`\nLearner-state capacity: before (D1 path, ${result.baseline}) and after (learner objects), loopback\n`);
  console.log('| side | load | connections | requests | 2xx/s | p50 ms | p95 ms | p99 ms | non-2xx | errors |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of result.rows) {
    console.log(
      `| ${r.side} | ${r.row} | ${r.connections} | ${r.requests} | ${r.perSecond} | ${r.p50} | ${r.p95} | ${r.p99} | ${r.non2xx} | ${r.errors} |`,
    );
  }
  console.log(
    '\n| side | D1 queries / answer | D1 writes / answer | D1 queries / heartbeat | D1 writes / heartbeat | object calls / answer | queue messages / answer | peak workerd RSS MB |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const s of result.io) {
    console.log(
      `| ${s.side} | ${s.answer.d1Queries} | ${s.answer.d1Writes} | ${s.heartbeat.d1Queries} | ${s.heartbeat.d1Writes} | ${s.answer.learnerCalls} | ${s.messagesPerAnswer ?? '0 (no queue)'} | ${s.peakRssMb} |`,
    );
  }
}
