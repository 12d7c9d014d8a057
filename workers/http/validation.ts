import type { Hook } from '@hono/zod-openapi';
import type { AppEnv } from './app-env';
import type { z } from 'zod';
import { AppError, type FieldError } from './problem';

/**
 * Turns zod issues into field errors: `json/lessons/2/slug: Required` (the prefix is the
 * request part). A field the schema does not have is named itself (`json/colour`), one error each.
 */
export function fieldErrors(issues: readonly z.core.$ZodIssue[], prefix: string): FieldError[] {
  return issues.flatMap((issue) => {
    const at = [prefix, ...issue.path.map(String)].filter(Boolean);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: [...at, key].join('/'), message: `is not a field this request takes` }));
    }
    return [{ field: at.join('/'), message: issue.message }];
  });
}

/** Shared hook for every route: a failed zod validation becomes one 400 problem. */
export const validationHook: Hook<unknown, AppEnv, string, unknown> = (result) => {
  if (result.success) return;
  const errors = fieldErrors(result.error.issues, result.target);
  throw new AppError('validation_failed', `${errors.length} field(s) failed validation`, { errors });
};
