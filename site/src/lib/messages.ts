import { ApiError } from './api';

/** A field path of the API (`json/answers/sessionMinutes`, `query/limit`) as words a learner reads: "session minutes". */
export function fieldName(field: string): string {
  const segments = field.split('/').filter((s) => s !== '' && !/^\d+$/.test(s));
  const last = segments.at(-1) ?? field;
  if (['json', 'form', 'query', 'param', 'header'].includes(last)) return 'what was sent';
  return last
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[-_]/g, ' ')
    .toLowerCase();
}

/**
 * What a failed call means for the learner, in plain words: never a status code, an
 * error code or "field(s) failed validation". Field errors are named by what they are.
 */
export function learnerMessage(error: unknown): string {
  if (!(error instanceof ApiError)) {
    return error instanceof Error && error.message ? error.message : 'Something went wrong while loading this page.';
  }
  const { status, problem, retryAfter } = error;
  if (status === 0) return error.message;
  if (status === 400 || status === 422) {
    const fields = (problem?.errors ?? []).map((e) => `${fieldName(e.field)}: ${e.message}`);
    return fields.length > 0
      ? `Please check ${fields.length === 1 ? 'this' : 'these'}: ${fields.join('; ')}.`
      : 'Something in the request was not accepted. Check what you entered and try again.';
  }
  if (status === 401) return 'Your session has ended. Reload the page to continue.';
  if (status === 404) return problem?.detail ?? 'We could not find that.';
  if (status === 409) return 'This changed in the meantime. Reload the page and try again.';
  if (status === 413) return 'That is too large to send.';
  if (status === 429) {
    return `That was a lot at once. Wait ${retryAfter && retryAfter > 0 ? `${retryAfter} seconds` : 'a moment'} and try again.`;
  }
  if (status >= 500) return 'The server had a problem. Try again in a moment.';
  return problem?.detail ?? `The request failed (${status}).`;
}
