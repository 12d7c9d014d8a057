/**
 * The one place the site calls the API. Types come from the API's own schemas,
 * so a change to a response shape breaks the site's typecheck, not its users.
 */
import type { Book, LessonDetail } from '../../../workers/features/content/content.schemas';
import type { Problem } from '../../../workers/http/problem';

export type { Book, BookLesson, LessonDetail } from '../../../workers/features/content/content.schemas';

/** A failed call, with the problem+json the API sent when it sent one. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem | null;

  constructor(status: number, problem: Problem | null, fallback: string) {
    super(problem?.detail ?? fallback);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }
}

async function request(path: string, accept: string): Promise<Response> {
  let response: Response;
  try {
    // The browser revalidates with the ETag the API sends, so unchanged content costs a 304.
    response = await fetch(path, { headers: { accept } });
  } catch {
    throw new ApiError(0, null, 'The server could not be reached. Check your connection and try again.');
  }
  if (!response.ok) {
    const isProblem = response.headers.get('content-type')?.includes('application/problem+json');
    const problem = isProblem ? asProblem(await response.json().catch(() => null)) : null;
    throw new ApiError(response.status, problem, `The server answered ${response.status}`);
  }
  return response;
}

/** A problem body is used only if it has the fields the site shows; anything else is ignored. */
function asProblem(body: unknown): Problem | null {
  if (!body || typeof body !== 'object') return null;
  const { detail, requestId, status } = body as Record<string, unknown>;
  return typeof detail === 'string' && typeof requestId === 'string' && typeof status === 'number' ? (body as Problem) : null;
}

export async function getBook(): Promise<Book> {
  return (await (await request('/api/content/book', 'application/json')).json()) as Book;
}

export async function getLesson(slug: string): Promise<LessonDetail> {
  return (await (await request(`/api/content/lessons/${encodeURIComponent(slug)}`, 'application/json')).json()) as LessonDetail;
}

export async function getLessonMarkdown(slug: string): Promise<string> {
  return (await request(`/api/content/lessons/${encodeURIComponent(slug)}/content`, 'text/markdown')).text();
}

export function lessonHref(slug: string): string {
  return `/lessons/${slug}`;
}
