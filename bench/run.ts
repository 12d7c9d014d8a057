/**
 * `npm run bench`: starts the Worker locally on its own state, loads the sample
 * course, and drives a no-op floor route, the content routes and the personalized
 * lesson cache hit with autocannon at fixed concurrency, one route after another in
 * the same run. Prints p50/p95/p99, req/s and each route's throughput as a ratio
 * of the floor's, and the I/O one personalized hit costs (from Server-Timing).
 * Loopback only, bounded in time. Timings on a shared machine swing; the ratios
 * are what to read.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { spawnSync } from 'node:child_process';
import { startSeededServer } from '../scripts/local-server';
import { writeBulkCourse } from './bulk-course';

const PERSIST_TO = '.wrangler/bench-state';
const PORT = Number(process.env.BENCH_PORT ?? 8798);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** Book and lesson content must reach at least this share of the floor's throughput. */
const TARGET_RATIO = 0.5;
/** A personalized cache hit's p95 must stay within this multiple of the floor's p95. */
const PERSONALIZED_P95_FACTOR = 2;
/**
 * Learners sharing one profile (so one cache entry), each on its own address: the
 * per-learner and per-IP rate limits stay out of the measurement, as with real traffic.
 */
const LEARNERS = 80;
const BENCH_LESSON = 'filtering-with-where';

interface Route {
  name: string;
  path: string;
  floor?: boolean;
  revalidate?: boolean;
  personalized?: boolean;
}

const ROUTES: Route[] = [
  { name: 'floor (GET /api/health/live)', path: '/api/health/live', floor: true },
  { name: 'book (GET /api/content/book)', path: '/api/content/book' },
  { name: 'lesson content (GET /api/content/lessons/{slug}/content)', path: `/api/content/lessons/${BENCH_LESSON}/content` },
  { name: 'lesson content, 304 (If-None-Match)', path: `/api/content/lessons/${BENCH_LESSON}/content`, revalidate: true },
  { name: 'personalized lesson, cache hit (POST /api/personalize)', path: '/api/personalize', personalized: true },
];

interface Row {
  route: string;
  p50: number;
  p95: number;
  p99: number;
  rps: number;
  ratio: number;
  non2xx: number;
}

interface Learner {
  token: string;
  ip: string;
}

/** Runs one route and also keeps every response time, for a p95 autocannon does not report. */
function measure(options: autocannon.Options): Promise<{ result: autocannon.Result; times: number[] }> {
  const times: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (error, result) =>
      error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve({ result, times }),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => times.push(responseTime));
  });
}

function percentile(times: number[], p: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0);
}

/** Learners with one shared profile, and that profile's personalized lesson made once. */
async function givenLearners(url: string): Promise<Learner[]> {
  const questions = await (
    await fetch(`${url}/api/onboarding/questions`)
  ).json<{
    questions: { id: string; options: { id: string }[] }[];
  }>();
  const goal = questions.questions.find((q) => q.id === 'goals')?.options[0]?.id ?? '';
  const preferences = {
    experience: 'basic',
    background: 'data',
    goals: [goal],
    style: 'hands-on',
    sessionMinutes: 20,
    exampleDomain: 'retail',
  };
  const learners: Learner[] = [];
  for (let i = 0; i < LEARNERS; i++) {
    const ip = `10.99.${Math.floor(i / 250)}.${(i % 250) + 1}`;
    const created = await fetch(`${url}/api/learners`, { method: 'POST', headers: { 'cf-connecting-ip': ip } });
    const { token } = await created.json<{ token: string }>();
    const put = await fetch(`${url}/api/learners/me/preferences`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'cf-connecting-ip': ip },
      body: JSON.stringify(preferences),
    });
    if (!put.ok) throw new Error(`preferences failed: ${put.status} ${await put.text()}`);
    learners.push({ token, ip });
  }
  return learners;
}

function personalizeInit(learner: Learner) {
  return {
    method: 'POST' as const,
    headers: { authorization: `Bearer ${learner.token}`, 'content-type': 'application/json', 'cf-connecting-ip': learner.ip },
    body: JSON.stringify({ lessonSlug: BENCH_LESSON }),
  };
}

/** What one cache hit costs, read from the Server-Timing header of sequential requests. */
async function hitCost(url: string, learners: Learner[]): Promise<{ kvReads: number; modelCalls: number; allCached: boolean }> {
  let kvReads = 0;
  let modelCalls = 0;
  let allCached = true;
  for (const learner of learners.slice(0, 20)) {
    const response = await fetch(`${url}/api/personalize`, personalizeInit(learner));
    const timing = response.headers.get('server-timing') ?? '';
    kvReads = Math.max(kvReads, Number(/kv;desc="(\d+) reads"/.exec(timing)?.[1] ?? NaN));
    modelCalls = Math.max(modelCalls, Number(/model;desc="(\d+) calls"/.exec(timing)?.[1] ?? NaN));
    allCached &&= (await response.json<{ cached?: boolean }>()).cached === true;
  }
  return { kvReads, modelCalls, allCached };
}

async function main() {
  const { server } = await startSeededServer({ port: PORT, persistTo: PERSIST_TO });
  try {
    const etag = (await fetch(`${server.url}${ROUTES[2]?.path ?? ''}`)).headers.get('etag') ?? '';
    // Warm the isolate and caches so the first route is not charged for start-up.
    await autocannon({ url: `${server.url}/api/content/book`, connections: CONNECTIONS, amount: 500 });

    const learners = await givenLearners(server.url);
    // The first request generates (offline engine) and caches; every later one is a hit.
    await fetch(`${server.url}/api/personalize`, personalizeInit(learners[0] as Learner));
    const cost = await hitCost(server.url, learners);

    const rows: Row[] = [];
    let floor = { rps: 0, p95: 0 };
    for (const route of ROUTES) {
      let next = 0;
      const { result, times } = await measure({
        url: `${server.url}${route.path}`,
        connections: CONNECTIONS,
        duration: SECONDS,
        headers: route.revalidate ? { 'if-none-match': etag } : {},
        ...(route.personalized
          ? {
              requests: [
                {
                  // Round-robin over the learners, each with its own token and address.
                  setupRequest: (request) => ({ ...request, ...personalizeInit(learners[next++ % learners.length] as Learner) }),
                },
              ],
            }
          : {}),
      });
      const p95 = percentile(times, 95);
      if (route.floor) floor = { rps: result.requests.average, p95 };
      rows.push({
        route: route.name,
        p50: result.latency.p50,
        p95,
        p99: result.latency.p99,
        rps: Math.round(result.requests.average),
        ratio: Number((result.requests.average / floor.rps).toFixed(2)),
        non2xx: result.non2xx,
      });
    }
    console.log(`\n${CONNECTIONS} connections, ${SECONDS} s per route, loopback\n`);
    console.log('| route | p50 ms | p95 ms | p99 ms | req/s | ratio to floor | non-2xx |');
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    for (const r of rows) console.log(`| ${r.route} | ${r.p50} | ${r.p95} | ${r.p99} | ${r.rps} | ${r.ratio} | ${r.non2xx} |`);
    const misses = rows.filter(
      (r) => !r.route.startsWith('floor') && !r.route.startsWith('personalized') && r.ratio < TARGET_RATIO,
    );
    console.log(
      misses.length === 0
        ? `\ntarget met: every content route reaches >= ${TARGET_RATIO}x the floor's throughput`
        : `\ntarget missed (< ${TARGET_RATIO}x floor): ${misses.map((m) => m.route).join(', ')}`,
    );
    const personalized = rows.find((r) => r.route.startsWith('personalized'));
    const p95Ok = personalized !== undefined && personalized.p95 <= PERSONALIZED_P95_FACTOR * floor.p95;
    const ioOk = cost.kvReads <= 1 && cost.modelCalls === 0 && cost.allCached;
    console.log(
      `personalized cache hit: ${cost.kvReads} KV read(s) and ${cost.modelCalls} model call(s) per request (Server-Timing, 20 requests, all cached: ${cost.allCached}); ` +
        `p95 ${personalized?.p95 ?? '?'} ms vs floor p95 ${floor.p95} ms (limit ${PERSONALIZED_P95_FACTOR}x): ${p95Ok && ioOk ? 'target met' : 'target missed'}`,
    );
    mkdirSync('bench/results', { recursive: true });
    writeFileSync(
      'bench/results/latest.json',
      JSON.stringify(
        { at: new Date().toISOString(), connections: CONNECTIONS, seconds: SECONDS, rows, personalizedHit: cost },
        null,
        2,
      ),
    );
  } finally {
    await server.stop();
  }
  await searchAtScale();
}

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

/**
 * Search with at least 10,000 chunks loaded: a Worker on its own state with the
 * sample course plus a generated part, then the floor and hybrid search measured
 * in the same run (queries round-robin, so the query-vector memo is warm as in use).
 */
async function searchAtScale() {
  const course = writeBulkCourse(BULK_LESSONS, BULK_SECTIONS);
  const started = Date.now();
  const { server } = await startSeededServer({ port: PORT, persistTo: `${PERSIST_TO}-search`, course });
  const loadSeconds = (Date.now() - started) / 1000;
  try {
    const chunks = await countChunks(server.url);
    let next = 0;
    const search = (query: string) =>
      fetch(`${server.url}/api/search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      });
    // The first search loads the vectors into the isolate; measure what follows.
    await Promise.all(SEARCH_QUERIES.map(search));
    const floor = await measure({ url: `${server.url}/api/health/live`, connections: CONNECTIONS, duration: SECONDS });
    const hits = await measure({
      url: `${server.url}/api/search`,
      connections: CONNECTIONS,
      duration: SECONDS,
      requests: [
        {
          setupRequest: (request) => ({
            ...request,
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query: SEARCH_QUERIES[next++ % SEARCH_QUERIES.length] }),
          }),
        },
      ],
    });
    const row = (name: string, m: Awaited<ReturnType<typeof measure>>) =>
      `| ${name} | ${m.result.latency.p50} | ${percentile(m.times, 95)} | ${m.result.latency.p99} | ${Math.round(m.result.requests.average)} | ${m.result.non2xx} |`;
    console.log(`\nsearch at scale: ${chunks} chunks (push to searchable, from a fresh state: ${loadSeconds.toFixed(1)} s)\n`);
    console.log('| route | p50 ms | p95 ms | p99 ms | req/s | non-2xx |');
    console.log('|---|---:|---:|---:|---:|---:|');
    console.log(row('floor (GET /api/health/live)', floor));
    console.log(row('search, hybrid (POST /api/search)', hits));
    const ok = chunks >= 10_000 && percentile(hits.times, 95) <= SEARCH_P95_FACTOR * percentile(floor.times, 95);
    console.log(
      `search p95 within ${SEARCH_P95_FACTOR}x the floor's p95 with >= 10,000 chunks: ${ok ? 'target met' : 'target missed'}`,
    );
  } finally {
    await server.stop();
  }
}

async function countChunks(url: string): Promise<number> {
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
        `${PERSIST_TO}-search`,
        '--json',
        '--command',
        'SELECT count(*) AS n FROM chunks',
      ],
      { encoding: 'utf8' },
    ).stdout.match(/"n":\s*(\d+)/)?.[1] ?? 0,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
