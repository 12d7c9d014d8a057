/**
 * The one place the site calls the API. Types come from the API's own schemas,
 * so a change to a response shape breaks the site's typecheck, not its users.
 */
import type { z } from 'zod';
import type { Book, CourseCard, LessonDetail } from '../../../workers/features/content/content.schemas';
import type { ConceptSchema, ConceptSummary } from '../../../workers/features/concepts/concepts.schemas';
import type {
  Consent,
  ConsentInput,
  Learner,
  NewLearner,
  Preferences,
  Question,
} from '../../../workers/features/learners/learners.schemas';
import type { PersonalizedLesson, StreamEventSchemas } from '../../../workers/features/personalize/personalize.schemas';
import type { SearchRequestSchema, SearchResponse } from '../../../workers/features/search/search.schemas';
import type { Problem } from '../../../workers/http/problem';
import type {
  Engagement,
  Experiment,
  ExperimentInput,
  ExperimentResults,
  ItemAnalysis,
  LessonFigures,
  ModelHealth,
  Overview,
  RankerWeights,
  UsageReportShape,
} from './admin-types';
import type { ANSWER_FEEDBACK_REASONS, ANSWER_RATINGS } from '../../../workers/features/events/events.schemas';
import type {
  CompletionSchema,
  LessonProgressSchema,
  ProgressSchema,
  TimeSchema,
  WriteResponseSchema,
  WriteSchema,
} from '../../../workers/features/events/progress.schemas';
import type {
  AttemptSchema,
  CardSchema,
  ConceptMasteryListSchema,
  ConceptPredictionSchema,
  DueCardSchema,
  DueReviewsSchema,
  GradedSchema,
  MasterySchema,
  NextQuizItemSchema,
  PredictionsSchema,
  QuizItemSchema,
  ReviewBodySchema,
  ReviewResultSchema,
} from '../../../workers/features/mastery/mastery.schemas';
import type {
  FeedbackBodySchema,
  FeedbackResultSchema,
  GoalBodySchema,
  GoalSchema,
  LearningPathSchema,
  RecommendationListSchema,
  RecommendationSchema,
} from '../../../workers/features/recommendations/recommend.schemas';
import type {
  PlanFeedbackResultSchema,
  PlanFeedbackSchema,
  PlanItemSchema,
  PlanSchema,
  PracticeProfileSchema,
} from '../../../workers/features/practice/plan.schemas';
import type { SummariesSchema, WeeklySummarySchema } from '../../../workers/features/practice/summary.schemas';
import type { PlacementState } from '../../../workers/features/mastery/placement.schemas';
import { readJsonEvents, type Guard, type TypedEvent } from './sse';
import { localDay } from './format';

export type { Book, BookLesson, LessonDetail } from '../../../workers/features/content/content.schemas';
export type {
  Consent,
  ConsentInput,
  Learner,
  NewLearner,
  Preferences,
  Question,
} from '../../../workers/features/learners/learners.schemas';
export type { PersonalizedLesson } from '../../../workers/features/personalize/personalize.schemas';
export type { SearchResponse } from '../../../workers/features/search/search.schemas';
import type {
  AnswerSchema,
  ConversationSchema,
  ConversationSummarySchema,
} from '../../../workers/features/answers/answers.schemas';

/** A failed call, with the problem+json the API sent when it sent one. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem | null;
  /** Seconds the server asked us to wait (`Retry-After` of a 429 or 503), if it said. */
  readonly retryAfter: number | null;

  constructor(status: number, problem: Problem | null, fallback: string, retryAfter: number | null = null) {
    super(problem?.detail ?? fallback);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }
}

interface RequestOptions {
  accept: string;
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  json?: unknown;
  token?: string;
  signal?: AbortSignal;
  /** Lets the request finish after the page is left (a last heartbeat). */
  keepalive?: boolean;
}

async function request(
  path: string,
  { accept, method = 'GET', json, token, signal, keepalive }: RequestOptions,
): Promise<Response> {
  const headers: Record<string, string> = { accept };
  if (json !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  let response: Response;
  try {
    // The browser revalidates with the ETag the API sends, so unchanged content costs a 304.
    response = await fetch(path, {
      method,
      headers,
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
      ...(signal ? { signal } : {}),
      ...(keepalive ? { keepalive } : {}),
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError(0, null, 'The server could not be reached. Check your connection and try again.');
  }
  if (!response.ok) {
    const isProblem = response.headers.get('content-type')?.includes('application/problem+json');
    const problem = isProblem ? asProblem(await response.json().catch(() => null)) : null;
    const retryAfter = Number.parseInt(response.headers.get('retry-after') ?? '', 10);
    throw new ApiError(
      response.status,
      problem,
      `The server answered ${response.status}`,
      Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : null,
    );
  }
  return response;
}

async function requestJson<T>(path: string, options: Omit<RequestOptions, 'accept'> = {}): Promise<T> {
  return (await (await request(path, { ...options, accept: 'application/json' })).json()) as T;
}

/** A problem body is used only if it has the fields the site shows; anything else is ignored. */
function asProblem(body: unknown): Problem | null {
  if (!body || typeof body !== 'object') return null;
  const { detail, requestId, status } = body as Record<string, unknown>;
  return typeof detail === 'string' && typeof requestId === 'string' && typeof status === 'number' ? (body as Problem) : null;
}

// ---------------------------------------------------------------------------
// Course content (public)

export async function getBook(): Promise<Book> {
  return requestJson<Book>('/api/content/book');
}

export type { CourseCard };

/** The catalog: every course the deployment serves, as cards. */
/** One course's book, by the course's slug. */
export async function getCourseBook(course: string): Promise<Book> {
  return requestJson<Book>(`/api/courses/${encodeURIComponent(course)}/book`);
}

/** A course's outline page. */
export function courseHref(course: string): string {
  return `/courses/${course}/`;
}

/** The course a page is about from its address (`/courses/<course>/...`), or null for the default course's pages. */
export function courseFromPath(pathname: string): string | null {
  return /^\/courses\/([a-z0-9-]+)(?:\/|$)/.exec(pathname)?.[1] ?? null;
}

export async function getCatalog(): Promise<CourseCard[]> {
  return (await requestJson<{ courses: CourseCard[] }>('/api/courses')).courses;
}

export async function getLesson(slug: string): Promise<LessonDetail> {
  return requestJson<LessonDetail>(`/api/content/lessons/${encodeURIComponent(slug)}`);
}

export async function getLessonMarkdown(slug: string): Promise<string> {
  return (await request(`/api/content/lessons/${encodeURIComponent(slug)}/content`, { accept: 'text/markdown' })).text();
}

/** A concept's page on the site. */
/** A concept's page, of `course` when named (the same concept slug in two courses is two concepts), else across the catalog. */
export function conceptHref(id: string, course?: string | null): string {
  return `/concepts/?id=${encodeURIComponent(id)}${courseParam(course, '&')}`;
}

/** A lesson's page: under its course's address when the page linking to it is one (`course`), else `/lessons/<slug>`. */
export function lessonHref(slug: string, course?: string | null): string {
  return course ? `/courses/${course}/lessons/${slug}` : `/lessons/${slug}`;
}

// ---------------------------------------------------------------------------
// Search (public)

type SearchRequest = z.input<typeof SearchRequestSchema>;
export type SearchHit = SearchResponse['hits'][number];
export type SearchFilters = NonNullable<SearchRequest['filters']>;
export type SearchOptions = Omit<SearchRequest, 'query'> & { signal?: AbortSignal };

/** Searches the course: ranked sections with a highlighted snippet and a deep link to each. */
export function searchCourse(query: string, { signal, ...options }: SearchOptions = {}): Promise<SearchResponse> {
  return requestJson<SearchResponse>('/api/search', {
    method: 'POST',
    json: { query, ...options },
    ...(signal ? { signal } : {}),
  });
}

// ---------------------------------------------------------------------------
// The learner session: an anonymous learner per browser, its bearer token in localStorage.

export const SESSION_KEY = 'learnedge.learner';
const DAY_MS = 24 * 60 * 60 * 1000;
/** Tokens live 90 days; one with less than this left is exchanged for a fresh one. */
export const REFRESH_WITHIN_MS = 30 * DAY_MS;

/** Storage can be missing or throw (privacy modes); the session then lasts as long as the page. */
function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function readStoredSession(): NewLearner | null {
  let raw: string | null;
  try {
    raw = storage()?.getItem(SESSION_KEY) ?? null;
  } catch {
    return null;
  }
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as Record<string, unknown>;
    const { learnerId, token, expiresAt } = value;
    if (typeof learnerId === 'string' && typeof token === 'string' && typeof expiresAt === 'string') {
      return { learnerId, token, expiresAt };
    }
  } catch {
    // Not ours or corrupted: treated as no session, and overwritten by the next one.
  }
  return null;
}

let sessionKept = true;

function storeSession(session: NewLearner): NewLearner {
  try {
    const store = storage();
    store?.setItem(SESSION_KEY, JSON.stringify(session));
    sessionKept = store?.getItem(SESSION_KEY) !== null && store !== null;
  } catch {
    // Quota or privacy mode: the session still works for this page.
    sessionKept = false;
  }
  return session;
}

/**
 * False when this browser cannot keep the session (storage blocked or full): every
 * page would start a new learner, so nothing should send it through onboarding.
 */
export function sessionIsKept(): boolean {
  return sessionKept;
}

async function createLearner(): Promise<NewLearner> {
  return storeSession(await requestJson<NewLearner>('/api/learners', { method: 'POST' }));
}

async function resolveSession(now: Date): Promise<NewLearner> {
  const stored = readStoredSession();
  if (!stored) return createLearner();
  // Even a token that looks expired is offered for refresh: the server's clock decides,
  // so a browser whose clock runs fast keeps its learner instead of starting over.
  const left = Date.parse(stored.expiresAt) - now.getTime();
  if (left > REFRESH_WITHIN_MS) return stored;
  try {
    return storeSession(await requestJson<NewLearner>('/api/learners/me/token', { method: 'POST', token: stored.token }));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return createLearner();
    // The stored token is still valid for days: use it, and try the refresh again next visit.
    return stored;
  }
}

// One session per page, shared by every caller, so parallel first calls create one learner.
let session: { promise: Promise<NewLearner>; token?: string } | null = null;

/**
 * The learner of this browser: the stored one, refreshed when it expires within 30
 * days, or a new one on the first visit (or once the stored one has expired).
 */
export function ensureLearner(now: Date = new Date()): Promise<NewLearner> {
  if (session) return session.promise;
  const current: { promise: Promise<NewLearner>; token?: string } = {
    promise: resolveSession(now).then(
      (learner) => {
        current.token = learner.token;
        return learner;
      },
      (error: unknown) => {
        if (session === current) session = null;
        throw error;
      },
    ),
  };
  session = current;
  return current.promise;
}

/** Forgets a token the API refused, unless a newer session has replaced it already. */
function dropSession(token: string): void {
  if (readStoredSession()?.token === token) {
    try {
      storage()?.removeItem(SESSION_KEY);
    } catch {
      // Nothing stored to remove.
    }
  }
  if (session?.token === token) session = null;
}

/**
 * Calls a learner endpoint with the bearer token. A 401 (forged, expired or revoked
 * token) drops the stored token and retries once as a brand-new learner.
 */
async function learnerRequest(path: string, options: RequestOptions): Promise<Response> {
  const { token } = await ensureLearner();
  try {
    return await request(path, { ...options, token });
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) throw error;
    dropSession(token);
    const fresh = await ensureLearner();
    return request(path, { ...options, token: fresh.token });
  }
}

async function learnerJson<T>(path: string, options: Omit<RequestOptions, 'accept'> = {}): Promise<T> {
  return (await (await learnerRequest(path, { ...options, accept: 'application/json' })).json()) as T;
}

// ---------------------------------------------------------------------------
// Learner profile and onboarding

export type QuestionId = Question['id'];
export type Answer = string | string[] | number;
export type Answers = Partial<Record<QuestionId, Answer>>;

// ---------------------------------------------------------------------------
// Placement test

export type Placement = PlacementState;

/** `?course=<slug>` when a course is named, else nothing (the API's default course). */
function courseParam(course: string | null | undefined, joiner: '?' | '&' = '?'): string {
  return course ? `${joiner}course=${encodeURIComponent(course)}` : '';
}

/** The learner's newest placement test in `course` (default: the default course), or null when they never started one. */
export async function getPlacement(course?: string | null): Promise<Placement | null> {
  try {
    return await learnerJson<Placement>(`/api/placement${courseParam(course)}`);
  } catch (error) {
    if (error instanceof ApiError && error.problem?.code === 'not_started') return null;
    throw error;
  }
}

export function startPlacement(restart = false, course?: string | null): Promise<Placement> {
  return learnerJson<Placement>(`/api/placement${courseParam(course)}`, { method: 'POST', json: { restart } });
}

export function answerPlacement(id: string, itemId: string, answer: number): Promise<Placement> {
  return learnerJson<Placement>(`/api/placement/${encodeURIComponent(id)}/answers`, { method: 'POST', json: { itemId, answer } });
}

export function getMe(): Promise<Learner> {
  return learnerJson<Learner>('/api/learners/me');
}

/** A course's onboarding questions (its parts are the goals offered); the default course's without one. */
export async function getQuestions(course?: string | null): Promise<Question[]> {
  return (await requestJson<{ questions: Question[] }>(`/api/onboarding/questions${courseParam(course)}`)).questions;
}

export function submitOnboarding(answers: Answers, course?: string | null): Promise<Learner> {
  return learnerJson<Learner>(`/api/onboarding${courseParam(course)}`, { method: 'POST', json: { answers } });
}

/** The preferences, with goals the course no longer has dropped. */
/** The learner's own preferences, or with `course` theirs in that course (the course's own over their own). */
export function getPreferences(course?: string | null): Promise<Preferences> {
  return learnerJson<Preferences>(`/api/learners/me/preferences${courseParam(course)}`);
}

/** Saves the learner's own preferences, or with `course` those of that course (see the API). */
export function savePreferences(preferences: Preferences, course?: string | null): Promise<Preferences> {
  return learnerJson<Preferences>(`/api/learners/me/preferences${courseParam(course)}`, { method: 'PUT', json: preferences });
}

/** Drops a course's own preferences: the course follows the learner's own again (returned). */
export function dropCoursePreferences(course: string): Promise<Preferences> {
  return learnerJson<Preferences>(`/api/learners/me/preferences/courses/${encodeURIComponent(course)}`, { method: 'DELETE' });
}

// ---------------------------------------------------------------------------
// Privacy: consent, export, erase, signing out other devices

export function getConsent(): Promise<Consent> {
  return learnerJson<Consent>('/api/learners/me/consent');
}

export function saveConsent(consent: ConsentInput): Promise<Consent> {
  return learnerJson<Consent>('/api/learners/me/consent', { method: 'PUT', json: consent });
}

/** Everything the platform holds about this learner, as the JSON file the API streams. */
export async function downloadMyData(): Promise<Blob> {
  return (await learnerRequest('/api/learners/me/export', { accept: 'application/json' })).blob();
}

/**
 * Erases this learner on the server, then forgets the session in this browser. Never
 * retried as a new learner: a refused token means there is nothing of ours to erase.
 */
export async function deleteMyAccount(): Promise<void> {
  const { token } = await ensureLearner();
  await request('/api/learners/me', { method: 'DELETE', token, accept: 'application/problem+json' });
  dropSession(token);
}

/** Signs every other device out: this browser keeps the one token that still works. */
export async function signOutEverywhere(): Promise<void> {
  const { token } = await ensureLearner();
  const fresh = storeSession(await requestJson<NewLearner>('/api/learners/me/sign-out-everywhere', { method: 'POST', token }));
  session = { promise: Promise.resolve(fresh), token: fresh.token };
}

// ---------------------------------------------------------------------------
// Personalized lessons

export function personalize(lessonSlug: string): Promise<PersonalizedLesson> {
  return learnerJson<PersonalizedLesson>('/api/personalize', { method: 'POST', json: { lessonSlug } });
}

export function clearPersonalizedCache(): Promise<{ deleted: number }> {
  return learnerJson<{ deleted: number }>('/api/personalize/cache', { method: 'DELETE' });
}

type EventData = { [K in keyof typeof StreamEventSchemas]: z.output<(typeof StreamEventSchemas)[K]> };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const isEngine = (value: unknown) => value === 'model' || value === 'offline' || value === 'original';
const isNullableString = (value: unknown) => value === null || typeof value === 'string';

/** The fields the site reads from each event, checked before use (the full schemas stay server-side). */
const STREAM_GUARDS = {
  meta: ((d) => isRecord(d) && typeof d.cached === 'boolean' && isEngine(d.engine) && isNullableString(d.model)) as Guard<
    EventData['meta']
  >,
  delta: ((d) => isRecord(d) && typeof d.text === 'string') as Guard<EventData['delta']>,
  replace: ((d) => isRecord(d) && typeof d.markdown === 'string' && typeof d.reason === 'string') as Guard<EventData['replace']>,
  done: ((d) =>
    isRecord(d) &&
    typeof d.markdown === 'string' &&
    typeof d.cached === 'boolean' &&
    isEngine(d.engine) &&
    isNullableString(d.model) &&
    typeof d.degraded === 'boolean' &&
    isNullableString(d.notice) &&
    Array.isArray(d.adaptations) &&
    d.adaptations.every((a) => typeof a === 'string')) as Guard<EventData['done']>,
  error: ((d) => isRecord(d) && typeof d.status === 'number' && typeof d.detail === 'string') as Guard<EventData['error']>,
};

/** One event of `POST /api/personalize/stream`: meta, delta*, replace?, then done or error. */
export type StreamEvent = TypedEvent<typeof STREAM_GUARDS>;

/**
 * Streams a personalized lesson. Failures before the stream starts throw
 * {@link ApiError}; a broken stream throws `StreamProtocolError`; an `error`
 * event is yielded like the others.
 */
export async function* streamPersonalized(lessonSlug: string, signal?: AbortSignal): AsyncGenerator<StreamEvent> {
  const response = await learnerRequest('/api/personalize/stream', {
    accept: 'text/event-stream',
    method: 'POST',
    json: { lessonSlug },
    ...(signal ? { signal } : {}),
  });
  if (!response.body) throw new ApiError(response.status, null, 'The server sent an empty stream.');
  yield* readJsonEvents(response.body, STREAM_GUARDS);
}

// ---------------------------------------------------------------------------
// Ask the course

export type AnswerResult = z.output<typeof AnswerSchema>;
export type AnswerRating = (typeof ANSWER_RATINGS)[number];
export type AnswerFeedbackReason = (typeof ANSWER_FEEDBACK_REASONS)[number];

/**
 * Thumbs up or down on an answer (by its `answerId`), with an optional reason, as an
 * `answer.feedback` event; a later rating of the same answer replaces the earlier one.
 */
export function rateAnswer(answerId: string, rating: AnswerRating, reason?: AnswerFeedbackReason): Promise<{ accepted: number }> {
  const event = { eventId: crypto.randomUUID(), occurredAt: new Date().toISOString(), type: 'answer.feedback', answerId, rating };
  return learnerJson<{ accepted: number }>('/api/events', {
    method: 'POST',
    json: { events: [reason ? { ...event, reason } : event] },
  });
}
export type AnswerCitation = AnswerResult['citations'][number];
export type AskScope = AnswerResult['scope'];

const isCitation = (c: unknown): c is AnswerCitation =>
  isRecord(c) &&
  typeof c.n === 'number' &&
  typeof c.href === 'string' &&
  typeof c.quote === 'string' &&
  typeof c.title === 'string';

/** The fields the site reads from each answer event, checked before use. */
const ANSWER_GUARDS = {
  meta: ((d) => isRecord(d) && typeof d.cached === 'boolean' && (d.engine === 'model' || d.engine === 'offline')) as Guard<{
    scope: AskScope;
    engine: AnswerResult['engine'];
    cached: boolean;
  }>,
  citations: ((d) => isRecord(d) && Array.isArray(d.citations) && d.citations.every(isCitation)) as Guard<{
    citations: AnswerCitation[];
  }>,
  delta: ((d) => isRecord(d) && typeof d.text === 'string') as Guard<{ text: string }>,
  done: ((d) =>
    isRecord(d) &&
    typeof d.answerId === 'string' &&
    typeof d.answer === 'string' &&
    typeof d.covered === 'boolean' &&
    Array.isArray(d.citations) &&
    d.citations.every(isCitation) &&
    Array.isArray(d.suggestions) &&
    isNullableString(d.engineNote)) as Guard<AnswerResult>,
  error: ((d) => isRecord(d) && typeof d.status === 'number' && typeof d.detail === 'string') as Guard<{
    status: number;
    code: string;
    detail: string;
  }>,
};

/** One event of `POST /api/answers/stream`: meta, citations, delta*, then done or error. */
export type AnswerEvent = TypedEvent<typeof ANSWER_GUARDS>;

/**
 * Streams the course's answer to a question (scope: this lesson, the course, or the
 * course and its sources). Failures before the stream starts throw {@link ApiError}.
 */
export function streamAnswer(
  ask: { question: string; scope: AskScope; lessonSlug?: string },
  signal?: AbortSignal,
): AsyncGenerator<AnswerEvent> {
  return answerEvents('/api/answers/stream', ask, signal);
}

async function* answerEvents(path: string, json: unknown, signal?: AbortSignal): AsyncGenerator<AnswerEvent> {
  const response = await learnerRequest(path, {
    accept: 'text/event-stream',
    method: 'POST',
    json,
    ...(signal ? { signal } : {}),
  });
  if (!response.body) throw new ApiError(response.status, null, 'The server sent an empty stream.');
  yield* readJsonEvents(response.body, ANSWER_GUARDS);
}

export type Conversation = z.infer<typeof ConversationSchema>;
export type ConversationSummary = z.infer<typeof ConversationSummarySchema>;
export type ConversationMessage = Conversation['messages'][number];

/** A new, empty conversation; its scope (and lesson) hold for every question in it. */
export function createConversation(start: { title: string; scope: AskScope; lessonSlug?: string }): Promise<Conversation> {
  return learnerJson<Conversation>('/api/conversations', { method: 'POST', json: start });
}

/** The learner's conversations, latest first. */
export async function listConversations(): Promise<ConversationSummary[]> {
  return (await learnerJson<{ conversations: ConversationSummary[] }>('/api/conversations')).conversations;
}

/** One conversation with its messages; a 404 problem for anyone else's. */
export function getConversation(id: string): Promise<Conversation> {
  return learnerJson<Conversation>(`/api/conversations/${encodeURIComponent(id)}`);
}

/** A question in a conversation (a follow-up is read with the one before it), answered as `streamAnswer` answers. */
export function streamConversationMessage(id: string, question: string, signal?: AbortSignal): AsyncGenerator<AnswerEvent> {
  return answerEvents(`/api/conversations/${encodeURIComponent(id)}/messages`, { question }, signal);
}

// ---------------------------------------------------------------------------
// Learner progress

/** What makes one learner event unique: a client-made UUID (a repeat counts once) and when it happened. */
export type EventStampBody = z.input<typeof WriteSchema>;
export type LessonProgress = z.infer<typeof LessonProgressSchema>;
/** The lesson's progress after a write; `applied` is false when this eventId had been applied before. */
export type ProgressWrite = z.infer<typeof WriteResponseSchema>;
export type Completion = z.infer<typeof CompletionSchema>;
/** Completion per part and chapter, activity per day and per week (weeks with activity only, named by their Monday, UTC). */
export type Progress = z.infer<typeof ProgressSchema>;
type Heartbeat = z.input<typeof TimeSchema>;

const lessonProgressPath = (slug: string, action = '') => `/api/progress/lessons/${encodeURIComponent(slug)}${action}`;

export function startLesson(slug: string, stamp: EventStampBody): Promise<ProgressWrite> {
  return learnerJson<ProgressWrite>(lessonProgressPath(slug, '/start'), { method: 'POST', json: stamp });
}

/** Heartbeat: active seconds since the previous one (the API credits at most 60 per heartbeat). */
export function recordActiveTime(slug: string, stamp: Heartbeat): Promise<ProgressWrite> {
  return learnerJson<ProgressWrite>(lessonProgressPath(slug, '/time'), { method: 'PUT', json: stamp, keepalive: true });
}

export function completeLesson(slug: string, stamp: EventStampBody): Promise<ProgressWrite> {
  return learnerJson<ProgressWrite>(lessonProgressPath(slug, '/complete'), { method: 'POST', json: stamp });
}

export function getLessonProgress(slug: string): Promise<LessonProgress> {
  return learnerJson<LessonProgress>(lessonProgressPath(slug));
}

/**
 * Completion per part and chapter of `course` (else the default course), time per day and
 * week (8 weeks, every course), streak and last lesson.
 */
export function getProgress(course?: string | null): Promise<Progress> {
  return learnerJson<Progress>(`/api/progress${courseParam(course)}`);
}

// ---------------------------------------------------------------------------
// Quizzes, mastery, reviews and predictions

/** A concept's mastery: `pKnown` is the probability (0..1) that the learner knows it. */
export type ConceptMastery = z.infer<typeof MasterySchema>;
export type MasteryLevel = ConceptMastery['level'];
export type QuizItem = z.infer<typeof QuizItemSchema>;
/** The next item of a lesson (null once every item was answered correctly); `answered` counts items right at least once. */
export type NextQuizItem = z.infer<typeof NextQuizItemSchema>;
/** The grading of an answer; `answer` is the index of the correct choice. */
export type QuizAttemptResult = z.infer<typeof GradedSchema>;
type QuizAttempt = z.input<typeof AttemptSchema>;

export function getNextQuizItem(lessonSlug: string): Promise<NextQuizItem> {
  return learnerJson<NextQuizItem>(`/api/quizzes/${encodeURIComponent(lessonSlug)}/next`);
}

/** Grades one answer (a zero-based choice index); the same eventId is graded once. */
export function submitQuizAttempt(attempt: QuizAttempt): Promise<QuizAttemptResult> {
  return learnerJson<QuizAttemptResult>('/api/quizzes/attempts', { method: 'POST', json: attempt });
}

type ConceptMasteryList = z.infer<typeof ConceptMasteryListSchema>;

/** Mastery of the concepts `course` assesses (else every course's). */
export async function getMastery(course?: string | null): Promise<ConceptMasteryList['concepts']> {
  return (await learnerJson<ConceptMasteryList>(`/api/learners/me/mastery${courseParam(course)}`)).concepts;
}

export type ReviewRating = NonNullable<z.input<typeof ReviewBodySchema>['rating']>;
export type CardState = z.infer<typeof CardSchema>['state'];
export type DueCard = z.infer<typeof DueCardSchema>;
/** Due cards, soonest first; `upcoming` counts the cards scheduled later than now. */
export type DueReviews = z.infer<typeof DueReviewsSchema>;
export type ReviewResult = z.infer<typeof ReviewResultSchema>;

export function getDueReviews(limit = 20): Promise<DueReviews> {
  return learnerJson<DueReviews>(`/api/reviews/due?limit=${limit}`);
}

/** Reviews one card: an answer (the rating then follows from it), a rating, or both. */
export function submitReview(
  id: string,
  review: { eventId: string } & ({ answer: number; rating?: ReviewRating } | { answer?: number; rating: ReviewRating }),
): Promise<ReviewResult> {
  return learnerJson<ReviewResult>(`/api/reviews/${encodeURIComponent(id)}`, { method: 'POST', json: review });
}

/** Probability (0..1) of answering a concept correctly `now` and `in7Days`. */
export type ConceptPrediction = z.infer<typeof ConceptPredictionSchema>;

export async function getPredictions(course?: string | null): Promise<ConceptPrediction[]> {
  return (await learnerJson<z.infer<typeof PredictionsSchema>>(`/api/learners/me/predictions${courseParam(course)}`)).concepts;
}

// ---------------------------------------------------------------------------
// Recommendations, the learning goal and the path to it

/**
 * One thing to do next: its id is `lesson:<slug>`, `review:<slug>` or `quiz:<slug>`; its
 * reasons (a stable code and a sentence for the learner) come most important first.
 */
export type Recommendation = z.infer<typeof RecommendationSchema>;
export type RecommendationKind = Recommendation['kind'];
type RecommendationFeedback = z.input<typeof FeedbackBodySchema>;
export type RecommendationAction = RecommendationFeedback['action'];

export type Goal = z.infer<typeof GoalSchema>;
export type GoalType = Goal['type'];
type GoalRequest = z.input<typeof GoalBodySchema>;

/**
 * `GET /api/learning-path`: the plan (see the Worker's planPath), its goal and the pace it
 * assumed. A goal from `onboarding`: none was set, so the first part chosen there stands in.
 */
export type LearningPath = z.infer<typeof LearningPathSchema>;
export type PathStep = LearningPath['steps'][number];
export type Pace = LearningPath['pace'];

export type { ConceptSummary };

/**
 * What to do next, best first, each with the reasons it is there, and the course ranked over:
 * `course`, else the course the learner last worked in.
 */
export async function getRecommendations(
  limit = 5,
  course?: string,
): Promise<{ course: string | null; items: Recommendation[] }> {
  const query = `limit=${limit}${courseParam(course, '&')}`;
  const { course: ranked, items } = await learnerJson<z.infer<typeof RecommendationListSchema>>(`/api/recommendations?${query}`);
  return { course: ranked, items };
}

/** Tells the ranking what the learner did with an item; the same eventId counts once. A dismissed item stays away 7 days. */
export function sendRecommendationFeedback(
  id: string,
  feedback: RecommendationFeedback,
): Promise<z.infer<typeof FeedbackResultSchema>> {
  return learnerJson<z.infer<typeof FeedbackResultSchema>>(`/api/recommendations/${encodeURIComponent(id)}/feedback`, {
    method: 'POST',
    json: feedback,
  });
}

/** Sets the learner's goal; a 400 problem with a `json/id` field error when the course has no such item. */
export function setGoal(goal: GoalRequest): Promise<Goal> {
  return learnerJson<Goal>('/api/learners/me/goal', { method: 'PUT', json: goal });
}

/**
 * The ordered steps to the goal in `course` (default: the goal's course, else where the learner
 * last worked, else the default course) with time at the learner's pace.
 */
export function getLearningPath(course?: string | null): Promise<LearningPath> {
  // The learner's own date, so "by tomorrow" means their tomorrow.
  return learnerJson<LearningPath>(`/api/learning-path?today=${localDay(new Date())}${courseParam(course, '&')}`);
}

type ConceptDetail = z.infer<typeof ConceptSchema>;
export type { ConceptDetail };

/**
 * One concept in `course` (default: across the catalog): the lessons and sources that teach
 * it and its neighbours in the concept graph; null when the course has no such concept.
 */
export async function getConcept(id: string, course?: string | null): Promise<ConceptDetail | null> {
  try {
    return await requestJson<ConceptDetail>(`/api/concepts/${encodeURIComponent(id)}${courseParam(course)}`);
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 400)) return null;
    throw error;
  }
}

/** Concepts of `course`'s lessons (default: of every course) and of the sources, those authors named first. */
export async function getConcepts(course?: string | null): Promise<ConceptSummary[]> {
  return (await requestJson<{ concepts: ConceptSummary[] }>(`/api/concepts${courseParam(course)}`)).concepts;
}

// ---------------------------------------------------------------------------
// The daily practice plan, the practice profile and weekly summaries

/** Today's plan: 3 to 6 tasks, each with its reasons; `id` is `plan_<local date>`. */
export type Plan = z.infer<typeof PlanSchema>;
export type PlanItem = z.infer<typeof PlanItemSchema>;
export type PlanCategory = PlanItem['category'];
export type PlanItemStatus = PlanItem['status'];
/** What the learner did with a task: completed (with an optional rating 1-5) or skipped (with an optional reason). */
export type PlanFeedback = z.input<typeof PlanFeedbackSchema>;
export type SkipReason = NonNullable<PlanFeedback['skipReason']>;
export type TimeOfDay = NonNullable<Preferences['preferredTime']>;
/** How the learner practises, each number with the counts behind it. */
export type PracticeProfile = z.infer<typeof PracticeProfileSchema>;
/** One local week: days, tasks by category, streak, reviews, concepts, best time and 2-4 insights. */
export type WeeklySummary = z.infer<typeof WeeklySummarySchema>;

const planItemPath = (planId: string, itemId: string, action: string) =>
  `/api/plans/${encodeURIComponent(planId)}/items/${encodeURIComponent(itemId)}/${action}`;

/**
 * Today's plan, composed on the first call of the learner's local day. `timeZone` (the
 * device's) is used only when the learner has none in their preferences. A 409
 * problem (`onboarding_required`) before onboarding, a 404 when the course has no practice library.
 */
export function getTodayPlan(timeZone?: string): Promise<Plan> {
  return learnerJson<Plan>(`/api/plans/today${timeZone ? `?timeZone=${encodeURIComponent(timeZone)}` : ''}`);
}

/** Ticks off, skips or rates a task; the same eventId counts once, and a later feedback replaces an earlier one. */
export function sendPlanFeedback(
  planId: string,
  itemId: string,
  feedback: PlanFeedback,
): Promise<z.infer<typeof PlanFeedbackResultSchema>> {
  return learnerJson<z.infer<typeof PlanFeedbackResultSchema>>(planItemPath(planId, itemId, 'feedback'), {
    method: 'POST',
    json: feedback,
  });
}

/** Swaps an open task for the next best one of its category: the whole plan after the swap (409 with a detail when none fits). */
export function swapPlanTask(planId: string, itemId: string): Promise<Plan> {
  return learnerJson<Plan>(planItemPath(planId, itemId, 'swap'), { method: 'POST' });
}

export function getPracticeProfile(): Promise<PracticeProfile> {
  return learnerJson<PracticeProfile>('/api/learners/me/practice-profile');
}

/** Stored summaries of weeks that have ended, newest first (`week`: one ISO week, such as 2026-W48). */
export async function getWeeklySummaries(week?: string): Promise<WeeklySummary[]> {
  const query = week ? `?week=${encodeURIComponent(week)}` : '';
  return (await learnerJson<z.infer<typeof SummariesSchema>>(`/api/learners/me/summaries${query}`)).summaries;
}

/** The week so far (`complete: false`), built on read. */
export function getCurrentWeekSummary(): Promise<WeeklySummary> {
  return learnerJson<WeeklySummary>('/api/learners/me/summaries/current');
}

// ---------------------------------------------------------------------------
// Admin (an author key with the admin scope, kept for the tab only)

export type * from './admin-types';

const ADMIN_KEY = 'learnedge.adminKey';

/** The admin key this tab was given (session storage: gone when the tab closes). */
export function adminKey(): string | null {
  return sessionStorage.getItem(ADMIN_KEY);
}

export function setAdminKey(key: string | null): void {
  if (key) sessionStorage.setItem(ADMIN_KEY, key);
  else sessionStorage.removeItem(ADMIN_KEY);
}

function adminJson<T>(path: string, options: Omit<RequestOptions, 'accept' | 'token'> = {}): Promise<T> {
  return requestJson<T>(`/api/admin${path}`, { ...options, token: adminKey() ?? '' });
}

/** Analytics of one course (`&course=`), or of every course. */

export const getAnalyticsOverview = (days = 30, course?: string | null) =>
  adminJson<Overview>(`/analytics/overview?days=${days}${courseParam(course, '&')}`);
export const getLessonFigures = async (course?: string | null) =>
  (await adminJson<{ lessons: LessonFigures[] }>(`/analytics/lessons?${courseParam(course).slice(1)}`)).lessons;
export const getItemAnalysis = async (course?: string | null) =>
  (await adminJson<{ items: ItemAnalysis[] }>(`/analytics/items?${courseParam(course).slice(1)}`)).items;
export const listExperiments = async () => (await adminJson<{ experiments: Experiment[] }>('/experiments')).experiments;
export const createExperiment = (input: ExperimentInput) =>
  adminJson<Experiment>('/experiments', { method: 'POST', json: input });
export const updateExperiment = (input: ExperimentInput) =>
  adminJson<Experiment>(`/experiments/${encodeURIComponent(input.id)}`, { method: 'PUT', json: input });
export const setExperimentRunning = (id: string, running: boolean) =>
  adminJson<Experiment>(`/experiments/${encodeURIComponent(id)}/${running ? 'start' : 'stop'}`, { method: 'POST' });
export const getExperimentResults = (id: string) =>
  adminJson<ExperimentResults>(`/experiments/${encodeURIComponent(id)}/results`);
export const getUsage = (groupBy: 'day' | 'feature' | 'model' = 'day') =>
  adminJson<UsageReportShape>(`/usage?groupBy=${groupBy}`);
export const getModelHealth = (days = 28, course?: string | null) =>
  adminJson<ModelHealth>(`/models/performance?days=${days}${courseParam(course, '&')}`);
export const getEngagement = (days = 30, course?: string | null) =>
  adminJson<Engagement>(`/analytics/engagement?days=${days}${courseParam(course, '&')}`);
export const getRankerWeights = () => adminJson<RankerWeights>('/recommendations/weights');
