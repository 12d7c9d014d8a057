import { createExecutionContext, env, runInDurableObject, SELF, waitOnExecutionContext } from 'cloudflare:test';
import { expect } from 'vitest';
import worker from '../index';
import type { Preferences } from '../features/learners/learners.schemas';
import { newAuthorKey } from '../features/keys/keys.domain';
import type { LessonInput, Manifest } from '../features/content/content.schemas';
import { sha256Hex } from '../platform/sha256';
import type { Learner } from '../features/learners/learner.object';

export const ORIGIN = 'http://learnedge.test';

/** Stores an author key with the given scopes (default both: an operator's key) and revocation, and returns it. */
export async function givenAuthorKey(options: { scopes?: string[]; revoked?: boolean } = {}): Promise<string> {
  const { id, key, keyHash } = await newAuthorKey(
    crypto.getRandomValues(new Uint8Array(32)),
    crypto.getRandomValues(new Uint8Array(9)),
  );
  await env.DB.prepare('INSERT INTO api_keys (id, label, key_hash, scopes, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)')
    .bind(
      id,
      'test',
      keyHash,
      JSON.stringify(options.scopes ?? ['content:write', 'admin']),
      new Date().toISOString(),
      options.revoked ? new Date().toISOString() : null,
    )
    .run();
  return key;
}

export interface CourseFixture {
  manifest: Manifest;
  bodies: Map<string, string>;
}

export function lessonBody(slug: string, extra = ''): string {
  return `Intro to ${slug}.\n\n## Idea\n\nSome words about ${slug} here.\n\n\`\`\`sql\nSELECT 1;\n\`\`\`\n\n## Practice\n\nTry it.${extra}\n`;
}

/**
 * A course of `count` lessons over two parts (two chapters in the first), each
 * lesson requiring the one before; overrides adjust single lessons by slug.
 */
export async function buildCourse(
  count = 4,
  overrides: Record<string, Partial<LessonInput> & { body?: string }> = {},
  course: Partial<Manifest['course']> = {},
  /** `prefix` starts every lesson slug (`<prefix>lesson-1`), for a second course of the catalog. */
  { prefix = '' }: { prefix?: string } = {},
): Promise<CourseFixture> {
  const bodies = new Map<string, string>();
  const lessons: LessonInput[] = [];
  for (let i = 0; i < count; i++) {
    const slug = `${prefix}lesson-${i + 1}`;
    const { body = lessonBody(slug), ...rest } = overrides[slug] ?? {};
    const contentHash = await sha256Hex(body);
    bodies.set(contentHash, body);
    const [partSlug, chapterSlug] =
      i < count / 2 ? ['basics', i < count / 4 ? 'first-steps' : 'next-steps'] : ['deeper', 'going-further'];
    lessons.push({
      slug,
      title: `Lesson ${i + 1}`,
      partSlug: partSlug ?? 'basics',
      chapterSlug: chapterSlug ?? 'first-steps',
      position: i,
      layer: i < count / 2 ? 'L1' : 'L2',
      prerequisites: i > 0 ? [`${prefix}lesson-${i}`] : [],
      concepts: [`concept-${i + 1}`],
      minutes: 10,
      difficulty: 2,
      summary: `Summary of lesson ${i + 1}`,
      objectives: [`Do thing ${i + 1}`],
      quiz: [
        { question: `Q${i + 1}?`, choices: ['a', 'b', 'c'], answer: 1, explanation: 'because', concept: `concept-${i + 1}` },
      ],
      sourcePath: `${slug}.md`,
      contentHash,
      ...rest,
    });
  }
  const manifest: Manifest = {
    course: { slug: 'test-course', title: 'Test course', summary: 'For tests', ...course },
    parts: [
      { slug: 'basics', title: 'Basics', summary: '', position: 0 },
      { slug: 'deeper', title: 'Deeper', summary: '', position: 1 },
    ],
    chapters: [
      { slug: 'first-steps', partSlug: 'basics', title: 'First steps', summary: '', position: 0 },
      { slug: 'next-steps', partSlug: 'basics', title: 'Next steps', summary: '', position: 1 },
      { slug: 'going-further', partSlug: 'deeper', title: 'Going further', summary: '', position: 0 },
    ],
    lessons,
    blobs: [...bodies.entries()].map(([hash, body]) => ({
      hash,
      size: new TextEncoder().encode(body).byteLength,
      contentType: 'text/markdown' as const,
    })),
    prune: false,
  };
  return { manifest, bodies };
}

export interface ApiInit extends RequestInit {
  key?: string;
  json?: unknown;
  /** Vars to run this one request with (e.g. a model endpoint); the Worker is called directly. */
  vars?: Record<string, string>;
}

export async function api(path: string, init: ApiInit = {}): Promise<Response> {
  const { key, json, vars, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (key) headers.set('authorization', `Bearer ${key}`);
  // Per-address limits outlive a test: each request comes from its own address unless the test picks one.
  if (!headers.has('cf-connecting-ip')) headers.set('cf-connecting-ip', freshIp());
  let body = rest.body;
  if (json !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(json);
  }
  const request = new Request(`${ORIGIN}${path}`, { ...rest, headers, body });
  if (!vars) return SELF.fetch(request);
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, { ...env, ...vars }, ctx);
  // Streams finish on their own; JSON answers wait for background work (cache writes).
  if (!response.headers.get('content-type')?.includes('event-stream')) await waitOnExecutionContext(ctx);
  return response;
}

export const PREFERENCES: Preferences = {
  experience: 'basic',
  background: 'software',
  goals: ['basics'],
  style: 'hands-on',
  sessionMinutes: 30,
  exampleDomain: 'retail',
};

/** A fresh client address per call: limits are per IP and survive between tests. */
export function freshIp(): string {
  const [a = 0, b = 0, c = 0] = crypto.getRandomValues(new Uint8Array(3));
  return `10.${a}.${b}.${c}`;
}

/** A new learner (onboarded with `preferences` unless they are null) and its token. */
export async function givenLearner(preferences: Partial<Preferences> | null = {}): Promise<{ learnerId: string; token: string }> {
  const created = await api('/api/learners', { method: 'POST', headers: { 'cf-connecting-ip': freshIp() } });
  if (created.status !== 201) throw new Error(`learner not created: ${created.status} ${await created.text()}`);
  const learner = await created.json<{ learnerId: string; token: string }>();
  if (preferences) {
    const put = await api('/api/learners/me/preferences', {
      method: 'PUT',
      key: learner.token,
      json: { ...PREFERENCES, ...preferences },
    });
    if (put.status !== 200) throw new Error(`preferences not stored: ${put.status} ${await put.text()}`);
  }
  return learner;
}

/** The learner's object (typed RPC stub). */
export const learnerHandle = (learnerId: string) => env.LEARNER.get(env.LEARNER.idFromName(learnerId));

/** Runs SQL in a learner's own object (its SQLite) and returns the rows: what tests read and seed there. */
export async function learnerSql<T = Record<string, SqlStorageValue>>(
  learnerId: string,
  sql: string,
  ...binds: unknown[]
): Promise<T[]> {
  return runInDurableObject(
    learnerHandle(learnerId),
    (_instance, state) => state.storage.sql.exec(sql, ...binds).toArray() as T[],
  );
}

/** Rows of a D1 query, for polling what a queue delivers (`expect.poll(() => d1Rows(sql), DELIVERY)`). */
export async function d1Rows(sql: string): Promise<Record<string, unknown>[]> {
  return (await env.DB.prepare(sql).all<Record<string, unknown>>()).results;
}

/** How long a test waits for a real queue delivery (about a second with `max_batch_timeout = 1`). */
export const DELIVERY = { timeout: 8000, interval: 100 };

/**
 * Runs `run` inside a learner's object with its AGGREGATES queue replaced by `sendBatch`
 * (to capture what it sends, or to fail), then puts the real queue back.
 */
export async function withAggregatesQueue<T>(
  learnerId: string,
  sendBatch: (messages: { body: unknown }[]) => Promise<void>,
  run: (instance: Learner, state: DurableObjectState) => Promise<T>,
): Promise<T> {
  return runInDurableObject(learnerHandle(learnerId), async (instance: Learner, state) => {
    const real = env.AGGREGATES;
    Object.assign(instance, { env: { ...env, AGGREGATES: { sendBatch } } });
    try {
      return await run(instance, state);
    } finally {
      Object.assign(instance, { env: { ...env, AGGREGATES: real } });
    }
  });
}

/** Sends what the learners' objects owe the shared aggregates now (the real queue delivers it in about a second). */
export async function flushLearners(...learnerIds: string[]): Promise<void> {
  for (const id of learnerIds) await learnerHandle(id).flush();
}

/** Reads a server-sent event stream to its end. */
export async function readEvents(response: Response): Promise<{ event: string; data: unknown }[]> {
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((block) => block.trim())
    .map((block) => {
      const lines = block.split('\n');
      const event =
        lines
          .find((l) => l.startsWith('event:'))
          ?.slice(6)
          .trim() ?? 'message';
      const data = lines
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n');
      return { event, data: JSON.parse(data) as unknown };
    });
}

/** Runs the three-step push (plan, upload what is missing, commit) and returns the commit answer. */
export async function push(fixture: CourseFixture, key: string, options: { prune?: boolean; baseVersion?: number } = {}) {
  const manifest = { ...fixture.manifest, prune: options.prune ?? false, baseVersion: options.baseVersion };
  const plan = await api('/api/admin/content/plan', { method: 'POST', key, json: manifest });
  if (plan.status !== 200) throw new Error(`plan failed: ${plan.status} ${await plan.text()}`);
  const { missing } = await plan.json<{ missing: string[] }>();
  for (const hash of missing) {
    const body = fixture.bodies.get(hash);
    if (body === undefined) throw new Error(`no body for ${hash}`);
    const put = await api(`/api/admin/content/blobs/${hash}`, {
      method: 'PUT',
      key,
      body,
      headers: { 'content-type': 'text/markdown' },
    });
    if (!put.ok) throw new Error(`upload failed: ${put.status} ${await put.text()}`);
  }
  const commit = await api('/api/admin/content/commit', { method: 'POST', key, json: manifest });
  if (commit.status !== 200) throw new Error(`commit failed: ${commit.status} ${await commit.text()}`);
  return { missing, result: await commit.json<{ version: number; enqueued: number; summary: Record<string, string[]> }>() };
}

/**
 * Two courses: the six-lesson default one (`test-course`), then a four-lesson second one
 * (`other-course`) whose lesson slugs start `py-` but whose part and concept slugs are the
 * same. Returns the author key.
 */
export async function givenTwoCourses(): Promise<string> {
  const key = await givenAuthorKey();
  await push(await buildCourse(6), key);
  await push(await buildCourse(4, {}, { slug: 'other-course', title: 'Other' }, { prefix: 'py-' }), key);
  return key;
}

/** Waits for real queue delivery to ingest the given lessons (bounded). */
export async function waitForIngest(slugs: string[], timeoutMs = 8000): Promise<void> {
  const started = Date.now();
  for (;;) {
    const { results } = await env.DB.prepare(`SELECT slug FROM lessons WHERE ingest_status = 'ingested'`).all<{ slug: string }>();
    const done = new Set(results.map((r) => r.slug));
    if (slugs.every((s) => done.has(s))) return;
    if (Date.now() - started > timeoutMs)
      throw new Error(`not ingested in time: ${slugs.filter((s) => !done.has(s)).join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface SourceFile {
  name: string;
  bytes: Uint8Array | string;
  type?: string;
}

/** Uploads a knowledge source as multipart/form-data (the CLI's and the site's way). */
export async function uploadSource(key: string | undefined, file: SourceFile, fields: Record<string, string> = {}) {
  const form = new FormData();
  const bytes = typeof file.bytes === 'string' ? new TextEncoder().encode(file.bytes) : file.bytes;
  form.set('file', new File([bytes as Uint8Array<ArrayBuffer>], file.name, { type: file.type ?? '' }));
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  return api('/api/admin/sources', { method: 'POST', body: form, ...(key ? { key } : {}) });
}

/** Waits for real queue delivery to settle a source (ingested or failed), bounded; returns its state. */
export async function waitForSource(id: string, timeoutMs = 8000): Promise<{ status: string; error: string | null }> {
  const started = Date.now();
  for (;;) {
    const row = await env.DB.prepare('SELECT status, error FROM sources WHERE id = ?')
      .bind(id)
      .first<{ status: string; error: string | null }>();
    if (row && row.status !== 'pending') return row;
    if (Date.now() - started > timeoutMs) throw new Error(`source ${id} still ${row?.status ?? 'missing'}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Sends `send` in rounds of `parallel` until one answers 429 (at most twice the limit and
 * one more: the limiter counts in windows of a clock minute, and a test may straddle two).
 * Within one window, exactly `limit` pass first.
 */
export async function untilLimited(limit: number, parallel: number, send: () => Promise<Response>) {
  const minute = () => Math.floor(Date.now() / 60_000);
  const started = minute();
  let passed = 0;
  while (passed <= 2 * limit) {
    const responses = await Promise.all(Array.from({ length: parallel }, send));
    const refused = responses.find((r) => r.status === 429);
    passed += responses.filter((r) => r.status < 300).length;
    if (refused) {
      if (minute() === started) expect(passed).toBe(limit);
      expect(refused.headers.get('retry-after')).toBe('60');
      expect(refused.headers.get('content-type')).toBe('application/problem+json');
      expect(await refused.json()).toMatchObject({ code: 'rate_limited' });
      return;
    }
  }
  throw new Error(`no 429 after ${passed} requests`);
}
