import { z } from '@hono/zod-openapi';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The closed set of error codes the API returns; each has one status and title. */
export const ERROR_CODES = {
  validation_failed: { status: 400, title: 'Request validation failed' },
  invalid_manifest: { status: 422, title: 'The manifest cannot be applied' },
  hash_mismatch: { status: 422, title: 'Uploaded bytes do not match their hash' },
  missing_blobs: { status: 409, title: 'Some files of the manifest were never uploaded' },
  conflict: { status: 409, title: 'The resource changed meanwhile' },
  stale_push: { status: 409, title: 'The course changed since this push was planned' },
  unauthorized: { status: 401, title: 'Authentication required' },
  forbidden: { status: 403, title: 'Not allowed' },
  not_found: { status: 404, title: 'Not found' },
  /** Something the learner can start (a placement test) that they have not: a 404 a client can tell from a missing course. */
  not_started: { status: 404, title: 'Not started yet' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  onboarding_required: { status: 409, title: 'Onboarding is not complete' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  uri_too_long: { status: 414, title: 'URI too long' },
  headers_too_large: { status: 431, title: 'Request header fields too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  rate_limited: { status: 429, title: 'Too many requests' },
  service_unavailable: { status: 503, title: 'A dependency is unavailable' },
  internal_error: { status: 500, title: 'Internal server error' },
} as const satisfies Record<string, { status: ContentfulStatusCode; title: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface FieldError {
  /** Path of the field at fault: the request part (`json`, `form`, `query`, `param`, `header`), then the field, e.g. `json/lessons/3/slug`. */
  field: string;
  message: string;
}

/** The one error type of the API: expected failures throw it, `onError` renders it. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(code: ErrorCode, detail: string, options?: { errors?: FieldError[]; headers?: Record<string, string> }) {
    super(detail);
    this.name = 'AppError';
    this.code = code;
    this.errors = options?.errors;
    this.headers = options?.headers;
  }

  get status(): ContentfulStatusCode {
    return ERROR_CODES[this.code].status;
  }
}

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: 'https://learnedge.dev/problems/not_found' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string(),
    code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
    requestId: z.string(),
    errors: z
      .array(
        z.object({
          field: z.string().openapi({
            example: 'json/lessons/3/slug',
            description: 'The request part (json, form, query, param, header), then the path',
          }),
          message: z.string(),
        }),
      )
      .optional(),
  })
  .openapi('Problem', { description: 'RFC 9457 problem details' });

export type Problem = z.infer<typeof ProblemSchema>;

/** The request part a body's problem names (`errors[].field`): `form` for a form's content types, else `json`. */
export function bodyPart(contentType: string): 'form' | 'json' {
  return /^\s*(multipart\/form-data|application\/x-www-form-urlencoded)\b/i.test(contentType) ? 'form' : 'json';
}

export const PROBLEM_TYPE_BASE = 'https://learnedge.dev/problems/';

export function toProblem(error: AppError, instance: string, requestId: string): Problem {
  return {
    type: `${PROBLEM_TYPE_BASE}${error.code}`,
    title: ERROR_CODES[error.code].title,
    status: error.status,
    detail: error.message,
    instance,
    code: error.code,
    requestId,
    ...(error.errors ? { errors: error.errors } : {}),
  };
}

/** What a status means where several error codes share it: the problem's `code` and `detail` say which. */
const SHARED_STATUS: Record<number, string> = {
  404: 'Not found, or not started yet (see the problem’s code)',
  409: 'In conflict with the current state (the problem’s code and detail say which)',
  422: 'Well-formed but cannot be applied (the problem’s code, detail and errors say why)',
};

/** A status's one error title, or what it means when several codes share it. */
function statusDescription(status: number): string {
  const titles = Object.values(ERROR_CODES).filter((e) => e.status === status);
  if (titles.length === 1) return titles[0]?.title ?? 'Problem';
  return SHARED_STATUS[status] ?? 'Problem';
}

/** OpenAPI response entries for the problem statuses a route can answer. */
export function problemResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: statusDescription(status),
        content: { 'application/problem+json': { schema: ProblemSchema } },
      },
    ]),
  );
}
