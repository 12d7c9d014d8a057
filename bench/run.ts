/**
 * `npm run bench`: starts the Worker locally on its own state, loads the sample
 * course, and drives a no-op floor route and the content routes with autocannon
 * at fixed concurrency, one route after another in the same run. Prints p50/p99,
 * req/s and each route's throughput as a ratio of the floor's. Loopback only,
 * bounded in time. Timings on a shared machine swing; the ratio is what to read.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { createAuthorKey } from '../cli/keys';
import { applyLocalMigrations, startLocalServer, throwawayVars } from '../scripts/local-server';

const PERSIST_TO = '.wrangler/bench-state';
const PORT = Number(process.env.BENCH_PORT ?? 8798);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** Book and lesson content must reach at least this share of the floor's throughput. */
const TARGET_RATIO = 0.5;

const ROUTES = [
  { name: 'floor (GET /api/health/live)', path: '/api/health/live', floor: true },
  { name: 'book (GET /api/content/book)', path: '/api/content/book' },
  { name: 'lesson content (GET /api/content/lessons/{slug}/content)', path: '/api/content/lessons/filtering-with-where/content' },
  { name: 'lesson content, 304 (If-None-Match)', path: '/api/content/lessons/filtering-with-where/content', revalidate: true },
];

interface Row {
  route: string;
  p50: number;
  p99: number;
  rps: number;
  ratio: number;
  non2xx: number;
}

async function measure(url: string, headers: Record<string, string>): Promise<autocannon.Result> {
  return autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers });
}

async function main() {
  rmSync(PERSIST_TO, { recursive: true, force: true });
  applyLocalMigrations(PERSIST_TO);
  const { key } = await createAuthorKey(['content:write'], 'bench', { remote: false, env: undefined, persistTo: PERSIST_TO });
  const server = await startLocalServer({ port: PORT, persistTo: PERSIST_TO, quiet: true, vars: throwawayVars() });
  try {
    const pushed = spawnSync(
      'npx',
      ['tsx', 'cli/content.ts', 'push', 'seeds/course', '--target', server.url, '--key', key, '--wait'],
      {
        encoding: 'utf8',
      },
    );
    if (pushed.status !== 0) throw new Error(`push failed: ${pushed.stderr}`);
    const etag = (await fetch(`${server.url}${ROUTES[2]?.path ?? ''}`)).headers.get('etag') ?? '';
    // Warm the isolate and caches so the first route is not charged for start-up.
    await autocannon({ url: `${server.url}/api/content/book`, connections: CONNECTIONS, amount: 500 });

    const rows: Row[] = [];
    let floorRps = 0;
    for (const route of ROUTES) {
      const result = await measure(`${server.url}${route.path}`, route.revalidate ? { 'if-none-match': etag } : {});
      if (route.floor) floorRps = result.requests.average;
      rows.push({
        route: route.name,
        p50: result.latency.p50,
        p99: result.latency.p99,
        rps: Math.round(result.requests.average),
        ratio: Number((result.requests.average / floorRps).toFixed(2)),
        non2xx: result.non2xx,
      });
    }
    console.log(`\n${CONNECTIONS} connections, ${SECONDS} s per route, loopback\n`);
    console.log('| route | p50 ms | p99 ms | req/s | ratio to floor | non-2xx |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const r of rows) console.log(`| ${r.route} | ${r.p50} | ${r.p99} | ${r.rps} | ${r.ratio} | ${r.non2xx} |`);
    const misses = rows.filter((r) => !r.route.startsWith('floor') && r.ratio < TARGET_RATIO);
    console.log(
      misses.length === 0
        ? `\ntarget met: every content route reaches >= ${TARGET_RATIO}x the floor's throughput`
        : `\ntarget missed (< ${TARGET_RATIO}x floor): ${misses.map((m) => m.route).join(', ')}`,
    );
    mkdirSync('bench/results', { recursive: true });
    writeFileSync(
      'bench/results/latest.json',
      JSON.stringify({ at: new Date().toISOString(), connections: CONNECTIONS, seconds: SECONDS, rows }, null, 2),
    );
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
