/**
 * The subset of JSON Schema the API's OpenAPI 3.1 document uses: resolving `$ref`s,
 * checking a value against a schema, sampling a conforming value. For tests that
 * derive requests from the published contract; pure (callers pass `now` and `random`).
 */

export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  allOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  example?: unknown;
}

export type Random = () => number;

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const typesOf = (s: JsonSchema): string[] => (s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type]);

/** Conforming strings for the patterns the API declares; a new pattern must be added here. */
const PATTERN_SAMPLES: Record<string, string> = {
  '^[a-z0-9]+(?:-[a-z0-9]+)*$': 'lesson-1',
  '^[0-9a-f]{64}$': '0'.repeat(64),
  '^src_[a-z2-7]{16}$': 'src_abcdefghijklmnop',
  '^(lesson|review|quiz):[a-z0-9]+(?:-[a-z0-9]+)*$': 'lesson:lesson-1',
  '^lrn_[A-Za-z0-9_-]{16,64}$': 'lrn_0000000000000000000000',
  '^plan_\\d{4}-\\d{2}-\\d{2}$': 'plan_2026-12-03',
  '^\\d{4}-\\d{2}-\\d{2}-\\d{1,2}$': '2026-12-03-1',
};

/** A version 4 UUID from `random`. */
export function uuid(random: Random): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Math.floor(random() * 4) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Schema operations over a document's `components.schemas`. */
export function createSchemaTools(components: Record<string, JsonSchema> = {}) {
  function resolve(schema: JsonSchema): JsonSchema {
    let s = schema;
    for (let hops = 0; s.$ref; hops++) {
      const name = s.$ref.replace('#/components/schemas/', '');
      const target = components[name];
      if (!target || hops > 20) throw new Error(`unresolvable $ref ${s.$ref}`);
      s = target;
    }
    return s;
  }

  /** The branch of a composite schema that describes `value` (the first one if none does). */
  function branch(schema: JsonSchema, value: unknown): JsonSchema {
    const s = resolve(schema);
    const options = s.oneOf ?? s.anyOf;
    if (options) return branch(options.find((o) => conforms(o, value)) ?? options[0] ?? {}, value);
    if (s.allOf?.[0]) return branch(s.allOf[0], value);
    return s;
  }

  function matchesType(type: string, v: unknown): boolean {
    switch (type) {
      case 'null':
        return v === null;
      case 'boolean':
        return typeof v === 'boolean';
      case 'string':
        return typeof v === 'string';
      case 'number':
        return typeof v === 'number' && Number.isFinite(v);
      case 'integer':
        return typeof v === 'number' && Number.isSafeInteger(v);
      case 'array':
        return Array.isArray(v);
      case 'object':
        return isObject(v);
      default:
        return true;
    }
  }

  function formatOk(format: string | undefined, v: string): boolean {
    if (format === 'uuid') return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v);
    if (format === 'date-time') return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v) && !Number.isNaN(Date.parse(v));
    if (format === 'date') {
      const time = Date.parse(`${v}T00:00:00Z`);
      return /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(time) && new Date(time).toISOString().startsWith(v);
    }
    return true;
  }

  /** Whether `v` satisfies `schema`: the subset of JSON Schema the document uses. */
  function conforms(schema: JsonSchema, v: unknown): boolean {
    const s = resolve(schema);
    if (s.allOf && !s.allOf.every((x) => conforms(x, v))) return false;
    if (s.anyOf && !s.anyOf.some((x) => conforms(x, v))) return false;
    if (s.oneOf && !s.oneOf.some((x) => conforms(x, v))) return false;
    if (s.const !== undefined && JSON.stringify(s.const) !== JSON.stringify(v)) return false;
    if (s.enum && !s.enum.includes(v)) return false;
    const types = typesOf(s);
    if (types.length > 0 && !types.some((t) => matchesType(t, v))) return false;
    if (typeof v === 'string') {
      if (s.minLength !== undefined && [...v].length < s.minLength) return false;
      if (s.maxLength !== undefined && [...v].length > s.maxLength) return false;
      if (s.pattern !== undefined && !new RegExp(s.pattern).test(v)) return false;
      if (!formatOk(s.format, v)) return false;
    }
    if (typeof v === 'number') {
      if (s.minimum !== undefined && v < s.minimum) return false;
      if (s.maximum !== undefined && v > s.maximum) return false;
      if (s.exclusiveMinimum !== undefined && v <= s.exclusiveMinimum) return false;
      if (s.exclusiveMaximum !== undefined && v >= s.exclusiveMaximum) return false;
    }
    if (Array.isArray(v)) {
      if (s.minItems !== undefined && v.length < s.minItems) return false;
      if (s.maxItems !== undefined && v.length > s.maxItems) return false;
      const items = s.items;
      if (items && !v.every((x) => conforms(items, x))) return false;
    }
    if (isObject(v)) {
      if (s.required?.some((k) => !Object.hasOwn(v, k) || v[k] === undefined)) return false;
      for (const [k, x] of Object.entries(v)) {
        const declared = s.properties?.[k];
        if (declared) {
          if (!conforms(declared, x)) return false;
        } else if (s.additionalProperties === false) {
          return false;
        } else if (typeof s.additionalProperties === 'object' && !conforms(s.additionalProperties, x)) {
          return false;
        }
      }
    }
    return true;
  }

  /** A conforming value: required properties only, the first enum option, the smallest size. */
  function sample(schema: JsonSchema, options: { now: Date; random: Random }): unknown {
    const s = branch(schema, undefined);
    if (s.const !== undefined) return s.const;
    if (s.enum?.length) return s.enum[0];
    const type = typesOf(s).find((t) => t !== 'null') ?? (s.properties ? 'object' : 'string');
    switch (type) {
      case 'object': {
        const out: Record<string, unknown> = {};
        for (const key of s.required ?? []) out[key] = sample(s.properties?.[key] ?? {}, options);
        return out;
      }
      case 'array':
        return Array.from({ length: s.minItems ?? 0 }, () => sample(s.items ?? {}, options));
      case 'integer':
      case 'number':
        return Math.min(Math.max(s.minimum ?? 1, 1), s.maximum ?? Number.MAX_SAFE_INTEGER);
      case 'boolean':
        return false;
      default: {
        if (s.format === 'uuid') return uuid(options.random);
        if (s.format === 'date-time') return options.now.toISOString();
        if (s.format === 'date') return options.now.toISOString().slice(0, 10);
        if (s.format === 'binary') return '';
        if (typeof s.example === 'string' && conforms(s, s.example)) return s.example;
        if (s.pattern !== undefined) {
          const known = PATTERN_SAMPLES[s.pattern] ?? (typeof s.example === 'string' ? s.example : undefined);
          if (known === undefined || !new RegExp(s.pattern).test(known)) throw new Error(`add a sample for pattern ${s.pattern}`);
          return known;
        }
        return 'fuzz'.padEnd(s.minLength ?? 1, 'z');
      }
    }
  }

  return { resolve, branch, conforms, sample };
}
