import { env } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import type { FakeReply } from '../../../scripts/fake-openai';
import { givenFakeModel } from '../../test/fake-model';
import { api, buildCourse, givenAuthorKey, givenLearner, learnerSql, lessonBody, push, readEvents } from '../../test/builders';
import type { PersonalizedLesson } from './personalize.schemas';

const ORIGINAL = lessonBody('lesson-2');
const GOOD = `Intro to lesson-2, rewritten for you.\n\n## Idea\n\nA friendlier explanation.\n\n\`\`\`sql\nSELECT 1;\n\`\`\`\n\n## Practice\n\nTry it on your own shop data.\n`;

/** The fake model with this file's defaults: two retries, and prices so costs are recorded. */
const givenModel = (replies: FakeReply[], vars: Record<string, string> = {}) =>
  givenFakeModel(replies, {
    OPENAI_MAX_RETRIES: '2',
    OPENAI_INPUT_USD_PER_MTOK: '0.15',
    OPENAI_OUTPUT_USD_PER_MTOK: '0.6',
    ...vars,
  });

async function setUp() {
  await push(await buildCourse(4), await givenAuthorKey());
  return givenLearner();
}

async function personalize(token: string, vars: Record<string, string>, lessonSlug = 'lesson-2') {
  const response = await api('/api/personalize', { method: 'POST', key: token, json: { lessonSlug }, vars });
  expect(response.status).toBe(200);
  return response.json<PersonalizedLesson>();
}

async function streamEvents(token: string, vars: Record<string, string>) {
  const response = await api('/api/personalize/stream', { method: 'POST', key: token, json: { lessonSlug: 'lesson-2' }, vars });
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  return readEvents(response);
}

async function generationLog(learnerId: string) {
  const { results } = await env.DB.prepare(
    'SELECT outcome, reason, attempts, prompt_tokens, completion_tokens, estimated_cost_usd FROM generation_log WHERE learner_id = ? ORDER BY created_at',
  )
    .bind(learnerId)
    .all<Record<string, unknown>>();
  return results;
}

describe('personalized lessons, model engine (against a fake OpenAI-compatible server)', () => {
  it('retries after a 429, then caches the checked text with its usage and cost', async () => {
    const { learnerId, token } = await setUp();
    const fake = await givenModel([
      { status: 429, retryAfter: 0 },
      { content: GOOD, usage: { prompt_tokens: 1000, completion_tokens: 500 } },
    ]);
    const first = await personalize(token, fake.vars);
    expect(first).toMatchObject({ engine: 'model', model: fake.model, cached: false, degraded: false, markdown: GOOD });
    expect(first.usage).toEqual({ promptTokens: 1000, completionTokens: 500, estimatedCostUsd: 0.00045 });
    expect((await fake.calls()).length).toBe(2);
    expect(await generationLog(learnerId)).toEqual([
      { outcome: 'ok', reason: null, attempts: 2, prompt_tokens: 1000, completion_tokens: 500, estimated_cost_usd: 0.00045 },
    ]);
    const second = await personalize(token, fake.vars);
    expect(second).toMatchObject({ cached: true, engine: 'model', markdown: GOOD });
    expect((await fake.calls()).length).toBe(2);
  });

  it('falls back to the original after a persistent 500, caches nothing and returns the budget', async () => {
    const { learnerId, token } = await setUp();
    const fake = await givenModel([{ status: 500 }]);
    const result = await personalize(token, fake.vars);
    expect(result).toMatchObject({ engine: 'original', degraded: true, cached: false, markdown: ORIGINAL });
    expect(result.notice).toContain('unavailable');
    expect((await fake.calls()).length).toBe(3);
    expect(await generationLog(learnerId)).toMatchObject([{ outcome: 'failed', attempts: 3 }]);
    const [budget] = await learnerSql(learnerId, 'SELECT used FROM generation_budgets');
    expect(budget).toEqual({ used: 0 });
    expect((await env.CACHE.list({ prefix: 'personalized:' })).keys).toHaveLength(0);
  });

  it('refuses output that changed a code block, shows the original with the reason', async () => {
    const { learnerId, token } = await setUp();
    const fake = await givenModel([{ content: GOOD.replace('SELECT 1;', 'SELECT 2;') }]);
    const result = await personalize(token, fake.vars);
    expect(result).toMatchObject({ engine: 'original', degraded: true, markdown: ORIGINAL });
    expect(result.notice).toContain('code block');
    expect(await generationLog(learnerId)).toMatchObject([{ outcome: 'rejected' }]);
    expect((await env.CACHE.list({ prefix: 'personalized:' })).keys).toHaveLength(0);
    // Not cached, so the next request asks the model again.
    await personalize(token, fake.vars);
    expect((await fake.calls()).length).toBe(2);
  });

  it.each([
    ['a dropped section', [{ content: GOOD.replace('## Practice', 'Practice') }], 'section'],
    ['a garbled stream', [{ garbage: true }], 'unavailable'],
    ['an empty answer', [{ content: '' }], 'unavailable'],
    ['a rejected request (401)', [{ status: 401 }], 'unavailable'],
  ])('serves the original with a notice after %s', async (_case, replies: FakeReply[], notice) => {
    const { token } = await setUp();
    const fake = await givenModel(replies);
    const result = await personalize(token, fake.vars);
    expect(result).toMatchObject({ engine: 'original', degraded: true, markdown: ORIGINAL });
    expect(result.notice).toContain(notice);
  });

  it('times out a model that never answers and falls back', async () => {
    const { token } = await setUp();
    const fake = await givenModel([{ hang: true }], { OPENAI_TIMEOUT_MS: '1000', OPENAI_MAX_RETRIES: '0' });
    const result = await personalize(token, fake.vars);
    expect(result).toMatchObject({ engine: 'original', degraded: true });
  });

  it('caps model generations per day across all learners too: past it everyone gets the offline engine, and says why', async () => {
    await push(await buildCourse(4), await givenAuthorKey());
    const fake = await givenModel([{ content: GOOD }, { content: GOOD }], { GENERATION_GLOBAL_DAILY_BUDGET: '2' });
    const learners = await Promise.all([
      givenLearner(),
      givenLearner({ experience: 'expert' }),
      givenLearner({ experience: 'none' }),
    ]);
    const engines = [];
    for (const [i, learner] of learners.entries()) engines.push(await personalize(learner.token, fake.vars, `lesson-${i + 2}`));
    expect(engines.map((e) => e.engine)).toEqual(['model', 'model', 'offline']);
    expect(engines[2]?.notice).toContain("The platform has used today's model budget");
    expect((await fake.calls()).length).toBe(2);
    const day = new Date().toISOString().slice(0, 10);
    expect(await env.DB.prepare('SELECT generations FROM model_spend_daily WHERE day = ?').bind(day).first()).toEqual({
      generations: 2,
    });
    // The third learner's own budget was given back: the platform cap refused, not theirs.
    expect(await learnerSql(learners[2]?.learnerId ?? '', 'SELECT used FROM generation_budgets')).toEqual([{ used: 0 }]);
  });

  it('serves a learner who declined a language model through the offline engine, with no model call', async () => {
    const { token } = await setUp();
    const fake = await givenModel([{ content: GOOD }]);
    const declined = await api('/api/learners/me/consent', {
      method: 'PUT',
      key: token,
      json: { model: false, analytics: true },
    });
    expect(declined.status).toBe(200);
    const result = await personalize(token, fake.vars);
    expect(result).toMatchObject({ engine: 'offline' });
    expect((await fake.calls()).length).toBe(0);
    // Consenting again brings the model back.
    await api('/api/learners/me/consent', { method: 'PUT', key: token, json: { model: true, analytics: true } });
    expect(await personalize(token, fake.vars, 'lesson-3')).toMatchObject({ engine: 'model' });
    expect((await fake.calls()).length).toBe(1);
  });

  it('counts the daily budget exactly; past it the offline engine answers and says why; cache hits are free', async () => {
    const { learnerId, token } = await setUp();
    const fake = await givenModel([{ content: GOOD }], { GENERATION_DAILY_BUDGET: '1' });
    expect(await personalize(token, fake.vars)).toMatchObject({ engine: 'model' });
    // A hit does not spend budget.
    expect(await personalize(token, fake.vars)).toMatchObject({ engine: 'model', cached: true });
    const over = await personalize(token, fake.vars, 'lesson-3');
    expect(over).toMatchObject({ engine: 'offline', degraded: false });
    expect(over.notice).toContain("today's 1 model-personalized lessons");
    expect((await fake.calls()).length).toBe(1);
    const [budget] = await learnerSql(learnerId, 'SELECT used FROM generation_budgets');
    expect(budget).toEqual({ used: 1 });
  });

  it('makes one generation for identical concurrent requests', async () => {
    const { learnerId, token } = await setUp();
    const fake = await givenModel([{ content: GOOD, chunks: 6, chunkDelayMs: 30 }]);
    const results = await Promise.all([1, 2, 3].map(() => personalize(token, fake.vars)));
    expect(results.map((r) => r.markdown)).toEqual([GOOD, GOOD, GOOD]);
    expect((await fake.calls()).length).toBe(1);
    const [budget] = await learnerSql(learnerId, 'SELECT used FROM generation_budgets');
    expect(budget).toEqual({ used: 1 });
  });

  it('streams the model text in pieces as it arrives', async () => {
    const { token } = await setUp();
    const fake = await givenModel([{ content: GOOD, chunks: 5, chunkDelayMs: 10 }]);
    const events = await streamEvents(token, fake.vars);
    expect(events[0]).toMatchObject({ event: 'meta', data: { engine: 'model', cached: false } });
    const deltas = events.filter((e) => e.event === 'delta').map((e) => (e.data as { text: string }).text);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(GOOD);
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { engine: 'model', markdown: GOOD } });
  });

  it('replaces streamed text with the original when the finished text fails the check', async () => {
    const { token } = await setUp();
    const fake = await givenModel([{ content: GOOD.replace('SELECT 1;', 'DROP TABLE x;') }]);
    const events = await streamEvents(token, fake.vars);
    const replace = events.find((e) => e.event === 'replace');
    expect(replace?.data).toMatchObject({ markdown: ORIGINAL });
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { engine: 'original', degraded: true } });
  });

  it('logs a model failure once, as a warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { token } = await setUp();
    const fake = await givenModel([{ status: 503 }], { OPENAI_MAX_RETRIES: '1', LOG_LEVEL: 'warn' });
    await personalize(token, fake.vars);
    const lines = warn.mock.calls.map((args) => String(args[0]));
    expect(lines.filter((l) => l.includes('personalize.model_failed'))).toHaveLength(1);
    expect(lines.find((l) => l.includes('personalize.model_failed'))).toContain('"attempts":2');
  });
});
