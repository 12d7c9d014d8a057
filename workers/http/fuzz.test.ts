import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { OPENAPI_PATH } from '../app';
import { newAuthorKey } from '../features/keys/keys.domain';
import { newLearnerId, signLearnerToken } from '../features/learners/learners.token';
import { sha256Hex } from '../platform/sha256';
import { api, buildCourse, givenAuthorKey, givenLearner, PREFERENCES, push, waitForIngest } from '../test/builders';
import { createFuzzer, createRandom, seedOf, type FuzzInput, type OpenApiDocument, type Operation } from '../test/openapi-fuzz';
import { ERROR_CODES, PROBLEM_TYPE_BASE, type ErrorCode } from './problem';

/** Change it to explore other picks of wrong values; every failure names the seed it ran with. */
const SEED = 20261117;
/**
 * Requests one learner or author key makes before a fresh one takes over: under the
 * per-learner (600/min), event batch (60/min) and per-key limits. A credential refused
 * with 401 or 429 (erased, signed out, privacy limit of 10/min) is replaced at once.
 */
const REQUESTS_PER_CREDENTIAL = 40;
const PARALLEL_OPERATIONS = 4;
const MAX_MUTATIONS_PER_OPERATION = 200;
/** They rewrite the course every other operation reads: run after the rest, so those see the seeded course. */
const RUN_LAST = new Set(['POST /api/admin/content/commit']);
/**
 * Defects found here in code this test's author could not change, by operation and
 * a part of the failure reason. Each must still occur (so a fix shows up as a failure
 * that asks to remove its entry); any other failure fails the test.
 */
const KNOWN_DEFECTS: { operation: string; reason: string; where: string }[] = [];
/** A field error names the request part, then the path inside it (`json/lessons/3/slug`; `json` alone: the whole body). */
const FIELD_PARTS = ['json', 'form', 'query', 'param', 'header'];

type Scheme = 'LearnerToken' | 'AuthorKey';

/** A credential used for at most REQUESTS_PER_CREDENTIAL requests, or until retired. */
function rotating(create: () => Promise<string>) {
  let current: string | undefined;
  let used = 0;
  return {
    async next(): Promise<string> {
      if (current === undefined || used >= REQUESTS_PER_CREDENTIAL) {
        current = await create();
        used = 0;
      }
      used++;
      return current;
    },
    retire() {
      current = undefined;
    },
  };
}

const newLearnerToken = async () => (await givenLearner()).token;

/** Sends `init` and fails the test if the seeding request itself does not succeed. */
async function seed(path: string, init: Parameters<typeof api>[1]): Promise<void> {
  const response = await api(path, init);
  if (!response.ok) throw new Error(`seeding ${path} failed: ${response.status} ${await response.text()}`);
}

/** Whether the operation declares an input the server must be able to refuse with 400. */
function validates(op: Operation): boolean {
  const content = op.requestBody?.content ?? {};
  if (content['application/json'] || content['multipart/form-data']) return true;
  return (op.parameters ?? []).some(
    (p) =>
      (p.in === 'path' || p.in === 'query') &&
      ['pattern', 'minLength', 'maxLength', 'enum', 'minimum', 'maximum', 'format'].some((k) => k in p.schema),
  );
}

const clip = (text: string, max = 300) => (text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text);

function fieldNames(form: FormData): string[] {
  const names: string[] = [];
  form.forEach((_value, name) => names.push(name));
  return names;
}

function describeSent(input: FuzzInput): string {
  const body =
    input.body === undefined
      ? 'no body'
      : typeof input.body === 'string'
        ? `body ${JSON.stringify(clip(input.body, 200))}`
        : input.body instanceof FormData
          ? `multipart fields ${JSON.stringify(fieldNames(input.body))}`
          : `${input.body.byteLength} bytes`;
  const headers = Object.entries(input.headers)
    .map(([k, v]) => `${k}: ${clip(v, 60)}`)
    .join(', ');
  return `${input.method} ${clip(input.url, 160)} (credentials: ${input.credentials}; headers: ${headers || 'none'}; ${body})`;
}

/** What is wrong with the answer, if anything: a 5xx, a 4xx that is not a problem, a success for forbidden input. */
function judge(input: FuzzInput, response: Response, text: string): string[] {
  const { status } = response;
  const wrong: string[] = [];
  if (status >= 500) wrong.push('a 5xx answer');
  if (input.expectStatus !== undefined && status !== input.expectStatus) wrong.push(`expected status ${input.expectStatus}`);
  if (status >= 200 && status < 300 && input.invalid) wrong.push('a success answer to input the contract forbids');
  if (input.credentials === 'valid' && status === 401) wrong.push('valid credentials refused');
  if (status < 400) return wrong;
  const contentType = response.headers.get('content-type') ?? '';
  if (contentType.split(';')[0]?.trim() !== 'application/problem+json') wrong.push(`content-type "${contentType}"`);
  let problem: Record<string, unknown>;
  try {
    problem = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return [...wrong, 'a body that is not JSON'];
  }
  const code = problem.code as ErrorCode;
  if (!Object.hasOwn(ERROR_CODES, code)) wrong.push(`unknown code ${String(problem.code)}`);
  else if (ERROR_CODES[code].status !== status) wrong.push(`code ${code} under status ${status}`);
  if (problem.type !== `${PROBLEM_TYPE_BASE}${String(problem.code)}`) wrong.push('type is not the code');
  if (problem.status !== status) wrong.push('problem status differs from HTTP status');
  for (const key of ['title', 'detail', 'requestId'])
    if (typeof problem[key] !== 'string' || !problem[key]) wrong.push(`${key} is not a non-empty string`);
  if (response.headers.get('x-request-id') !== problem.requestId) wrong.push('X-Request-Id differs from requestId');
  const errors = problem.errors as { field?: unknown; message?: unknown }[] | undefined;
  if (status === 400 && (!Array.isArray(errors) || errors.length === 0)) wrong.push('a 400 without field errors');
  for (const error of Array.isArray(errors) ? errors : []) {
    const field = typeof error.field === 'string' ? error.field : '';
    if (!FIELD_PARTS.some((part) => field === part || field.startsWith(`${part}/`)))
      wrong.push(`field ${JSON.stringify(error.field)} does not name its request part`);
    if (typeof error.message !== 'string') wrong.push('a field error without a message');
  }
  return wrong;
}

/** Runs `work` on every item, `parallel` at a time. */
async function inPool<T>(items: T[], parallel: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

describe('OpenAPI fuzzing', () => {
  it('answers malformed input to every documented operation with a 4xx problem, never a 5xx or a success', async () => {
    const now = new Date();
    const seedKey = await givenAuthorKey();
    const course = await buildCourse(4);
    await push(course, seedKey);
    await waitForIngest(course.manifest.lessons.map((l) => l.slug));
    const blob = new TextEncoder().encode('A blob the fuzzer uploads.');
    const options = {
      now,
      params: { slug: 'lesson-1', lessonSlug: 'lesson-1', hash: await sha256Hex(blob) },
      octetBody: blob,
      maxMutations: MAX_MUTATIONS_PER_OPERATION,
    };
    // Inputs sampled from the schema alone stop at the first lookup (no such lesson, quiz item or part);
    // these name what the seeded course has, so the wrong values put into them reach the code behind.
    const overrides: Record<
      string,
      { body?: unknown; params?: Record<string, string>; prepare?: (key: string) => Promise<void> }
    > = {
      'POST /api/admin/content/plan': { body: course.manifest },
      'POST /api/admin/content/commit': { body: course.manifest },
      'PUT /api/learners/me/preferences': { body: PREFERENCES },
      'POST /api/onboarding': { body: { answers: PREFERENCES } },
      'PUT /api/learners/me/goal': { body: { type: 'lesson', id: 'lesson-2', targetDate: '2027-01-01' } },
      'POST /api/quizzes/attempts': { body: { itemId: 'lesson-1-q1', answer: 1 } },
      'GET /api/concepts/{id}': { params: { id: 'concept-1' } },
      'POST /api/reviews/{id}': {
        body: { answer: 1, rating: 'good' },
        params: { id: 'lesson-1-q1' },
        // A learner reviews only items they have answered.
        prepare: (key) =>
          seed('/api/quizzes/attempts', {
            method: 'POST',
            key,
            json: { eventId: crypto.randomUUID(), itemId: 'lesson-1-q1', answer: 0 },
          }),
      },
      // Feedback is taken only on what was offered.
      'POST /api/recommendations/{id}/feedback': {
        prepare: (key) => seed('/api/recommendations?limit=20&allowSkips=true', { key }),
      },
    };
    const unknownCredential: Record<Scheme, () => Promise<string>> = {
      LearnerToken: async () =>
        (await signLearnerToken(env.LEARNER_TOKEN_SECRET, newLearnerId(crypto.getRandomValues(new Uint8Array(16))), now)).token,
      AuthorKey: async () =>
        (await newAuthorKey(crypto.getRandomValues(new Uint8Array(32)), crypto.getRandomValues(new Uint8Array(9)))).key,
    };
    const otherKind: Record<Scheme, string> = { LearnerToken: seedKey, AuthorKey: await newLearnerToken() };

    const documented = await api(OPENAPI_PATH);
    expect(documented.status).toBe(200);
    const doc = await documented.json<OpenApiDocument>();
    const fuzzer = createFuzzer(doc);
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, method, path, op })),
    );

    const failures: string[] = [];
    const refusedByValidation = new Set<string>();
    const exercised = new Set<string>();
    let requests = 0;

    const fuzz = async ({ name, method, path, op }: (typeof operations)[number]) => {
      const scheme = (op.security ?? []).flatMap((s) => Object.keys(s))[0] as Scheme | undefined;
      const { body, params, prepare } = overrides[name] ?? {};
      const credential = rotating(async () => {
        const key = scheme === 'LearnerToken' ? await newLearnerToken() : await givenAuthorKey();
        await prepare?.(key);
        return key;
      });
      const inputs = fuzzer.cases(method, path, op, {
        ...options,
        random: createRandom(seedOf(`${SEED} ${name}`)),
        body,
        params: { ...options.params, ...params },
      });

      const authorization = async (credentials: FuzzInput['credentials']): Promise<string | null> => {
        if (!scheme) return null;
        switch (credentials) {
          case 'valid':
            return `Bearer ${await credential.next()}`;
          case 'none':
            return null;
          case 'garbage':
            return 'Bearer not.a.token';
          case 'basic':
            return 'Basic Zm9vOmJhcg==';
          case 'tampered': {
            // A character in the middle: every bit of it counts (a last base64url character may carry padding bits).
            const valid = await credential.next();
            const at = valid.length - 8;
            return `Bearer ${valid.slice(0, at)}${valid[at] === 'A' ? 'B' : 'A'}${valid.slice(at + 1)}`;
          }
          case 'unknown':
            return `Bearer ${await unknownCredential[scheme]()}`;
          case 'other-kind':
            return `Bearer ${otherKind[scheme]}`;
        }
      };
      const send = async (input: FuzzInput) => {
        const headers = new Headers(input.headers);
        const auth = await authorization(input.credentials);
        if (auth) headers.set('authorization', auth);
        requests++;
        const response = await api(input.url, {
          method: input.method,
          headers,
          ...(input.body === undefined ? {} : { body: input.body }),
        });
        return { response, text: await response.text() };
      };
      const report = (input: FuzzInput, response: Response, text: string) => {
        const wrong = judge(input, response, text);
        if (wrong.length === 0) return;
        failures.push(
          [
            `${name} — ${input.description} [seed ${SEED}]: ${wrong.join('; ')}`,
            `  sent: ${describeSent(input)}`,
            `  got:  ${response.status} ${response.headers.get('content-type') ?? ''} ${clip(text)}`,
          ].join('\n'),
        );
      };

      for (const input of inputs) {
        let { response, text } = await send(input);
        if (scheme && input.credentials === 'valid' && (response.status === 401 || response.status === 429)) {
          // The credential was ended by the operation (erase, sign-out) or spent by a limit: the refusal must
          // still be a problem, and the input is sent again with a fresh credential.
          report({ ...input, credentials: 'none', invalid: false }, response, text);
          credential.retire();
          ({ response, text } = await send(input));
        }
        report(input, response, text);
        if (input.credentials === 'valid' && response.status === 400) refusedByValidation.add(name);
      }
      exercised.add(name);
    };
    await inPool(
      operations.filter((o) => !RUN_LAST.has(o.name)),
      PARALLEL_OPERATIONS,
      fuzz,
    );
    await inPool(
      operations.filter((o) => RUN_LAST.has(o.name)),
      1,
      fuzz,
    );

    expect(operations.length).toBeGreaterThan(40);
    expect([...exercised].sort()).toEqual(operations.map((o) => o.name).sort());
    expect(requests).toBeGreaterThan(operations.length * 10);
    // Validation was reached: every operation with a constrained input refused some of it with 400.
    expect(operations.filter((o) => validates(o.op) && !refusedByValidation.has(o.name)).map((o) => o.name)).toEqual([]);
    // Nothing sent set a property on every object of the isolate (the Worker runs in the test's isolate).
    expect(Object.prototype).not.toHaveProperty('fuzzPolluted');
    const known = (f: string, d: (typeof KNOWN_DEFECTS)[number]) => f.startsWith(`${d.operation} — `) && f.includes(d.reason);
    const unexpected = failures.filter((f) => !KNOWN_DEFECTS.some((d) => known(f, d)));
    expect(
      unexpected.length,
      `${unexpected.length} of ${requests} answers were wrong:\n${unexpected.slice(0, 60).join('\n')}`,
    ).toBe(0);
    const fixed = KNOWN_DEFECTS.filter((d) => !failures.some((f) => known(f, d)));
    expect(fixed, 'these known defects no longer occur: remove them from KNOWN_DEFECTS').toEqual([]);
  }, 180_000);
});
