/**
 * `npm run bench`: starts the Worker locally on its own state, loads the sample
 * course, and drives a no-op floor route, the content routes, the personalized
 * lesson cache hit, learner progress (the heartbeat write and the overview read) and
 * recommendations (uncached and cached) and today's plan (first request of the day and
 * repeat) with autocannon at fixed concurrency, one
 * route after another in the same run. Prints p50/p95/p99, req/s, each route's
 * throughput and p95 as ratios of the floor's, and the I/O a request costs (from
 * Server-Timing). Then search at scale, the analytics overview and an experiment's results
 * with 1,000,000 events loaded, and the uncached ranking at 100, 1,000 and 10,000 lessons,
 * each on a Worker of its own (`npm run bench -- analytics` runs only the analytics rows).
 * Loopback only, bounded in time. Timings on a shared machine swing; the ratios
 * are what to read.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { createAuthorKey } from '../cli/keys';
import { startSeededServer } from '../scripts/local-server';
import { d1Range, p95Verdict, roundRobin, runRoute, settled, type Route, type Row } from './measure';
import { givenLearners, hitCost, personalizeInit, type HitCost, type Learner } from './personalize';
import {
  appliedEvents,
  bookLessons,
  bookLessonTitles,
  givenProgressLearners,
  heartbeat,
  overview,
  type ProgressLearner,
  type RequestParts,
} from './progress';
import { recommendationsAtScale, type ScalePoint } from './recommend-scale';
import { givenRecommendationLearners, RECOMMENDATION_LEARNERS, recommendationRoutes, refreshPairs } from './recommendations';
import { givenPlanLearners, planRoutes, pushPracticeLibrary } from './plans';
import { answerRoutes, benchQuestions, givenAnswerLearners, streamFirstByte } from './answers';
import { searchAtScale, type SearchAtScale } from './search-at-scale';
import { analyticsAtScale, type AnalyticsAtScale } from './analytics-at-scale';
import { capacity, printCapacity, type Capacity } from './capacity';
import { pushCatalogCourses } from './catalog-courses';

const PERSIST_TO = '.wrangler/bench-state';
const PORT = Number(process.env.BENCH_PORT ?? 8798);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** Book and lesson content must reach at least this share of the floor's throughput. */
const TARGET_RATIO = 0.5;
/** A personalized cache hit's p95 must stay within this multiple of the floor's p95. */
const PERSONALIZED_P95_FACTOR = 2;
/** A progress heartbeat's and the progress overview's p95 must stay within this multiple of the floor's p95. */
const PROGRESS_P95_FACTOR = 2;
/** The progress overview reads the whole course's progress in at most this many D1 queries. */
const PROGRESS_MAX_D1_QUERIES = 2;
const BENCH_LESSON = 'filtering-with-where';
/** The sample course's slug, and the catalog's targets: within 2x of the floor's p95, one KV read and no D1 query when cached. */
const BENCH_COURSE = 'practical-sql';
const CATALOG_P95_FACTOR = 2;
/** Courses in the deployment while the catalog rows are measured. */
const CATALOG_COURSES = 50;

/** GET requests each from the next of 65,536 addresses, so a per-address limit never decides the row. */
function fromManyAddresses(): () => RequestParts {
  let n = 0;
  return () => {
    n += 1;
    return { method: 'GET', headers: { 'cf-connecting-ip': `10.40.${(n >> 8) & 255}.${n & 255}` } };
  };
}
const LESSON_CONTENT = `/api/content/lessons/${BENCH_LESSON}/content`;

interface Learners {
  personalize: Learner[];
  progress: ProgressLearner[];
  recommendations: ProgressLearner[];
  plans: ProgressLearner[];
  answers: ProgressLearner[];
  questions: string[];
}

function routes(url: string, etag: string, learners: Learners): Route[] {
  return [
    { name: 'floor (GET /api/health/live)', path: '/api/health/live', floor: true },
    { name: 'book (GET /api/content/book)', path: '/api/content/book' },
    // Public reads limited per address: each request from its own (as many readers would).
    {
      name: `catalog (GET /api/courses), ${CATALOG_COURSES} courses`,
      path: '/api/courses',
      request: fromManyAddresses(),
      p95Factor: CATALOG_P95_FACTOR,
      maxD1: 0,
      kvReads: 1,
    },
    {
      name: `a course's book (GET /api/courses/{course}/book), ${CATALOG_COURSES} courses`,
      path: `/api/courses/${BENCH_COURSE}/book`,
      request: fromManyAddresses(),
      p95Factor: CATALOG_P95_FACTOR,
      maxD1: 0,
      kvReads: 1,
    },
    { name: 'lesson content (GET /api/content/lessons/{slug}/content)', path: LESSON_CONTENT },
    { name: 'lesson content, 304 (If-None-Match)', path: LESSON_CONTENT, headers: { 'if-none-match': etag } },
    {
      name: 'personalized lesson, cache hit (POST /api/personalize)',
      path: '/api/personalize',
      // Each learner with its own token and address.
      request: roundRobin(learners.personalize, personalizeInit(BENCH_LESSON)),
    },
    {
      name: 'progress heartbeat (PUT /api/progress/lessons/{slug}/time)',
      path: `/api/progress/lessons/${BENCH_LESSON}/time`,
      request: roundRobin(learners.progress, heartbeat),
      p95Factor: PROGRESS_P95_FACTOR,
      applied: () => appliedEvents(url, learners.progress),
      defersWrites: true,
    },
    {
      name: 'progress overview (GET /api/progress)',
      path: '/api/progress',
      request: roundRobin(learners.progress, overview),
      p95Factor: PROGRESS_P95_FACTOR,
      maxD1: PROGRESS_MAX_D1_QUERIES,
    },
    ...recommendationRoutes(url, learners.recommendations),
    ...planRoutes(learners.plans),
    ...answerRoutes(url, learners.answers, learners.questions),
  ];
}

interface Results {
  rows: Row[];
  personalizedHit: HitCost;
  progressHeartbeatWrites: { applied: number; ok: number } | null;
  lessonPairs: number;
  targets: string[];
  searchAtScale: SearchAtScale | null;
  analyticsAtScale: AnalyticsAtScale | null;
  recommendationScaling: ScalePoint[] | null;
  capacity: Capacity | null;
}

function save(results: Results) {
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    'bench/results/latest.json',
    JSON.stringify({ at: new Date().toISOString(), connections: CONNECTIONS, seconds: SECONDS, ...results }, null, 2),
  );
}

/** Every learner the rows use, each created on its own address with the progress its row needs. */
async function givenAllLearners(url: string, authorKey: string): Promise<Learners & { lessonPairs: number }> {
  const personalize = await givenLearners(url);
  // The first request generates (offline engine) and caches; every later one is a hit.
  await fetch(`${url}/api/personalize`, personalizeInit(BENCH_LESSON)(personalize[0] as Learner));
  const progress = await givenProgressLearners(url, BENCH_LESSON);
  const lessons = await bookLessons(url);
  const recommendations = await givenRecommendationLearners(url, RECOMMENDATION_LEARNERS, {
    ipPrefix: '10.97',
    lessons,
    quizItem: `${lessons[0] ?? ''}-q1`,
    goalLesson: lessons.at(-1) ?? '',
    goalEvery: 3,
  });
  // Co-completion as the cron job would have it after these learners: the ranking reads it.
  const { key } = await createAuthorKey(['content:write', 'admin'], 'bench', {
    remote: false,
    env: undefined,
    persistTo: PERSIST_TO,
  });
  await pushPracticeLibrary(url, authorKey);
  const plans = await givenPlanLearners(url, lessons);
  const answers = await givenAnswerLearners(url);
  const questions = benchQuestions(await bookLessonTitles(url));
  return { personalize, progress, recommendations, plans, answers, questions, lessonPairs: await refreshPairs(url, key) };
}

function printRows(rows: Row[]) {
  console.log(`\n${CONNECTIONS} connections, ${SECONDS} s per route (fixed-count rows: see the targets), loopback\n`);
  console.log(
    '| route | p50 ms | p95 ms | p99 ms | req/s | ratio to floor | p95 / floor p95 | D1 queries | KV reads | non-2xx |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.route} | ${r.p50} | ${r.p95} | ${r.p99} | ${r.rps} | ${r.ratio} | ${r.p95Ratio} | ${d1Range(r)} | ${r.kvReads ?? 'n/a'} | ${r.non2xx} |`,
    );
  }
}

/** Learner-state capacity before and after (`npm run bench -- capacity` runs only this). */
async function runCapacity(): Promise<Capacity> {
  const result = await capacity({ port: PORT, persistTo: `${PERSIST_TO}-capacity`, seconds: SECONDS });
  printCapacity(result);
  return result;
}

/** The analytics reads at 1,000,000 events, on a Worker of their own. */
const runAnalytics = () =>
  analyticsAtScale({ port: PORT, persistTo: `${PERSIST_TO}-analytics`, connections: CONNECTIONS, seconds: SECONDS });

/**
 * `npm run bench -- plans` or `-- answers`: the floor and only that feature's rows, on a
 * seeded Worker of their own (for working on one feature's targets without the whole run).
 */
async function runFeatureRows(feature: 'plans' | 'answers'): Promise<Row[]> {
  const { server, key } = await startSeededServer({ port: PORT, persistTo: `${PERSIST_TO}-${feature}`, raisedLimits: true });
  try {
    let featureRoutes: Route[];
    if (feature === 'plans') {
      await pushPracticeLibrary(server.url, key);
      featureRoutes = planRoutes(await givenPlanLearners(server.url, await bookLessons(server.url)));
    } else {
      const questions = benchQuestions(await bookLessonTitles(server.url));
      featureRoutes = answerRoutes(server.url, await givenAnswerLearners(server.url), questions);
    }
    await settled(Date.now());
    await autocannon({ url: `${server.url}/api/health/live`, connections: CONNECTIONS, amount: 500 });
    const rows: Row[] = [];
    const targets: string[] = [];
    let floor: { rps: number; p95: number } | null = null;
    let writtenAt = 0;
    for (const route of [{ name: 'floor (GET /api/health/live)', path: '/api/health/live', floor: true }, ...featureRoutes]) {
      await settled(writtenAt);
      const { row, writes } = await runRoute(server.url, route, { connections: CONNECTIONS, seconds: SECONDS }, floor);
      if (route.defersWrites) writtenAt = Date.now();
      if (route.floor) floor = { rps: row.rps, p95: row.p95 };
      rows.push(row);
      if (route.p95Factor !== undefined) targets.push(p95Verdict(route, row, floor?.p95 ?? 0, writes));
    }
    printRows(rows);
    for (const line of targets) console.log(line);
    return rows;
  } finally {
    await server.stop();
  }
}

async function main() {
  const feature = (['plans', 'answers'] as const).find((f) => process.argv.includes(f));
  if (feature) {
    const rows = await runFeatureRows(feature);
    mkdirSync('bench/results', { recursive: true });
    writeFileSync(`bench/results/${feature}.json`, JSON.stringify({ at: new Date().toISOString(), rows }, null, 2));
    return;
  }
  if (process.argv.includes('analytics')) {
    const result = await runAnalytics();
    mkdirSync('bench/results', { recursive: true });
    writeFileSync('bench/results/analytics.json', JSON.stringify({ at: new Date().toISOString(), ...result }, null, 2));
    return;
  }
  if (process.argv.includes('search')) {
    const result = await searchAtScale({
      port: PORT,
      persistTo: `${PERSIST_TO}-search`,
      connections: CONNECTIONS,
      seconds: SECONDS,
    });
    mkdirSync('bench/results', { recursive: true });
    writeFileSync('bench/results/search.json', JSON.stringify({ at: new Date().toISOString(), ...result }, null, 2));
    return;
  }
  if (process.argv.includes('capacity')) {
    const result = await runCapacity();
    mkdirSync('bench/results', { recursive: true });
    writeFileSync('bench/results/capacity.json', JSON.stringify({ at: new Date().toISOString(), ...result }, null, 2));
    return;
  }
  const { server, key } = await startSeededServer({ port: PORT, persistTo: PERSIST_TO, raisedLimits: true });
  let results: Results;
  try {
    const etag = (await fetch(`${server.url}${LESSON_CONTENT}`)).headers.get('etag') ?? '';
    // The catalog rows are measured with CATALOG_COURSES courses in the deployment: the sample course and the rest pushed here.
    const courses = 1 + (await pushCatalogCourses(server.url, key, CATALOG_COURSES - 1));
    console.log(`catalog: ${courses} courses loaded`);
    // Warm the isolate and caches so the first route is not charged for start-up.
    await autocannon({ url: `${server.url}/api/content/book`, connections: CONNECTIONS, amount: 500 });
    const learners = await givenAllLearners(server.url, key);
    const cost = await hitCost(server.url, learners.personalize, BENCH_LESSON);
    // The setup's writes drain first. The floor runs right after: warm it too, or its slow
    // first requests inflate the floor p95 that every p95 target is measured against.
    let writtenAt = Date.now();
    await settled(writtenAt);
    await autocannon({ url: `${server.url}/api/health/live`, connections: CONNECTIONS, amount: 500 });

    const rows: Row[] = [];
    const targets: string[] = [];
    let floor: { rps: number; p95: number } | null = null;
    let heartbeatWrites: { applied: number; ok: number } | null = null;
    for (const route of routes(server.url, etag, learners)) {
      await settled(writtenAt);
      const { row, writes } = await runRoute(server.url, route, { connections: CONNECTIONS, seconds: SECONDS }, floor);
      if (route.defersWrites) writtenAt = Date.now();
      if (route.floor) floor = { rps: row.rps, p95: row.p95 };
      rows.push(row);
      if (route.p95Factor !== undefined) targets.push(p95Verdict(route, row, floor?.p95 ?? 0, writes));
      if (writes) heartbeatWrites = writes;
    }
    printRows(rows);
    const throughputRows = rows.filter((r) => r.route.startsWith('book') || r.route.startsWith('lesson content'));
    const misses = throughputRows.filter((r) => r.ratio < TARGET_RATIO);
    console.log(
      misses.length === 0
        ? `\ntarget met: every content route reaches >= ${TARGET_RATIO}x the floor's throughput`
        : `\ntarget missed (< ${TARGET_RATIO}x floor): ${misses.map((m) => m.route).join(', ')}`,
    );
    const personalized = rows.find((r) => r.route.startsWith('personalized'));
    const floorP95 = floor?.p95 ?? 0;
    const p95Ok = personalized !== undefined && personalized.p95 <= PERSONALIZED_P95_FACTOR * floorP95;
    const ioOk = cost.kvReads <= 1 && cost.modelCalls === 0 && cost.allCached;
    console.log(
      `personalized cache hit: ${cost.kvReads} KV read(s) and ${cost.modelCalls} model call(s) per request (Server-Timing, 20 requests, all cached: ${cost.allCached}); ` +
        `p95 ${personalized?.p95 ?? '?'} ms vs floor p95 ${floorP95} ms (limit ${PERSONALIZED_P95_FACTOR}x): ${p95Ok && ioOk ? 'target met' : 'target missed'}`,
    );
    // Questions no row asked: each stream is a cache miss.
    const firstByte = await streamFirstByte(server.url, learners.answers[0] as ProgressLearner, learners.questions.slice(-20));
    targets.push(
      `streamed answer (POST /api/answers/stream), time to first byte over ${firstByte.samples} sequential cache misses: p50 ${firstByte.p50} ms, p95 ${firstByte.p95} ms (recorded, no limit)`,
    );
    for (const line of targets) console.log(line);
    console.log(`(lesson pairs for the collaborative signal: ${learners.lessonPairs})`);
    results = {
      rows,
      personalizedHit: cost,
      progressHeartbeatWrites: heartbeatWrites,
      lessonPairs: learners.lessonPairs,
      targets,
      searchAtScale: null,
      analyticsAtScale: null,
      recommendationScaling: null,
      capacity: null,
    };
    save(results);
  } finally {
    await server.stop();
  }
  if (process.argv.includes('routes')) return;
  results.searchAtScale = await searchAtScale({
    port: PORT,
    persistTo: `${PERSIST_TO}-search`,
    connections: CONNECTIONS,
    seconds: SECONDS,
  });
  save(results);
  results.analyticsAtScale = await runAnalytics();
  save(results);
  results.recommendationScaling = await recommendationsAtScale({ port: PORT, persistTo: `${PERSIST_TO}-recommend` });
  save(results);
  results.capacity = await runCapacity();
  save(results);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
