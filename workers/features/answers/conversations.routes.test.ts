import { describe, expect, it } from 'vitest';
import type { Problem } from '../../http/problem';
import { api, givenLearner, learnerSql } from '../../test/builders';
import { givenSampleCourse } from '../../test/sample-course';
import { standaloneQuestion } from './answers.domain';
import type { Answer, Conversation } from './answers.schemas';

const start = async (token: string, json: Record<string, unknown> = {}) =>
  api('/api/conversations', { method: 'POST', key: token, json });

/** Asks in a conversation and reads the stream to its end: the answer `done` carried. */
async function askIn(token: string, id: string, question: string): Promise<Answer> {
  const response = await api(`/api/conversations/${id}/messages`, { method: 'POST', key: token, json: { question } });
  expect(response.status).toBe(200);
  const done = /event: done\ndata: (.*)\n/.exec(await response.text())?.[1];
  return JSON.parse(done ?? 'null') as Answer;
}

describe('standalone follow-ups', () => {
  it('adds the previous question’s words to a follow-up that refers back or says little, and leaves a new question alone', () => {
    const previous = 'How do I sort rows by price?';
    expect(standaloneQuestion(previous, 'and in descending order?')).toBe('and in descending order? (sort rows price)');
    expect(standaloneQuestion(previous, 'Why is it slow?')).toBe('Why is it slow? (sort rows price)');
    expect(standaloneQuestion(previous, 'What does a LEFT JOIN keep?')).toBe('What does a LEFT JOIN keep?');
    expect(standaloneQuestion(null, 'and this?')).toBe('and this?');
  });
});

describe('conversations', () => {
  it('keeps the questions and answers in order, answers a follow-up in context, and lists the conversation', async () => {
    await givenSampleCourse();
    const { token, learnerId } = await givenLearner(null);
    const created = await start(token, { title: 'Sorting' });
    expect(created.status).toBe(201);
    const conversation = await created.json<Conversation>();
    expect(conversation).toMatchObject({ title: 'Sorting', scope: 'course', lessonSlug: null, messages: [] });
    expect(conversation.id).toMatch(/^cnv_[0-9a-f]{32}$/);

    const first = await askIn(token, conversation.id, 'How do I sort rows from the highest price to the lowest?');
    expect(first.covered).toBe(true);
    const followUp = await askIn(token, conversation.id, 'and only the first 5 of them?');
    expect(followUp.citations.length).toBeGreaterThan(0);

    const stored = await (await api(`/api/conversations/${conversation.id}`, { key: token })).json<Conversation>();
    expect(stored.messages.map((m) => m.role)).toEqual(['learner', 'answer', 'learner', 'answer']);
    expect(stored.messages[1]).toMatchObject({ text: first.answer, citations: first.citations, engine: 'offline' });
    expect(stored.messages[2]?.text).toBe('and only the first 5 of them?');
    expect(stored.messages[2]?.query).toMatch(/^and only the first 5 of them\? \(.*sort.*\)$/);
    expect(await learnerSql(learnerId, 'SELECT count(*) AS n FROM conversation_messages')).toEqual([{ n: 4 }]);

    const list = await (
      await api('/api/conversations', { key: token })
    ).json<{ conversations: { id: string; messages: number }[] }>();
    expect(list.conversations).toEqual([expect.objectContaining({ id: conversation.id, messages: 4 })]);
  });

  it('keeps another learner out: their conversation is 404 to read and to ask in', async () => {
    await givenSampleCourse();
    const owner = await givenLearner(null);
    const other = await givenLearner(null);
    const { id } = await (await start(owner.token)).json<Conversation>();
    expect((await api(`/api/conversations/${id}`, { key: other.token })).status).toBe(404);
    const asked = await api(`/api/conversations/${id}/messages`, {
      method: 'POST',
      key: other.token,
      json: { question: 'what is NULL' },
    });
    expect(asked.status).toBe(404);
    expect(
      (await (await api('/api/conversations', { key: other.token })).json<{ conversations: unknown[] }>()).conversations,
    ).toEqual([]);
  });

  it.each([
    ['scope lesson without a lesson', { scope: 'lesson' }, 400, 'json/lessonSlug'],
    ['an unknown lesson', { lessonSlug: 'no-such-lesson' }, 404, 'json/lessonSlug'],
    ['an empty title', { title: '  ' }, 400, 'json/title'],
  ])('refuses to start one with %s', async (_name, json, status, field) => {
    await givenSampleCourse();
    const { token } = await givenLearner(null);
    const response = await start(token, json);
    expect(response.status).toBe(status);
    expect((await response.json<Problem>()).errors?.map((e) => e.field)).toContain(field);
  });

  it('refuses a malformed id, an empty question, and no token', async () => {
    await givenSampleCourse();
    const { token } = await givenLearner(null);
    const bad = await api('/api/conversations/not-an-id', { key: token });
    expect(bad.status).toBe(400);
    expect((await bad.json<Problem>()).errors?.map((e) => e.field)).toContain('param/id');
    const { id } = await (await start(token)).json<Conversation>();
    const empty = await api(`/api/conversations/${id}/messages`, { method: 'POST', key: token, json: { question: '' } });
    expect(empty.status).toBe(400);
    expect((await api('/api/conversations')).status).toBe(401);
  });
});
