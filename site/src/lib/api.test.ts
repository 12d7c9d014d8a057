import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as ApiModule from './api';
import { localDay } from './format';

const NOW = new Date('2026-11-20T12:00:00Z');
const DAY = 24 * 60 * 60 * 1000;
const SESSION_KEY = 'learnedge.learner';

type Api = typeof ApiModule;

/** The module afresh for each test: its in-page session memo must not leak between tests. */
async function loadApi(): Promise<Api> {
  vi.resetModules();
  return import('./api');
}

function tokenBody(overrides: Partial<{ learnerId: string; token: string; expiresAt: string }> = {}) {
  return {
    learnerId: 'lrn_aaaaaaaaaaaaaaaa',
    token: 'token-new',
    expiresAt: new Date(NOW.getTime() + 90 * DAY).toISOString(),
    ...overrides,
  };
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers },
  });

const problem = (status: number, code: string, extra: Record<string, unknown> = {}) =>
  json(
    {
      type: `https://learnedge.dev/problems/${code}`,
      title: code,
      status,
      detail: `${code} detail`,
      code,
      requestId: 'req-1',
      ...extra,
    },
    status,
  );

/** A fake API: each call takes the next answer queued for its "METHOD /path". */
function fakeApi(routes: Record<string, (() => Response)[]>) {
  const calls: { route: string; authorization: string | null; body: unknown }[] = [];
  const fetch = vi.fn((path: string, init: RequestInit = {}) => {
    const route = `${init.method ?? 'GET'} ${path}`;
    const headers = new Headers(init.headers);
    calls.push({
      route,
      authorization: headers.get('authorization'),
      body: typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : null,
    });
    const next = routes[route]?.shift();
    return Promise.resolve(next ? next() : new Response('unexpected', { status: 599 }));
  });
  vi.stubGlobal('fetch', fetch);
  return calls;
}

const me =
  (onboarded = false) =>
  () =>
    json({ learnerId: 'lrn_aaaaaaaaaaaaaaaa', createdAt: NOW.toISOString(), onboarded, preferences: null });

function store(session: { token: string; expiresAt: string; learnerId?: string }) {
  localStorage.setItem(SESSION_KEY, JSON.stringify({ learnerId: 'lrn_stored0000000000', ...session }));
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
  localStorage.clear();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('the learner session', () => {
  it('creates a learner on the first visit and keeps its token', async () => {
    const calls = fakeApi({ 'POST /api/learners': [() => json(tokenBody(), 201)], 'GET /api/learners/me': [me()] });
    const api = await loadApi();
    await api.getMe();
    expect(calls.map((c) => c.route)).toEqual(['POST /api/learners', 'GET /api/learners/me']);
    expect(calls[1]?.authorization).toBe('Bearer token-new');
    expect(JSON.parse(localStorage.getItem(SESSION_KEY) ?? '{}')).toMatchObject({ token: 'token-new' });
  });

  it('reuses a stored token with more than 30 days left', async () => {
    store({ token: 'token-old', expiresAt: new Date(NOW.getTime() + 31 * DAY).toISOString() });
    const calls = fakeApi({ 'GET /api/learners/me': [me(true)] });
    const api = await loadApi();
    expect((await api.getMe()).onboarded).toBe(true);
    expect(calls).toEqual([{ route: 'GET /api/learners/me', authorization: 'Bearer token-old', body: null }]);
  });

  it('exchanges a token that expires within 30 days for a fresh one', async () => {
    store({ token: 'token-old', expiresAt: new Date(NOW.getTime() + 29 * DAY).toISOString() });
    const calls = fakeApi({ 'POST /api/learners/me/token': [() => json(tokenBody())], 'GET /api/learners/me': [me()] });
    const api = await loadApi();
    await api.getMe();
    expect(calls.map((c) => [c.route, c.authorization])).toEqual([
      ['POST /api/learners/me/token', 'Bearer token-old'],
      ['GET /api/learners/me', 'Bearer token-new'],
    ]);
    expect(localStorage.getItem(SESSION_KEY)).toContain('token-new');
  });

  it('keeps using a still-valid token when the refresh fails for another reason than 401', async () => {
    store({ token: 'token-old', expiresAt: new Date(NOW.getTime() + 5 * DAY).toISOString() });
    const calls = fakeApi({
      'POST /api/learners/me/token': [() => problem(503, 'service_unavailable')],
      'GET /api/learners/me': [me()],
    });
    const api = await loadApi();
    await api.getMe();
    expect(calls[1]?.authorization).toBe('Bearer token-old');
  });

  it('starts a new learner when the server refuses to refresh a token that looks expired', async () => {
    store({ token: 'token-old', expiresAt: new Date(NOW.getTime() - DAY).toISOString() });
    const calls = fakeApi({
      'POST /api/learners/me/token': [() => problem(401, 'unauthorized')],
      'POST /api/learners': [() => json(tokenBody(), 201)],
      'GET /api/learners/me': [me()],
    });
    const api = await loadApi();
    await api.getMe();
    expect(calls.map((c) => c.route)).toEqual(['POST /api/learners/me/token', 'POST /api/learners', 'GET /api/learners/me']);
  });

  it('keeps the learner when only the browser clock says the token expired (the server refreshes it)', async () => {
    store({ token: 'token-old', expiresAt: new Date(NOW.getTime() - 10 * DAY).toISOString() });
    const calls = fakeApi({ 'POST /api/learners/me/token': [() => json(tokenBody())], 'GET /api/learners/me': [me()] });
    const api = await loadApi();
    await api.getMe();
    expect(calls.map((c) => c.route)).toEqual(['POST /api/learners/me/token', 'GET /api/learners/me']);
    expect(calls[1]?.authorization).toBe('Bearer token-new');
  });

  it.each([
    ['a value that is not a session', '{"token": 42}'],
    ['a value that is not JSON', 'forged'],
  ])('starts a new learner over %s', async (_name, stored) => {
    localStorage.setItem(SESSION_KEY, stored);
    const calls = fakeApi({ 'POST /api/learners': [() => json(tokenBody(), 201)], 'GET /api/learners/me': [me()] });
    const api = await loadApi();
    await api.getMe();
    expect(calls.map((c) => c.route)).toEqual(['POST /api/learners', 'GET /api/learners/me']);
  });

  it('replaces a token the API refuses with a new learner, once, and repeats the call', async () => {
    store({ token: 'token-forged', expiresAt: new Date(NOW.getTime() + 60 * DAY).toISOString() });
    const calls = fakeApi({
      'GET /api/learners/me': [() => problem(401, 'unauthorized'), me()],
      'POST /api/learners': [() => json(tokenBody(), 201)],
    });
    const api = await loadApi();
    await api.getMe();
    expect(calls.map((c) => [c.route, c.authorization])).toEqual([
      ['GET /api/learners/me', 'Bearer token-forged'],
      ['POST /api/learners', null],
      ['GET /api/learners/me', 'Bearer token-new'],
    ]);
    expect(localStorage.getItem(SESSION_KEY)).toContain('token-new');
  });

  it('reports a second 401 instead of creating learners in a loop', async () => {
    store({ token: 'token-forged', expiresAt: new Date(NOW.getTime() + 60 * DAY).toISOString() });
    const calls = fakeApi({
      'GET /api/learners/me': [() => problem(401, 'unauthorized'), () => problem(401, 'unauthorized')],
      'POST /api/learners': [() => json(tokenBody(), 201)],
    });
    const api = await loadApi();
    await expect(api.getMe()).rejects.toMatchObject({ name: 'ApiError', status: 401 });
    expect(calls).toHaveLength(3);
  });

  it('says when the browser cannot keep the session, so nothing sends it through onboarding on every page', async () => {
    vi.spyOn(Storage.prototype, 'setItem').mockImplementation(() => {
      throw new DOMException('blocked', 'SecurityError');
    });
    fakeApi({ 'POST /api/learners': [() => json(tokenBody(), 201)], 'GET /api/learners/me': [me()] });
    const api = await loadApi();
    await api.getMe();
    expect(api.sessionIsKept()).toBe(false);
    vi.restoreAllMocks();
  });

  it('creates one learner when several calls start at once on the first visit', async () => {
    const calls = fakeApi({
      'POST /api/learners': [() => json(tokenBody(), 201), () => json(tokenBody({ token: 'token-second' }), 201)],
      'GET /api/learners/me': [me(), me()],
      'GET /api/learners/me/preferences': [() => json({})],
    });
    const api = await loadApi();
    await Promise.all([api.getMe(), api.getMe(), api.getPreferences()]);
    expect(calls.filter((c) => c.route === 'POST /api/learners')).toHaveLength(1);
  });

  it('creates the learner again after a failed first attempt', async () => {
    const calls = fakeApi({
      'POST /api/learners': [() => problem(503, 'service_unavailable'), () => json(tokenBody(), 201)],
      'GET /api/learners/me': [me()],
    });
    const api = await loadApi();
    await expect(api.getMe()).rejects.toMatchObject({ status: 503 });
    await api.getMe();
    expect(calls.map((c) => c.route)).toEqual(['POST /api/learners', 'POST /api/learners', 'GET /api/learners/me']);
  });
});

describe('learner endpoints', () => {
  beforeEach(() => store({ token: 'token-old', expiresAt: new Date(NOW.getTime() + 60 * DAY).toISOString() }));

  it('sends onboarding answers and surfaces field errors of a 400', async () => {
    const errors = [{ field: 'answers/goals', message: 'is required' }];
    const calls = fakeApi({ 'POST /api/onboarding': [() => problem(400, 'validation_failed', { errors })] });
    const api = await loadApi();
    const failure = api.submitOnboarding({ experience: 'none', sessionMinutes: 20 });
    await expect(failure).rejects.toMatchObject({ status: 400, problem: { errors } });
    expect(calls[0]?.body).toEqual({ answers: { experience: 'none', sessionMinutes: 20 } });
  });

  it('reads Retry-After of a 429 as seconds', async () => {
    fakeApi({
      'POST /api/personalize/stream': [
        () => new Response('{}', { status: 429, headers: { 'retry-after': '12', 'content-type': 'application/problem+json' } }),
      ],
    });
    const api = await loadApi();
    const events = api.streamPersonalized('joins');
    await expect(events.next()).rejects.toMatchObject({ status: 429, retryAfter: 12 });
  });

  it('streams personalized lesson events in order, checked', async () => {
    const done = {
      lessonSlug: 'joins',
      markdown: '# Joins\n\nAdapted',
      cached: false,
      engine: 'offline',
      model: null,
      promptVersion: 'v1',
      contentHash: 'c',
      preferencesHash: 'p',
      usage: null,
      degraded: false,
      notice: null,
      adaptations: ['Examples use shops'],
    };
    const sse = [
      `event: meta\ndata: ${JSON.stringify({ cached: false, engine: 'offline', model: null, contentHash: 'c', preferencesHash: 'p' })}\n\n`,
      'event: delta\ndata: {"text":"# Joins"}\n\n',
      `event: done\ndata: ${JSON.stringify(done)}\n\n`,
    ].join('');
    const calls = fakeApi({
      'POST /api/personalize/stream': [() => new Response(sse, { headers: { 'content-type': 'text/event-stream' } })],
    });
    const api = await loadApi();
    const events = [];
    for await (const event of api.streamPersonalized('joins')) events.push(event.event);
    expect(events).toEqual(['meta', 'delta', 'done']);
    expect(calls[0]?.body).toEqual({ lessonSlug: 'joins' });
  });

  it('reports how many cached lessons were dropped', async () => {
    fakeApi({ 'DELETE /api/personalize/cache': [() => json({ deleted: 3 })] });
    const api = await loadApi();
    expect(await api.clearPersonalizedCache()).toEqual({ deleted: 3 });
  });
});

describe('searchCourse', () => {
  it('posts the query with its filters, without a learner token', async () => {
    const results = { query: 'like', embedder: 'hash', hits: [] };
    const calls = fakeApi({ 'POST /api/search': [() => json(results)] });
    const api = await loadApi();
    expect(await api.searchCourse('like', { filters: { part: 'foundations', layer: 'L1' } })).toEqual(results);
    expect(calls).toEqual([
      { route: 'POST /api/search', authorization: null, body: { query: 'like', filters: { part: 'foundations', layer: 'L1' } } },
    ]);
  });

  it('surfaces a refused query as an ApiError with the field at fault', async () => {
    fakeApi({
      'POST /api/search': [
        () => problem(400, 'validation_failed', { errors: [{ field: 'json/query', message: 'must not be empty' }] }),
      ],
    });
    const api = await loadApi();
    const failure = api.searchCourse(' ');
    await expect(failure).rejects.toBeInstanceOf(api.ApiError);
    await expect(failure).rejects.toMatchObject({ status: 400, problem: { errors: [{ field: 'json/query' }] } });
  });
});

describe('progress, quizzes and reviews', () => {
  beforeEach(() => store({ token: 'token-old', expiresAt: new Date(NOW.getTime() + 60 * DAY).toISOString() }));

  const stamp = { eventId: '6f1c2a9e-3b7d-4e21-9a0f-5c8d7e6b4a31', occurredAt: NOW.toISOString() };
  const progress = {
    lessonSlug: 'inner-joins',
    startedAt: NOW.toISOString(),
    completedAt: null,
    activeSeconds: 30,
    lastActivityAt: NOW.toISOString(),
  };

  it('sends lesson start, heartbeat and completion with the learner token and the event stamp', async () => {
    const calls = fakeApi({
      'POST /api/progress/lessons/inner-joins/start': [() => json({ applied: true, progress })],
      'PUT /api/progress/lessons/inner-joins/time': [() => json({ applied: true, progress })],
      'POST /api/progress/lessons/inner-joins/complete': [() => json({ applied: false, progress })],
    });
    const api = await loadApi();
    await api.startLesson('inner-joins', stamp);
    await api.recordActiveTime('inner-joins', { ...stamp, seconds: 30 });
    expect((await api.completeLesson('inner-joins', stamp)).applied).toBe(false);
    expect(calls.map((c) => [c.route, c.authorization, c.body])).toEqual([
      ['POST /api/progress/lessons/inner-joins/start', 'Bearer token-old', stamp],
      ['PUT /api/progress/lessons/inner-joins/time', 'Bearer token-old', { ...stamp, seconds: 30 }],
      ['POST /api/progress/lessons/inner-joins/complete', 'Bearer token-old', stamp],
    ]);
  });

  it('asks for the next quiz item and grades an answer', async () => {
    const next = { lessonSlug: 'inner-joins', item: null, ability: { theta: 0.4, se: 0.8 }, answered: 4, total: 4 };
    const graded = { applied: true, correct: false, answer: 2, explanation: 'Because.', mastery: null };
    const calls = fakeApi({
      'GET /api/quizzes/inner-joins/next': [() => json(next)],
      'POST /api/quizzes/attempts': [() => json(graded)],
    });
    const api = await loadApi();
    expect(await api.getNextQuizItem('inner-joins')).toEqual(next);
    const attempt = { eventId: stamp.eventId, itemId: 'inner-joins-q1', answer: 1 };
    expect(await api.submitQuizAttempt(attempt)).toEqual(graded);
    expect(calls[1]?.body).toEqual(attempt);
  });

  it('surfaces an unknown lesson as the 404 problem the API sent', async () => {
    fakeApi({ 'GET /api/quizzes/no-such-lesson/next': [() => problem(404, 'not_found')] });
    const api = await loadApi();
    await expect(api.getNextQuizItem('no-such-lesson')).rejects.toMatchObject({
      status: 404,
      message: 'not_found detail',
      problem: { requestId: 'req-1' },
    });
  });

  it('lists due reviews and sends a review with its answer', async () => {
    const due = { due: [], upcoming: 2, nextDue: NOW.toISOString() };
    const calls = fakeApi({
      'GET /api/reviews/due?limit=20': [() => json(due)],
      'POST /api/reviews/card%2F1': [() => json({ applied: true })],
    });
    const api = await loadApi();
    expect(await api.getDueReviews()).toEqual(due);
    await api.submitReview('card/1', { eventId: stamp.eventId, answer: 0, rating: 'easy' });
    expect(calls[1]?.body).toEqual({ eventId: stamp.eventId, answer: 0, rating: 'easy' });
  });

  it('unwraps the concept lists of mastery and predictions', async () => {
    const concept = {
      concept: 'joins',
      title: 'Joins',
      pKnown: 0.5,
      level: 'learning',
      attempts: 2,
      correct: 1,
      updatedAt: null,
    };
    const prediction = {
      concept: 'joins',
      title: 'Joins',
      pKnown: 0.5,
      now: 0.6,
      in7Days: 0.4,
      retrievabilityNow: null,
      retrievabilityIn7Days: null,
      in30Days: 0.3,
      retrievabilityIn30Days: null,
    };
    fakeApi({
      'GET /api/learners/me/mastery': [() => json({ concepts: [concept] })],
      'GET /api/learners/me/predictions': [() => json({ concepts: [prediction] })],
    });
    const api = await loadApi();
    expect(await api.getMastery()).toEqual([concept]);
    expect(await api.getPredictions()).toEqual([prediction]);
  });
});

describe('recommendations and the learning path', () => {
  beforeEach(() => store({ token: 'token-old', expiresAt: new Date(NOW.getTime() + 60 * DAY).toISOString() }));

  const eventId = '6f1c2a9e-3b7d-4e21-9a0f-5c8d7e6b4a31';

  it('unwraps the ranked items and sends feedback to the item’s own address', async () => {
    const item = {
      id: 'lesson:inner-joins',
      kind: 'lesson',
      lessonSlug: 'inner-joins',
      title: 'Combining tables with inner joins',
      score: 0.6,
      reasons: [{ code: 'goal', text: 'On the way to your goal' }],
    };
    const calls = fakeApi({
      'GET /api/recommendations?limit=5': [() => json({ course: 'sql', items: [item], cached: false })],
      'POST /api/recommendations/lesson%3Ainner-joins/feedback': [() => json({ applied: true })],
    });
    const api = await loadApi();
    expect(await api.getRecommendations()).toEqual({ course: 'sql', items: [item] });
    expect(await api.sendRecommendationFeedback(item.id, { eventId, action: 'dismissed' })).toEqual({ applied: true });
    expect(calls.map((c) => [c.route, c.authorization, c.body])).toEqual([
      ['GET /api/recommendations?limit=5', 'Bearer token-old', null],
      ['POST /api/recommendations/lesson%3Ainner-joins/feedback', 'Bearer token-old', { eventId, action: 'dismissed' }],
    ]);
  });

  it('puts a goal and surfaces an id the course lacks as a field error', async () => {
    const calls = fakeApi({
      'PUT /api/learners/me/goal': [
        () => json({ type: 'lesson', id: 'inner-joins', targetDate: '2026-11-23' }),
        () => problem(400, 'validation_failed', { errors: [{ field: 'json/id', message: 'no lesson "nope" in the course' }] }),
      ],
    });
    const api = await loadApi();
    expect(await api.setGoal({ type: 'lesson', id: 'inner-joins', targetDate: '2026-11-23' })).toEqual({
      type: 'lesson',
      id: 'inner-joins',
      targetDate: '2026-11-23',
    });
    await expect(api.setGoal({ type: 'lesson', id: 'nope' })).rejects.toMatchObject({
      status: 400,
      problem: { errors: [{ field: 'json/id' }] },
    });
    expect(calls[1]?.body).toEqual({ type: 'lesson', id: 'nope' });
  });

  it('reads a placement test not started as none, and a missing course as the error it is', async () => {
    fakeApi({ 'GET /api/placement': [() => problem(404, 'not_started'), () => problem(404, 'not_found')] });
    const api = await loadApi();
    expect(await api.getPlacement()).toBeNull();
    await expect(api.getPlacement()).rejects.toMatchObject({ status: 404 });
  });

  it('surfaces a learner without any goal as the 404 of the path', async () => {
    fakeApi({ [`GET /api/learning-path?today=${localDay(new Date())}`]: [() => problem(404, 'not_found')] });
    const api = await loadApi();
    await expect(api.getLearningPath()).rejects.toMatchObject({ status: 404 });
  });
});
