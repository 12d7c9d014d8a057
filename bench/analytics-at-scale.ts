import { spawnSync } from 'node:child_process';
import { startSeededServer } from '../scripts/local-server';
import { measure, percentile, type Measured } from './measure';

/** Learners and events per learner: 1,000,000 events in all, as the rollups hold them. */
const LEARNERS = 20_000;
const EVENTS_PER_LEARNER = 50;
/** Days each learner was active on, within the last 60, and events per active day. */
const ACTIVE_DAYS = 10;
const P95_FACTOR = 3;
const EXPERIMENT = 'bench-planner';

export interface AnalyticsAtScale {
  events: number;
  rollupRows: number;
  exposures: number;
  floor: { p50: number; p95: number };
  overview: { p50: number; p95: number; non2xx: number };
  results: { p50: number; p95: number; non2xx: number };
  targets: string[];
}

const summary = (m: Measured) => ({ p50: m.result.latency.p50, p95: percentile(m.times, 95), non2xx: m.result.non2xx });

function sql(persistTo: string, command: string): string {
  const run = spawnSync(
    'npx',
    ['wrangler', 'd1', 'execute', 'DB', '--local', '--persist-to', persistTo, '--json', '--command', command],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (run.status !== 0) throw new Error(`d1 execute failed: ${run.stderr}`);
  return run.stdout;
}

/**
 * The analytics overview and an experiment's results with 1,000,000 events loaded: the
 * rollups those events leave (20,000 learners, each active on 10 of the last 60 days with
 * 5 events a day: time, answers, a completion, plan tasks), written straight into D1 by a
 * recursive SQL statement (sending a million events through the queue here would take
 * hours), and 20,000 exposures of a running experiment. Both reads, the floor measured in
 * the same run, must keep p95 within 3x the floor's. Also printed: how long computing each
 * from the rollups takes (what the cron spends every 10 minutes).
 */
export async function analyticsAtScale(load: {
  port: number;
  persistTo: string;
  connections: number;
  seconds: number;
}): Promise<AnalyticsAtScale> {
  const { server, key } = await startSeededServer({ port: load.port, persistTo: load.persistTo, raisedLimits: true });
  try {
    const admin = (path: string, init: RequestInit = {}) =>
      fetch(`${server.url}/api/admin${path}`, {
        ...init,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      });
    const created = await admin('/experiments', {
      method: 'POST',
      body: JSON.stringify({
        id: EXPERIMENT,
        name: 'Composed against fixed plans',
        flagKey: 'plans.dynamic',
        variants: [
          { key: 'composed', weight: 50, value: true },
          { key: 'fixed', weight: 50, value: false },
        ],
        primaryMetric: 'plan_tasks_completed',
        guardrailMetrics: ['return_7d', 'quiz_accuracy', 'active_minutes'],
      }),
    });
    if (!created.ok) throw new Error(`experiment not created: ${await created.text()}`);
    await admin(`/experiments/${EXPERIMENT}/start`, { method: 'POST' });
    // Each learner: ACTIVE_DAYS rows, one per day, spread over 60 days by a hash of learner and slot.
    sql(
      load.persistTo,
      `WITH RECURSIVE l(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM l WHERE i < ${LEARNERS - 1}),
         d(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM d WHERE k < ${ACTIVE_DAYS - 1})
       INSERT OR IGNORE INTO learner_activity_daily
         (learner_id, course_id, day, active_seconds, completions, attempts, correct, plan_done, plan_skipped, onboarded)
       SELECT 'bench-' || i, 'sql-fundamentals', date('now', '-' || ((i * 7 + k * 6) % 60) || ' days'),
         60 + (i * 13 + k) % 600, (i + k) % 4 = 0, 2, (i + k) % 3 > 0, (i + k) % 2, (i + k) % 5 = 0, k = 0
       FROM l, d`,
    );
    sql(
      load.persistTo,
      `WITH RECURSIVE l(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM l WHERE i < ${LEARNERS - 1})
       INSERT OR IGNORE INTO experiment_exposures (experiment_id, learner_id, variant, exposed_at)
       SELECT '${EXPERIMENT}', 'bench-' || i, CASE WHEN i % 2 = 0 THEN 'composed' ELSE 'fixed' END,
         datetime('now', '-' || (i % 30) || ' days')
       FROM l`,
    );
    const rollupRows = Number(
      /"n":\s*(\d+)/.exec(sql(load.persistTo, 'SELECT count(*) AS n FROM learner_activity_daily'))?.[1] ?? 0,
    );
    const exposures = Number(
      /"n":\s*(\d+)/.exec(sql(load.persistTo, `SELECT count(*) AS n FROM experiment_exposures`))?.[1] ?? 0,
    );
    const headers = { authorization: `Bearer ${key}` };
    // The cron computes both every 10 minutes; the first read here does it once (as the cron would), then reads are snapshots.
    const timed = async (path: string) => {
      const started = Date.now();
      await (await admin(path)).arrayBuffer();
      return Date.now() - started;
    };
    const computeMs = {
      overview: await timed('/analytics/overview?fresh=true'),
      results: await timed(`/experiments/${EXPERIMENT}/results?fresh=true`),
    };
    const floor = await measure({ url: `${server.url}/api/health/live`, connections: load.connections, duration: load.seconds });
    const overview = await measure({
      url: `${server.url}/api/admin/analytics/overview`,
      connections: load.connections,
      duration: load.seconds,
      headers,
    });
    const results = await measure({
      url: `${server.url}/api/admin/experiments/${EXPERIMENT}/results`,
      connections: load.connections,
      duration: load.seconds,
      headers,
    });
    const floorP95 = percentile(floor.times, 95);
    const row = (name: string, m: Measured) =>
      `| ${name} | ${m.result.latency.p50} | ${percentile(m.times, 95)} | ${(percentile(m.times, 95) / Math.max(1, floorP95)).toFixed(2)} | ${Math.round(m.result.requests.average)} | ${m.result.non2xx} |`;
    console.log(
      `\nanalytics at scale: ${LEARNERS * EVENTS_PER_LEARNER} events as ${rollupRows} rollup rows, ${exposures} exposures\n`,
    );
    console.log('| route | p50 ms | p95 ms | p95 / floor p95 | req/s | non-2xx |');
    console.log('|---|---:|---:|---:|---:|---:|');
    console.log(row('floor (GET /api/health/live)', floor));
    console.log(row('analytics overview (GET /api/admin/analytics/overview)', overview));
    console.log(row('experiment results (GET /api/admin/experiments/{id}/results)', results));
    const verdict = (name: string, m: Measured) =>
      `${name} p95 within ${P95_FACTOR}x the floor's p95 with 1,000,000 events: ${
        m.times.length > 0 && percentile(m.times, 95) <= P95_FACTOR * floorP95 && m.result.non2xx === 0
          ? 'target met'
          : 'target missed'
      }`;
    const targets = [
      verdict('analytics overview', overview),
      verdict('experiment results', results),
      `computing them from the rollups (the cron's work every 10 minutes): overview ${computeMs.overview} ms, results ${computeMs.results} ms`,
    ];
    for (const t of targets) console.log(t);
    return {
      events: LEARNERS * EVENTS_PER_LEARNER,
      rollupRows,
      exposures,
      floor: { p50: floor.result.latency.p50, p95: floorP95 },
      overview: summary(overview),
      results: summary(results),
      targets,
    };
  } finally {
    await server.stop();
  }
}
