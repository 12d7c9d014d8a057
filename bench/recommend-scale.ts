import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyLocalMigrations, startLocalServer, throwawayVars } from '../scripts/local-server';
import { newAuthorKey } from '../workers/features/keys/keys.domain';
import { graphCourseSql, lessonSlug } from './graph-course';
import { percentile } from './measure';
import type { ProgressLearner } from './progress';
import { givenRecommendationLearners, recommendationsInit, RECOMMENDATIONS_PATH, refreshPairs } from './recommendations';
import { timingCount, timingDuration } from './server-timing';

/** Course sizes (lessons) the uncached ranking is measured at. */
const SIZES = [100, 1_000, 10_000];
/** Measured uncached requests per size by learners without a goal, the course in the isolate. */
const PLAIN_REQUESTS = 20;
/** Measured uncached requests per size by learners whose goal is a lesson mid-course (a path to plan). */
const GOAL_REQUESTS = 10;
/** Unmeasured uncached requests before those (the isolate's first rankings over the new course). */
const WARMUP_REQUESTS = 3;
/**
 * Uncached requests per size that also read the course (the first after a load, then one
 * after each course version bump): few, as each bump is a `wrangler d1 execute` of ~4 s.
 */
const COLD_REQUESTS = 3;

interface Sample {
  ms: number;
  app: number | null;
  d1: number | null;
  cached: boolean | undefined;
}

export interface ScaleRow {
  lessons: number;
  kind: 'no goal' | 'lesson goal' | 'cold course';
  requests: number;
  /** Client-side latency, sequential requests (ms). */
  p50: number;
  p95: number;
  /** The Worker's own `app;dur` from Server-Timing (ms). */
  appP50: number | null;
  appP95: number | null;
  /** p50 and p95 as multiples of the smallest size's, same kind. */
  p50Ratio: number;
  p95Ratio: number;
  /** Fewest and most D1 queries a request made. */
  d1: [number, number] | null;
  /** Every body said `cached: false`. */
  allUncached: boolean;
}

export interface ScalePoint {
  lessons: number;
  /** Seconds to load the course rows into the local D1. */
  loadSeconds: number;
  /** Steps of the goal learners' path (GET /api/learning-path). */
  goalPathSteps: number;
  rows: ScaleRow[];
}

/** Runs SQL on the local D1 of `persistTo` (a running `wrangler dev` on it sees the rows at once); returns seconds. */
function runSql(persistTo: string, sql: string): number {
  const file = join(mkdtempSync(join(tmpdir(), 'learnedge-graph-sql-')), 'course.sql');
  writeFileSync(file, sql);
  const started = Date.now();
  const run = spawnSync(
    'npx',
    ['wrangler', 'd1', 'execute', 'DB', '--local', '--persist-to', persistTo, '--file', file, '--yes'],
    { encoding: 'utf8', env: { ...process.env, CI: 'true' } },
  );
  rmSync(file, { force: true });
  if (run.status !== 0) throw new Error(`wrangler d1 execute failed:\n${run.stderr}`);
  return (Date.now() - started) / 1000;
}

async function ask(url: string, learner: ProgressLearner): Promise<Sample> {
  const started = performance.now();
  const response = await fetch(`${url}${RECOMMENDATIONS_PATH}`, recommendationsInit(learner));
  const body = await response.text();
  const ms = performance.now() - started;
  if (!response.ok) throw new Error(`recommendations failed: ${response.status} ${body}`);
  const timing = response.headers.get('server-timing') ?? '';
  return {
    ms,
    app: timingDuration(timing, 'app'),
    d1: timingCount(timing, 'd1'),
    cached: (JSON.parse(body) as { cached?: boolean }).cached,
  };
}

function row(lessons: number, kind: ScaleRow['kind'], samples: Sample[], base: ScaleRow | undefined): ScaleRow {
  const app = samples.flatMap((x) => (x.app === null ? [] : [x.app]));
  const d1 = samples.flatMap((x) => (x.d1 === null ? [] : [x.d1]));
  const times = samples.map((x) => x.ms);
  const p50 = percentile(times, 50);
  const p95 = percentile(times, 95);
  return {
    lessons,
    kind,
    requests: samples.length,
    p50,
    p95,
    appP50: app.length > 0 ? percentile(app, 50) : null,
    appP95: app.length > 0 ? percentile(app, 95) : null,
    p50Ratio: Number((p50 / (base?.p50 ?? p50)).toFixed(2)),
    p95Ratio: Number((p95 / (base?.p95 ?? p95)).toFixed(2)),
    d1: d1.length > 0 ? [Math.min(...d1), Math.max(...d1)] : null,
    allUncached: samples.every((x) => x.cached === false),
  };
}

/** Each learner asked once, in turn. */
async function askEach(url: string, learners: ProgressLearner[]): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (const learner of learners) samples.push(await ask(url, learner));
  return samples;
}

/** The cold samples (each reads the course), then warm-up, then the learners without and with a goal. */
async function measureSize(url: string, persistTo: string, plain: ProgressLearner[], withGoal: ProgressLearner[]) {
  const cold: Sample[] = [];
  for (const [i, learner] of plain.slice(0, COLD_REQUESTS).entries()) {
    // A new course version makes every isolate's copy stale, as a push does.
    if (i > 0) runSql(persistTo, 'UPDATE courses SET version = version + 1;');
    cold.push(await ask(url, learner));
  }
  await askEach(url, plain.slice(COLD_REQUESTS, COLD_REQUESTS + WARMUP_REQUESTS));
  return {
    cold,
    plain: await askEach(url, plain.slice(COLD_REQUESTS + WARMUP_REQUESTS)),
    goal: await askEach(url, withGoal),
  };
}

async function pathSteps(url: string, learner: ProgressLearner): Promise<number> {
  const response = await fetch(`${url}/api/learning-path`, recommendationsInit(learner));
  if (!response.ok) throw new Error(`learning path failed: ${response.status} ${await response.text()}`);
  return (await response.json<{ steps: unknown[] }>()).steps.length;
}

/**
 * The cost of an uncached recommendations request as the course grows: one Worker on
 * its own state, the generated course (graph-course.ts) loaded at each size in turn,
 * fresh learners with progress, then sequential requests, each a learner's first.
 *
 * The course goes in as the rows `content push` commits, not through a push: the push
 * manifest takes at most 2,000 lessons (MAX_LESSONS in content.schemas.ts), so 10,000
 * cannot be pushed at all, and a push of 1,000 spends minutes in ingest (search chunks
 * the ranking never reads). One SQL path for every size keeps the sizes comparable.
 */
export async function recommendationsAtScale(load: { port: number; persistTo: string }): Promise<ScalePoint[]> {
  rmSync(load.persistTo, { recursive: true, force: true });
  applyLocalMigrations(load.persistTo);
  const author = await newAuthorKey(new Uint8Array(randomBytes(32)), new Uint8Array(randomBytes(9)));
  const keyRow =
    `INSERT OR IGNORE INTO api_keys (id, label, key_hash, scopes, created_at) VALUES ('${author.id}', 'bench', ` +
    `'${author.keyHash}', '["content:write","admin"]', '${new Date().toISOString()}');`;
  const server = await startLocalServer({
    port: load.port,
    persistTo: load.persistTo,
    quiet: true,
    vars: throwawayVars(),
    raisedLimits: true,
  });
  const points: ScalePoint[] = [];
  try {
    for (const [s, size] of SIZES.entries()) {
      const loadSeconds = runSql(load.persistTo, `${graphCourseSql(size)}\n${keyRow}`);
      const setup = {
        lessons: [lessonSlug(0), lessonSlug(1)],
        quizItem: `${lessonSlug(0)}-q1`,
        // The 10th lesson of the middle chapter: its path grows with the course.
        goalLesson: lessonSlug(Math.floor(size / 40) * 20 + 9),
      };
      const plain = await givenRecommendationLearners(server.url, COLD_REQUESTS + WARMUP_REQUESTS + PLAIN_REQUESTS, {
        ...setup,
        ipPrefix: `10.${80 + s}`,
        goalEvery: 0,
      });
      const withGoal = await givenRecommendationLearners(server.url, GOAL_REQUESTS, {
        ...setup,
        ipPrefix: `10.${85 + s}`,
        goalEvery: 1,
      });
      await refreshPairs(server.url, author.key);
      const samples = await measureSize(server.url, load.persistTo, plain, withGoal);
      const base = (kind: ScaleRow['kind']) => points[0]?.rows.find((r) => r.kind === kind);
      points.push({
        lessons: size,
        loadSeconds: Number(loadSeconds.toFixed(1)),
        goalPathSteps: await pathSteps(server.url, withGoal[0] as ProgressLearner),
        rows: [
          row(size, 'no goal', samples.plain, base('no goal')),
          row(size, 'lesson goal', samples.goal, base('lesson goal')),
          row(size, 'cold course', samples.cold, base('cold course')),
        ],
      });
    }
  } finally {
    await server.stop();
  }
  print(points);
  return points;
}

function print(points: ScalePoint[]) {
  const d1 = (r: ScaleRow) => (r.d1 === null ? 'n/a' : r.d1[0] === r.d1[1] ? String(r.d1[0]) : `${r.d1[0]}-${r.d1[1]}`);
  console.log(
    "\nrecommendations, uncached, by course size: sequential requests, each a learner's first. " +
      `no goal: ${PLAIN_REQUESTS} requests, the course already in the isolate; lesson goal: ${GOAL_REQUESTS} requests ` +
      `that also plan the path to a mid-course lesson; cold course: ${COLD_REQUESTS} requests that read the course ` +
      '(the first after a load or a version bump; p95 of 3 = the slowest)\n',
  );
  console.log(
    '| lessons | kind | requests | p50 ms | p95 ms | app p50 ms | app p95 ms | p50 / 100 lessons | p95 / 100 lessons | D1 queries | all cached: false |',
  );
  console.log('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const p of points) {
    for (const r of p.rows) {
      const kind = r.kind === 'lesson goal' ? `lesson goal (${p.goalPathSteps}-step path)` : r.kind;
      console.log(
        `| ${p.lessons} | ${kind} | ${r.requests} | ${r.p50} | ${r.p95} | ${r.appP50 ?? 'n/a'} | ${r.appP95 ?? 'n/a'} | ` +
          `${r.p50Ratio} | ${r.p95Ratio} | ${d1(r)} | ${r.allUncached} |`,
      );
    }
  }
  console.log(`(course load into local D1: ${points.map((p) => `${p.lessons} lessons ${p.loadSeconds} s`).join(', ')})`);
}
