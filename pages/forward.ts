/** What a Pages Function of this project is given: the request, and the Worker behind the `API` service binding. */
export interface ForwardContext {
  request: Request;
  env: { API: Fetcher };
}

/**
 * Hands the request to the Worker as it came: method, path and query, headers (the
 * learner's Authorization, CF-Connecting-IP for per-address limits) and body, and
 * returns the Worker's response as it is (status, problem+json, SSE streams). A
 * service binding calls the Worker inside Cloudflare, with no public hop.
 */
export const onRequest = (context: ForwardContext): Promise<Response> => context.env.API.fetch(context.request);
