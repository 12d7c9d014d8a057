/**
 * Malformed requests derived from an OpenAPI 3.1 document: for each operation, the
 * inputs its declared parameters and request body forbid, each with a note of whether
 * it breaks the contract (so a 2xx answer to it is a defect). Pure: no bindings, no
 * clock, no global randomness; callers pass `now` and a seeded `random`.
 */

import { seededRandom } from '../platform/seeded-random';
import { createSchemaTools, isObject, typesOf, uuid, type JsonSchema, type Random } from './json-schema';

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: JsonSchema;
}

export interface Operation {
  security?: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: JsonSchema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

/** Who the request claims to be: the operation's own credential, none, or a wrong one. */
export type Credentials = 'valid' | 'none' | 'garbage' | 'basic' | 'tampered' | 'unknown' | 'other-kind';

export interface FuzzInput {
  /** What is wrong with the request, for the failure report. */
  description: string;
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: Record<string, string>;
  body?: string | FormData | Uint8Array<ArrayBuffer>;
  credentials: Credentials;
  /** The input breaks the declared contract: a 2xx answer to it is a defect. */
  invalid: boolean;
  /** The one status the answer must have, where the contract fixes it. */
  expectStatus?: number;
}

export interface CaseOptions {
  now: Date;
  random: Random;
  /** Conforming values for path parameters, by name (e.g. a lesson slug that exists). */
  params?: Record<string, string>;
  /** Conforming JSON to start from, merged over the body sampled from the schema (e.g. ids that exist). */
  body?: unknown;
  /** A conforming raw body for `application/octet-stream` operations. */
  octetBody?: Uint8Array<ArrayBuffer>;
  /** Cap on property mutations per operation; every mutated field keeps at least two. */
  maxMutations?: number;
}

/** Deterministic PRNG (mulberry32): the same seed gives the same cases. */
export function createRandom(seed: number): Random {
  return seededRandom(seed);
}

/** FNV-1a of a text: a per-operation seed that does not depend on the order operations run in. */
export function seedOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

const LONG = 'x'.repeat(10_000);
const UNICODE = 'é\u0000\u0007\u001b[31m\u202e\ud800\ufeff\uffff😀\u2028<script>';
/** Characters that mean something to SQL, FTS5, LIKE, regular expressions, paths and HTML. */
const SYNTAX = `"unbalanced' AND (NEAR(a b) OR * ^col:x -y) %_\\ [a-z]{ ../ <b>&amp;; --`;
const DATE_TIME_VALUES = [
  '1970-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '2026-02-30T25:61:00Z',
  'yesterday',
  '2026-01-01',
  '2026-01-01T00:00:00+14:00',
];
const DATE_VALUES = ['2026-02-30', '0000-01-01', '9999-12-31', '+275760-09-13', '2026-1-1', 'today'];
const UUID_VALUES = [
  'not-a-uuid',
  '00000000-0000-0000-0000-000000000000',
  'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
  '{0e840340-f533-41a0-8e5f-2a7ea17c39ea}',
];
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/g;
const PROTO_KEYS = '{"__proto__":{"fuzzPolluted":true},"constructor":{"prototype":{"fuzzPolluted":true}},"prototype":{}}';
const protoObject = (): unknown => JSON.parse(PROTO_KEYS);
const deep = (levels: number, leaf: unknown, wrap: (inner: unknown) => unknown): unknown =>
  levels === 0 ? leaf : wrap(deep(levels - 1, leaf, wrap));

export function createFuzzer(doc: OpenApiDocument) {
  const { resolve, branch, conforms, sample } = createSchemaTools(doc.components?.schemas);

  /** A query or path parameter's text as the server coerces it (numbers from their text). */
  function paramConforms(schema: JsonSchema, text: string): boolean {
    const s = resolve(schema);
    const numeric = typesOf(s).some((t) => t === 'integer' || t === 'number');
    return conforms(s, numeric ? Number(text) : text);
  }

  /** Values of the wrong type or out of range for a field of `schema` (the caller checks which break it). */
  function wrongValues(schema: JsonSchema, options: Pick<CaseOptions, 'now' | 'random'>): [string, unknown][] {
    const s = branch(schema, undefined);
    const type = typesOf(s).find((t) => t !== 'null') ?? (s.properties ? 'object' : 'string');
    const shared: [string, unknown][] = [
      ['null', null],
      ['prototype-pollution object', protoObject()],
      ['64 levels of nested arrays', deep(64, 1, (x) => [x])],
    ];
    const bounds: [string, unknown][] = [
      ...(s.minimum === undefined ? [] : ([['the minimum', s.minimum]] as [string, unknown][])),
      ...(s.maximum === undefined ? [] : ([['the maximum', s.maximum]] as [string, unknown][])),
    ];
    if (s.format === 'date-time' || s.format === 'date') {
      const values = s.format === 'date' ? DATE_VALUES : DATE_TIME_VALUES;
      return [...values.map((v): [string, unknown] => [JSON.stringify(v), v]), ['a number', 1700000000000], ...shared];
    }
    if (s.format === 'uuid')
      return [...UUID_VALUES.map((v): [string, unknown] => [JSON.stringify(v), v]), ['a number', 1], ...shared];
    if (s.enum)
      return [
        ['a value not in the enum', 'not-an-option'],
        ...(String(s.enum[0]).toUpperCase() === s.enum[0]
          ? []
          : ([['an upper-cased option', String(s.enum[0]).toUpperCase()]] as [string, unknown][])),
        ['0', 0],
        ...shared,
      ];
    switch (type) {
      case 'integer':
      case 'number':
        return [
          ['a numeric string', '42'],
          ['"NaN"', 'NaN'],
          ['"Infinity"', 'Infinity'],
          ['a float', 1.5],
          ['-1', -1],
          ['0', 0],
          ['1e308', 1e308],
          ['-1e308', -1e308],
          ['true', true],
          ...bounds,
          ...shared,
        ];
      case 'boolean':
        return [['"true"', 'true'], ['1', 1], ...shared];
      case 'array': {
        const tooMany: [string, unknown][] =
          s.maxItems !== undefined && s.maxItems <= 200
            ? [[`${s.maxItems + 1} items`, Array.from({ length: s.maxItems + 1 }, () => sample(s.items ?? {}, options))]]
            : [];
        return [['a string', 'fuzz'], ['an object', {}], ['[null]', [null]], ['an empty array', []], ...tooMany, ...shared];
      }
      case 'object':
        return [
          ['a string', 'fuzz'],
          ['an array', []],
          ['42', 42],
          ['64 levels of nested objects', deep(64, {}, (x) => ({ a: x }))],
          ...shared,
        ];
      default:
        return [
          ['a number', 12345],
          ['true', true],
          ['an object', { a: 'b' }],
          ['an array', ['fuzz']],
          ['a 10,000-character string', LONG],
          ['unicode and control characters', UNICODE],
          ['an empty string', ''],
          ['"NaN"', 'NaN'],
          ['query and markup syntax', SYNTAX],
          ['only whitespace', ' \t\n '],
          ...shared,
        ];
    }
  }

  /** Every field of `schema` reachable within `depth` levels, starting from `base` (arrays: their first item). */
  function fields(schema: JsonSchema, base: unknown, path: Segment[], depth: number): { path: Segment[]; schema: JsonSchema }[] {
    if (depth === 0) return [];
    const s = branch(schema, base);
    const out: { path: Segment[]; schema: JsonSchema }[] = [];
    for (const [key, child] of Object.entries(s.properties ?? {})) {
      out.push({ path: [...path, key] as Segment[], schema: child });
      out.push(...fields(child, isObject(base) ? base[key] : undefined, [...path, key], depth - 1));
    }
    if (typeof s.additionalProperties === 'object') out.push({ path: [...path, 'fuzzKey'], schema: s.additionalProperties });
    if (s.items) {
      out.push({ path: [...path, 0], schema: s.items });
      out.push(...fields(s.items, Array.isArray(base) ? base[0] : undefined, [...path, 0], depth - 1));
    }
    return out;
  }

  /** Required properties present in `base`, at any depth: removing one breaks the contract. */
  function requiredFields(schema: JsonSchema, base: unknown, path: Segment[]): Segment[][] {
    const s = branch(schema, base);
    const out: Segment[][] = [];
    if (isObject(base)) {
      for (const key of s.required ?? []) if (Object.hasOwn(base, key)) out.push([...path, key]);
      for (const [key, child] of Object.entries(s.properties ?? {}))
        if (key in base) out.push(...requiredFields(child, base[key], [...path, key]));
    }
    if (Array.isArray(base) && s.items && base.length > 0) out.push(...requiredFields(s.items, base[0], [...path, 0]));
    return out;
  }

  /** The cases for one operation, in a fixed order, the conforming request last. */
  function cases(method: string, template: string, op: Operation, options: CaseOptions): FuzzInput[] {
    const { random } = options;
    const M = method.toUpperCase();
    const params = op.parameters ?? [];
    const pathValues = Object.fromEntries(
      params.filter((p) => p.in === 'path').map((p) => [p.name, options.params?.[p.name] ?? String(sample(p.schema, options))]),
    );
    const buildPath = (values: Record<string, string>) =>
      template.replace(/\{([^}]+)\}/g, (_, name: string) => values[name] ?? encodeURIComponent(pathValues[name] ?? ''));
    const basePath = buildPath({});
    const headerValues = Object.fromEntries(
      params.filter((p) => p.in === 'header' && p.required).map((p) => [p.name, String(sample(p.schema, options))]),
    );

    const content = op.requestBody?.content ?? {};
    const jsonSchema = content['application/json']?.schema;
    const formSchema = content['multipart/form-data']?.schema;
    const octet = content['application/octet-stream'] !== undefined;
    const bodyRequired = op.requestBody?.required === true;
    const sampled = jsonSchema ? sample(jsonSchema, options) : undefined;
    const baseJson = isObject(sampled) && isObject(options.body) ? { ...sampled, ...options.body } : (options.body ?? sampled);
    // Client-generated ids (eventId) are fresh in every request: a reused one would stop at the duplicate check.
    const ids = [...JSON.stringify(baseJson ?? null).matchAll(UUID)].map((m) => m[0]);
    const jsonHeaders = { ...headerValues, 'content-type': 'application/json' };
    const octetHeaders = { ...headerValues };
    const baseForm = () => {
      const form = new FormData();
      form.set('file', new File(['A short source about fuzzing.'], 'fuzz.txt', { type: 'text/plain' }));
      form.set('title', 'Fuzz');
      return form;
    };
    const baseRequest = (): Pick<FuzzInput, 'headers' | 'body'> => {
      if (baseJson !== undefined) return { headers: jsonHeaders, body: JSON.stringify(baseJson) };
      if (formSchema) return { headers: { ...headerValues }, body: baseForm() };
      if (octet && options.octetBody) return { headers: octetHeaders, body: options.octetBody };
      return { headers: { ...headerValues } };
    };

    const out: FuzzInput[] = [];
    const add = (description: string, part: Partial<FuzzInput> & { invalid: boolean }) =>
      out.push({ method: M, url: basePath, credentials: 'valid', ...baseRequest(), ...part, description });

    // Credentials: the conforming request without them, or with a wrong one, must be refused with 401.
    if (op.security?.length) {
      add('no credentials', { credentials: 'none', invalid: true, expectStatus: 401 });
      add('a malformed bearer token', { credentials: 'garbage', invalid: true, expectStatus: 401 });
      add('Basic instead of Bearer', { credentials: 'basic', invalid: true, expectStatus: 401 });
      add('a valid credential with its last character changed', { credentials: 'tampered', invalid: true, expectStatus: 401 });
      add('a well-formed credential of no one', { credentials: 'unknown', invalid: true, expectStatus: 401 });
      add("the other security scheme's credential", { credentials: 'other-kind', invalid: true, expectStatus: 401 });
    }

    // Body as a whole.
    const canHaveBody = M !== 'GET' && M !== 'HEAD';
    if (jsonSchema) {
      const raw = (
        description: string,
        body: string | undefined,
        invalid: boolean,
        headers: Record<string, string> = jsonHeaders,
      ) => add(description, { headers, body: ids.reduce((text, id) => text?.replaceAll(id, uuid(random)), body), invalid });
      if (op.security?.length)
        add('no credentials and no body', { credentials: 'none', headers: headerValues, body: undefined, invalid: true });
      raw('no body and no content-type', undefined, bodyRequired, headerValues);
      raw('an empty body declared as JSON', '', bodyRequired);
      raw('truncated JSON', '{"a":', true);
      raw('text that is not JSON', 'hello, fuzzer', true);
      raw('JSON followed by garbage', `${JSON.stringify(baseJson)}}`, true);
      raw('5,000 levels of nested arrays', `${'['.repeat(5000)}${']'.repeat(5000)}`, !conforms(jsonSchema, []));
      raw('a body over 1 MB', JSON.stringify({ padding: 'x'.repeat(1_100_000) }), true);
      for (const [label, value] of [
        ['an array', []],
        ['a string', 'fuzz'],
        ['a number', 42],
        ['null', null],
        ['true', true],
      ] as [string, unknown][])
        raw(`JSON ${label} instead of the schema's type`, JSON.stringify(value), !conforms(jsonSchema, value));
      if (isObject(baseJson)) {
        const members = JSON.stringify(baseJson).slice(1, -1);
        const withProto = `${PROTO_KEYS.slice(0, -1)}${members ? `,${members}` : ''}}`;
        raw('__proto__, constructor and prototype keys', withProto, !conforms(jsonSchema, JSON.parse(withProto)));
        const extra = { ...baseJson, unexpectedField: 'fuzz' };
        raw('an unknown extra property', JSON.stringify(extra), !conforms(jsonSchema, extra));
      }
      for (const type of [
        'text/plain;charset=UTF-8',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=fuzz',
        'application/xml',
      ])
        raw(`the JSON body sent as ${type}`, JSON.stringify(baseJson), bodyRequired, { ...headerValues, 'content-type': type });
      // Spellings of JSON the server may accept or refuse, but must not fail on.
      for (const type of ['APPLICATION/JSON', 'application/json; charset=utf-16', 'application/vnd.fuzz+json'])
        raw(`the JSON body sent as ${type}`, JSON.stringify(baseJson), false, { ...headerValues, 'content-type': type });
      raw('a JSON body declared gzip-encoded', JSON.stringify(baseJson), false, { ...jsonHeaders, 'content-encoding': 'gzip' });
      raw('a JSON body starting with a byte-order mark', `\ufeff${JSON.stringify(baseJson)}`, false);

      for (const path of requiredFields(jsonSchema, baseJson, [])) {
        const value = removeIn(baseJson, path);
        raw(`required ${path.join('/')} removed`, JSON.stringify(value), !conforms(jsonSchema, value));
      }

      // Field by field: every field gets at least two wrong values, picked by the seeded PRNG.
      const targets = fields(jsonSchema, baseJson, [], 6);
      const perField = Math.max(2, Math.floor((options.maxMutations ?? Infinity) / Math.max(1, targets.length)));
      for (const target of targets) {
        for (const [label, value] of pick(wrongValues(target.schema, options), perField, random)) {
          const mutated = setIn(baseJson, target.path, value);
          raw(`${target.path.join('/')} = ${label}`, JSON.stringify(mutated), !conforms(jsonSchema, mutated));
        }
        // Number literals JSON.stringify cannot write: 1e400 parses to Infinity, 2^53 + 1 to 2^53, -0 to negative zero.
        if (typesOf(branch(target.schema, undefined)).some((t) => t === 'integer' || t === 'number')) {
          for (const literal of pick(['1e400', '-0', '1E2', '9007199254740993'], perField > 2 ? 4 : 1, random)) {
            const marker = 'fuzz-number-literal';
            const text = JSON.stringify(setIn(baseJson, target.path, marker)).replace(`"${marker}"`, literal);
            raw(`${target.path.join('/')} = the literal ${literal}`, text, !conforms(jsonSchema, JSON.parse(text)));
          }
        }
      }
    }

    if (formSchema) {
      const form = (description: string, build: (f: FormData) => void, invalid: boolean) => {
        const f = baseForm();
        build(f);
        add(description, { headers: { ...headerValues }, body: f, invalid });
      };
      if (op.security?.length)
        add('no credentials and no body', { credentials: 'none', headers: headerValues, body: undefined, invalid: true });
      add('no body', { headers: headerValues, body: undefined, invalid: bodyRequired });
      add('a JSON body instead of multipart', {
        headers: { 'content-type': 'application/json' },
        body: '{"title":"x"}',
        invalid: true,
      });
      add('multipart without a boundary', { headers: { 'content-type': 'multipart/form-data' }, body: 'x', invalid: true });
      add('multipart whose body does not match its boundary', {
        headers: { 'content-type': 'multipart/form-data; boundary=fuzz' },
        body: '--other\r\nContent-Disposition: form-data; name="file"\r\n\r\nx\r\n--other--\r\n',
        invalid: true,
      });
      add('truncated multipart', {
        headers: { 'content-type': 'multipart/form-data; boundary=fuzz' },
        body: '--fuzz\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nunterminated',
        invalid: true,
      });
      const properties = branch(formSchema, undefined).properties ?? {};
      for (const name of branch(formSchema, undefined).required ?? [])
        form(`required ${name} removed`, (f) => f.delete(name), true);
      for (const [name, schema] of Object.entries(properties)) {
        if (schema.format === 'binary') {
          form(`${name} as a text field`, (f) => f.set(name, 'not a file'), true);
          form(`${name} empty`, (f) => f.set(name, new File([], 'empty.txt', { type: 'text/plain' })), true);
          form(
            `${name} of an unaccepted type`,
            (f) => f.set(name, new File(['MZ'], 'fuzz.exe', { type: 'application/x-msdownload' })),
            true,
          );
          form(
            `${name} named with a path and control characters`,
            (f) => f.set(name, new File(['text'], '../../\u0000\u202e..%2F.txt', { type: 'text/plain' })),
            false,
          );
          form(`${name} sent twice`, (f) => f.append(name, new File(['twice'], 'b.txt', { type: 'text/plain' })), true);
        } else {
          for (const [label, value] of [
            ['a 10,000-character string', LONG],
            ['an empty string', ''],
            ['unicode and control characters', UNICODE],
          ] as [string, string][])
            form(`${name} = ${label}`, (f) => f.set(name, value), !conforms(schema, value));
          form(`${name} sent twice`, (f) => f.append(name, 'again'), true);
        }
      }
      form('an unknown extra field', (f) => f.set('unexpectedField', 'fuzz'), true);
      form('__proto__ field', (f) => f.set('__proto__', 'fuzz'), true);
    }

    if (octet) {
      add('no body', { headers: octetHeaders, body: undefined, invalid: true });
      add('a body whose hash is not the path', { headers: octetHeaders, body: 'not the hashed bytes', invalid: true });
    }
    if (!jsonSchema && !formSchema && !octet && canHaveBody) {
      // Operations without a body must ignore or refuse one, never fail on it.
      add('an unexpected JSON body', {
        headers: { 'content-type': 'application/json' },
        body: '{"__proto__":{"x":1},"a":[',
        invalid: false,
      });
      add('an unexpected text body', { headers: { 'content-type': 'text/plain' }, body: UNICODE, invalid: false });
    }

    // Parameters.
    for (const p of params) {
      if (p.in === 'path') {
        for (const [label, raw, decoded] of PATH_GARBAGE) {
          const value = decoded();
          add(`path ${p.name} = ${label}`, {
            url: buildPath({ [p.name]: raw }),
            invalid: value === null || !paramConforms(p.schema, value),
          });
        }
      } else if (p.in === 'query') {
        for (const text of QUERY_GARBAGE)
          add(`query ${p.name} = ${JSON.stringify(text.slice(0, 40))}`, {
            url: `${basePath}?${p.name}=${encodeURIComponent(text)}`,
            invalid: !paramConforms(p.schema, text),
          });
        for (const [label, raw] of [
          ['a broken percent-escape', '%ZZ'],
          ['a lone %', '%'],
          ['an encoded lone surrogate', '%ED%A0%80'],
        ] as [string, string][])
          add(`query ${p.name} = ${label}`, { url: `${basePath}?${p.name}=${raw}`, invalid: !paramConforms(p.schema, raw) });
        const valid = String(sample(p.schema, options));
        add(`query ${p.name} repeated`, { url: `${basePath}?${p.name}=${valid}&${p.name}=${valid}`, invalid: true });
      } else if (p.in === 'header') {
        const headersWith = (value: string | null) => {
          const base = baseRequest().headers;
          const { [p.name]: _dropped, ...rest } = base;
          return value === null ? rest : { ...rest, [p.name]: value };
        };
        if (p.required) add(`header ${p.name} missing`, { headers: headersWith(null), invalid: true });
        for (const value of [
          '',
          '*',
          'W/"fuzz"',
          `"${'a'.repeat(4000)}"`,
          ',,,',
          'text/html',
          'application/json; charset=utf-16',
        ])
          add(`header ${p.name} = ${JSON.stringify(value.slice(0, 40))}`, {
            headers: headersWith(value),
            invalid: !conforms(p.schema, value),
          });
      }
    }

    // Whatever the operation declares.
    add('unknown query parameters', {
      url: `${basePath}?unexpected=1&__proto__[x]=1&constructor=1&%ZZ=%&a[=%ED%A0%80`,
      invalid: false,
    });
    add('a URL over 4 KB', { url: `${basePath}?pad=${'x'.repeat(4200)}`, invalid: true, expectStatus: 414 });
    add('headers over 8 KB', {
      headers: { ...baseRequest().headers, 'x-fuzz': 'x'.repeat(9000) },
      invalid: true,
      expectStatus: 431,
    });
    add('a method the path does not have', { method: M === 'PATCH' ? 'PUT' : 'PATCH', invalid: true });
    if (jsonSchema)
      add('the conforming request', {
        ...baseRequest(),
        body: ids.reduce((t, id) => t.replaceAll(id, uuid(random)), JSON.stringify(baseJson)),
        invalid: false,
      });
    else add('the conforming request', { invalid: false });
    return out;
  }

  return { cases };
}

/** Path segments to put in place of a parameter: label, raw (as sent), decoded (null: not decodable). */
const PATH_GARBAGE: [string, string, () => string | null][] = [
  ['an encoded traversal', '..%2F..%2F..%2Fetc%2Fpasswd', () => '../../../etc/passwd'],
  ['an encoded dot-dot', '%2e%2e', () => '..'],
  ['%00', '%00', () => '\u0000'],
  ['a broken percent-escape', '%ZZ', () => null],
  ['a lone %', '%', () => null],
  ['an encoded lone surrogate', '%ED%A0%80', () => null],
  ['unicode', '%E2%80%AE%F0%9F%92%A9%C3%A9', () => '\u202e💩é'],
  ['empty', '', () => ''],
  ['a space', '%20', () => ' '],
  ['300 characters', 'a'.repeat(300), () => 'a'.repeat(300)],
  ['3,000 characters', 'a'.repeat(3000), () => 'a'.repeat(3000)],
  ['markup', '%3Cscript%3Ealert(1)%3C%2Fscript%3E', () => '<script>alert(1)</script>'],
  ['SQL', "'%20OR%201%3D1--", () => "' OR 1=1--"],
  ['__proto__', '__proto__', () => '__proto__'],
  ['constructor', 'constructor', () => 'constructor'],
  ['-1', '-1', () => '-1'],
];

type Segment = string | number;

const QUERY_GARBAGE = [
  'abc',
  '',
  '-1',
  '0',
  '1.5',
  '1e309',
  '99999999999999999999',
  'NaN',
  'Infinity',
  '0x10',
  'true',
  '\u0000',
  '2026-13-45',
  '2026-02-30',
  'x'.repeat(2000),
];

function pick<T>(items: T[], count: number, random: Random): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy.slice(0, count);
}

function setIn(root: unknown, path: Segment[], value: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  if (typeof head === 'number') {
    const copy: unknown[] = Array.isArray(root) ? [...(root as unknown[])] : [];
    copy[head] = setIn(copy[head], rest, value);
    return copy;
  }
  const copy: Record<string, unknown> = isObject(root) ? { ...root } : {};
  copy[head] = setIn(copy[head], rest, value);
  return copy;
}

function removeIn(root: unknown, path: Segment[]): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return root;
  if (rest.length === 0 && isObject(root)) {
    const { [head]: _removed, ...remaining } = root;
    return remaining;
  }
  if (typeof head === 'number' && Array.isArray(root)) return root.map((x: unknown, i) => (i === head ? removeIn(x, rest) : x));
  if (typeof head === 'string' && isObject(root)) return { ...root, [head]: removeIn(root[head], rest) };
  return root;
}
