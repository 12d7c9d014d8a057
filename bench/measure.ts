import autocannon from 'autocannon';
import type { RequestParts } from './progress';
import { timingCount } from './server-timing';
import { ACTIVITY_FLUSH_MS } from '../workers/features/learners/learner.flush';

/** Sequential requests per route whose Server-Timing gives the I/O one request costs. */
export const IO_SAMPLES = 10;

export interface Route {
  name: string;
  path: string;
  floor?: boolean;
  headers?: Record<string, string>;
  /** Each request's method, headers and body (round-robin over learners, fresh event ids); `pool`: a round-robin's size. */
  request?: (() => RequestParts) & { pool?: number };
  /** A fixed number of requests instead of the run's duration (for rows whose requests are used up). */
  amount?: number;
  /** Runs right before the route is sampled and measured (warming a cache, say). */
  prepare?: () => Promise<void>;
  /** Target: p95 within this multiple of the floor's p95 (routes without one: the throughput ratio). */
  p95Factor?: number;
  /** Target: at most this many D1 queries per request (Server-Timing `d1`). */
  maxD1?: number;
  /** Target: exactly this many KV reads per request (Server-Timing `kv`). */
  kvReads?: number;
  /** Target: every response's JSON body has `cached` equal to this (sampled and measured requests alike). */
  cached?: boolean;
  /** Counts writes the server applied, read before and after the run to check each response was one. */
  applied?: () => Promise<number>;
  /** Its writes leave work the learner objects do a minute later (heartbeat seconds, a plan's summary schedule): the next row waits for it (see `settled`). */
  defersWrites?: boolean;
}

export interface Row {
  route: string;
  p50: number;
  p95: number;
  p99: number;
  rps: number;
  /** Throughput as a ratio of the floor's. */
  ratio: number;
  /** p95 as a multiple of the floor's p95. */
  p95Ratio: number;
  /** Most D1 queries one of the sampled requests made; null when the Worker does not report them. */
  d1Queries: number | null;
  /** Fewest D1 queries one of the sampled requests made (differs from the most when a request fills an isolate's memo). */
  d1QueriesMin: number | null;
  /** Most KV reads one of the sampled requests made; null when not reported. */
  kvReads: number | null;
  non2xx: number;
  /** For routes with a `cached` target: responses (sampled and measured) whose body said cached true / false. */
  bodies?: { cached: number; uncached: number; other: number };
}

export type Measured = { result: autocannon.Result; times: number[] };

/** Past the learner objects' flush, what the aggregates queue takes to deliver and apply a batch. */
const DRAIN_MARGIN_MS = 10_000;

/**
 * Waits until the work that writes made at `writtenAt` left for later is done: learner
 * objects sum heartbeat seconds for ACTIVITY_FLUSH_MS, then send them through the
 * aggregates queue to D1. Run before a row, so it measures its own route, not the tail of
 * the setup's or an earlier row's writes landing on it (on this machine one runtime
 * thread serves them all).
 */
export async function settled(writtenAt: number): Promise<void> {
  const wait = writtenAt + ACTIVITY_FLUSH_MS + DRAIN_MARGIN_MS - Date.now();
  if (wait <= 0) return;
  console.log(`(waiting ${Math.round(wait / 1000)} s for the learner objects' deferred writes to drain)`);
  await new Promise((resolve) => setTimeout(resolve, wait));
}

/** Runs one load and also keeps every response time, for a p95 autocannon does not report. */
export function measure(options: autocannon.Options): Promise<Measured> {
  const times: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (error, result) =>
      error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve({ result, times }),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => times.push(responseTime));
  });
}

export function percentile(times: number[], p: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0);
}

/** Round-robin over `items`, one request's parts each (its `pool` is how many items it cycles through). */
export function roundRobin<T>(items: T[], parts: (item: T) => RequestParts): (() => RequestParts) & { pool: number } {
  let next = 0;
  return Object.assign(() => parts(items[next++ % items.length] as T), { pool: items.length });
}

/** Each of `items` once, in order; asking for more is a bug in the row's sizing, not a reason to repeat one. */
export function eachOnce<T>(items: T[], parts: (item: T) => RequestParts): () => RequestParts {
  let next = 0;
  return () => {
    const item = items[next++];
    if (item === undefined) throw new Error(`all ${items.length} items were used; size the pool for the row`);
    return parts(item);
  };
}

/** The `cached` flag of a JSON body, or null when the body has none. */
function cachedFlag(body: string): boolean | null {
  try {
    const cached = (JSON.parse(body) as { cached?: unknown }).cached;
    return typeof cached === 'boolean' ? cached : null;
  } catch {
    return null;
  }
}

type Bodies = NonNullable<Row['bodies']>;
const count = (bodies: Bodies, body: string) => {
  const flag = cachedFlag(body);
  if (flag === null) bodies.other++;
  else if (flag) bodies.cached++;
  else bodies.uncached++;
};

/** The most (and fewest) D1 queries and the most KV reads one of a few sequential requests made, from Server-Timing. */
async function ioCost(
  url: string,
  route: Route,
  bodies: Bodies,
): Promise<{ d1: number | null; d1Min: number | null; kv: number | null }> {
  let d1: number | null = null;
  let d1Min: number | null = null;
  let kv: number | null = null;
  for (let i = 0; i < IO_SAMPLES; i++) {
    const parts = route.request?.() ?? { method: 'GET', headers: route.headers ?? {} };
    const response = await fetch(`${url}${route.path}`, parts);
    if (response.status >= 400) throw new Error(`${route.name} failed: ${response.status} ${await response.text()}`);
    const body = await response.text();
    if (route.cached !== undefined) count(bodies, body);
    const timing = response.headers.get('server-timing') ?? '';
    const queries = timingCount(timing, 'd1');
    const reads = timingCount(timing, 'kv');
    if (queries !== null) d1 = Math.max(d1 ?? 0, queries);
    if (queries !== null) d1Min = Math.min(d1Min ?? Infinity, queries);
    if (reads !== null) kv = Math.max(kv ?? 0, reads);
  }
  return { d1, d1Min, kv };
}

export interface RouteRun {
  row: Row;
  times: number[];
  writes?: { applied: number; ok: number };
}

/**
 * Samples a route's I/O with sequential requests, then loads it at `connections` for
 * `seconds` (or its fixed `amount`), and rates it against the floor measured before.
 */
export async function runRoute(
  url: string,
  route: Route,
  load: { connections: number; seconds: number },
  floor: { rps: number; p95: number } | null,
): Promise<RouteRun> {
  await route.prepare?.();
  await warmPool(url, route);
  const bodies: Bodies = { cached: 0, uncached: 0, other: 0 };
  const io = await ioCost(url, route, bodies);
  const appliedBefore = await route.applied?.();
  const { request } = route;
  const onResponse = route.cached === undefined ? undefined : (_status: number, body: string) => count(bodies, body);
  const { result, times } = await measure({
    url: `${url}${route.path}`,
    connections: load.connections,
    ...(route.amount === undefined ? { duration: load.seconds } : { amount: route.amount }),
    headers: route.headers ?? {},
    ...(request || onResponse
      ? {
          requests: [
            {
              ...(request ? { setupRequest: (r: autocannon.Request) => ({ ...r, ...request() }) } : {}),
              ...(onResponse ? { onResponse } : {}),
            },
          ],
        }
      : {}),
  });
  const writes =
    appliedBefore === undefined ? undefined : { applied: ((await route.applied?.()) ?? 0) - appliedBefore, ok: result['2xx'] };
  const p95 = percentile(times, 95);
  const base = floor ?? { rps: result.requests.average, p95 };
  const row: Row = {
    route: route.name,
    p50: result.latency.p50,
    p95,
    p99: result.latency.p99,
    rps: Math.round(result.requests.average),
    ratio: Number((result.requests.average / base.rps).toFixed(2)),
    p95Ratio: Number((p95 / base.p95).toFixed(2)),
    d1Queries: io.d1,
    d1QueriesMin: io.d1Min,
    kvReads: io.kv,
    non2xx: result.non2xx,
    ...(route.cached === undefined ? {} : { bodies }),
  };
  return { row, times, ...(writes ? { writes } : {}) };
}

/**
 * A round-robin row asks each member of its pool once before it is measured, so it
 * measures learners at work, not their objects starting after the row before (or the
 * wait for deferred writes) left them idle: the first-request rows measure that.
 */
async function warmPool(url: string, route: Route): Promise<void> {
  const { request } = route;
  if (!request?.pool) return;
  await autocannon({
    url: `${url}${route.path}`,
    connections: Math.min(8, request.pool),
    amount: request.pool,
    headers: route.headers ?? {},
    requests: [{ setupRequest: (r: autocannon.Request) => ({ ...r, ...request() }) }],
  });
}

/** D1 queries of a row: one number, or fewest–most when the samples differ. */
export function d1Range(row: Row): string {
  if (row.d1Queries === null) return 'n/a';
  return row.d1QueriesMin !== null && row.d1QueriesMin !== row.d1Queries
    ? `${row.d1QueriesMin}-${row.d1Queries}`
    : String(row.d1Queries);
}

/** The target line of a route measured against the floor's p95, with its I/O and body checks. */
export function p95Verdict(route: Route, row: Row, floorP95: number, writes?: { applied: number; ok: number }): string {
  const factor = route.p95Factor ?? 0;
  const checks: boolean[] = [row.p95 <= factor * floorP95];
  const parts = [`p95 ${row.p95} ms = ${row.p95Ratio}x floor p95 ${floorP95} ms (limit ${factor}x)`];
  if (writes) {
    parts.push(`${writes.applied} events applied for ${writes.ok} 2xx responses`);
    checks.push(writes.applied >= writes.ok);
  }
  let unchecked = '';
  if (route.maxD1 !== undefined) {
    if (row.d1Queries === null) {
      parts.push(`D1 queries per request not reported (no d1 entry in Server-Timing; limit ${route.maxD1} unchecked)`);
      unchecked = ' (D1 limit unchecked)';
    } else {
      checks.push(row.d1Queries <= route.maxD1);
      parts.push(`${row.d1Queries} D1 queries per request (Server-Timing, ${IO_SAMPLES} requests; limit ${route.maxD1})`);
    }
  } else if (route.cached !== undefined && row.d1Queries !== null) {
    parts.push(`${d1Range(row)} D1 queries per request (Server-Timing, ${IO_SAMPLES} requests; recorded, no limit)`);
  }
  if (route.kvReads !== undefined) {
    checks.push(row.kvReads === route.kvReads);
    parts.push(`${row.kvReads ?? 'no'} KV read(s) per request (expected ${route.kvReads})`);
  }
  if (route.cached !== undefined && row.bodies) {
    const { cached, uncached, other } = row.bodies;
    const total = cached + uncached + other;
    const matching = route.cached ? cached : uncached;
    checks.push(matching === total && total > 0);
    parts.push(`${matching} of ${total} bodies say cached: ${route.cached}`);
  }
  return `${route.name}: ${parts.join('; ')}: ${checks.every(Boolean) ? 'target met' : 'target missed'}${unchecked}`;
}
