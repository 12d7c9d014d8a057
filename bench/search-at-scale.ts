import { spawnSync } from 'node:child_process';
import { startSeededServer } from '../scripts/local-server';
import { writeBulkCourse } from './bulk-course';
import { measure, percentile, type Measured } from './measure';

/** Lessons and sections of the generated part: about 10,000 chunks besides the sample course. */
const BULK_LESSONS = 100;
const BULK_SECTIONS = 50;
const SEARCH_P95_FACTOR = 3;
const SEARCH_QUERIES = [
  'keep only rows that match a condition',
  'window functions ranks rows',
  'joining tables orders customers',
  'why is my total empty when a value is missing',
  'undo changes if something fails halfway',
  'count orders per customer',
  'sort results by date newest first',
  'prevent duplicate emails',
  'query inside another query',
  'speed up lookups on a big table',
];

export interface SearchAtScale {
  chunks: number;
  loadSeconds: number;
  floor: { p50: number; p95: number; rps: number };
  search: { p50: number; p95: number; rps: number; non2xx: number };
  target: string;
}

const summary = (m: Measured) => ({
  p50: m.result.latency.p50,
  p95: percentile(m.times, 95),
  rps: Math.round(m.result.requests.average),
});

/**
 * Search with at least 10,000 chunks loaded: a Worker on its own state with the
 * sample course plus a generated part, then the floor and hybrid search measured
 * in the same run (queries round-robin, so the query-vector memo is warm as in use).
 */
export async function searchAtScale(load: {
  port: number;
  persistTo: string;
  connections: number;
  seconds: number;
}): Promise<SearchAtScale> {
  const course = writeBulkCourse(BULK_LESSONS, BULK_SECTIONS);
  const started = Date.now();
  const { server } = await startSeededServer({ port: load.port, persistTo: load.persistTo, course, raisedLimits: true });
  const loadSeconds = (Date.now() - started) / 1000;
  try {
    const chunks = await countChunks(server.url, load.persistTo);
    let next = 0;
    const search = (query: string) =>
      fetch(`${server.url}/api/search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      });
    // The first search loads the vectors into the isolate; measure what follows.
    await Promise.all(SEARCH_QUERIES.map(search));
    const floor = await measure({ url: `${server.url}/api/health/live`, connections: load.connections, duration: load.seconds });
    // What the failed responses were, so a non-2xx count is never left unexplained.
    const failures = new Map<string, number>();
    const hits = await measure({
      url: `${server.url}/api/search`,
      connections: load.connections,
      duration: load.seconds,
      requests: [
        {
          setupRequest: (request) => ({
            ...request,
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query: SEARCH_QUERIES[next++ % SEARCH_QUERIES.length] }),
          }),
          onResponse: (status, body) => {
            if (status < 300) return;
            const key = `${status} ${body.replace(/\s+/g, ' ').slice(0, 300)}`;
            failures.set(key, (failures.get(key) ?? 0) + 1);
          },
        },
      ],
    });
    const row = (name: string, m: Measured) =>
      `| ${name} | ${m.result.latency.p50} | ${percentile(m.times, 95)} | ${m.result.latency.p99} | ${Math.round(m.result.requests.average)} | ${m.result.non2xx} |`;
    console.log(`\nsearch at scale: ${chunks} chunks (push to searchable, from a fresh state: ${loadSeconds.toFixed(1)} s)\n`);
    console.log('| route | p50 ms | p95 ms | p99 ms | req/s | non-2xx |');
    console.log('|---|---:|---:|---:|---:|---:|');
    console.log(row('floor (GET /api/health/live)', floor));
    console.log(row('search, hybrid (POST /api/search)', hits));
    for (const [failure, n] of failures) console.log(`non-2xx ×${n}: ${failure}`);
    const ok = chunks >= 10_000 && percentile(hits.times, 95) <= SEARCH_P95_FACTOR * percentile(floor.times, 95);
    const target = `search p95 within ${SEARCH_P95_FACTOR}x the floor's p95 with >= 10,000 chunks: ${ok ? 'target met' : 'target missed'}`;
    console.log(target);
    return { chunks, loadSeconds, floor: summary(floor), search: { ...summary(hits), non2xx: hits.result.non2xx }, target };
  } finally {
    await server.stop();
  }
}

async function countChunks(url: string, persistTo: string): Promise<number> {
  // Counted in D1 directly: the seeded server's author key is not kept.
  const status = await fetch(`${url}/api/health`);
  if (!status.ok) throw new Error('server not healthy');
  return Number(
    spawnSync(
      'npx',
      [
        'wrangler',
        'd1',
        'execute',
        'DB',
        '--local',
        '--persist-to',
        persistTo,
        '--json',
        '--command',
        'SELECT count(*) AS n FROM chunks',
      ],
      { encoding: 'utf8' },
    ).stdout.match(/"n":\s*(\d+)/)?.[1] ?? 0,
  );
}
