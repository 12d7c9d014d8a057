import { env } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { api, DELIVERY, d1Rows, flushLearners, givenLearner, learnerSql } from '../../test/builders';
import { givenSampleCourse } from '../../test/sample-course';
import { readAnswerRef, signAnswerRef } from './answers.feedback';
import type { Answer } from './answers.schemas';

const ask = async (token: string, question: string) =>
  (await api('/api/answers', { method: 'POST', key: token, json: { question } })).json<Answer>();
const rate = (token: string, answerId: string, rating: 'up' | 'down', reason?: string, occurredAt = new Date()) =>
  api('/api/events', {
    method: 'POST',
    key: token,
    json: {
      events: [
        {
          eventId: crypto.randomUUID(),
          occurredAt: occurredAt.toISOString(),
          type: 'answer.feedback',
          answerId,
          rating,
          ...(reason ? { reason } : {}),
        },
      ],
    },
  });
const stats = () => d1Rows('SELECT course_id, engine, reason, up, down FROM answer_feedback_stats ORDER BY reason');
const rejections = async () => (await env.DB.prepare('SELECT count(*) AS n FROM event_rejections').first<{ n: number }>())?.n;

// Each test waits on the events and aggregates queues: seconds, more on a busy machine.
describe('thumbs up or down on an answer', { timeout: 30_000 }, () => {
  it('counts each learner’s latest rating once in the shared statistics; a changed rating moves the vote', async () => {
    await givenSampleCourse();
    const [a, b] = [await givenLearner(null), await givenLearner(null)];
    const question = 'How do I keep only the rows that match a condition?';
    const [answerA, answerB] = [await ask(a.token, question), await ask(b.token, question)];
    // The same answer, a different id for each learner.
    expect(answerA.answerId).not.toBe(answerB.answerId);

    for (let i = 0; i < 3; i++) expect((await rate(a.token, answerA.answerId, 'up', 'helpful')).status).toBe(202);
    expect((await rate(b.token, answerB.answerId, 'down', 'unclear')).status).toBe(202);
    await vi.waitFor(
      async () => expect(await learnerSql(b.learnerId, 'SELECT rating FROM answer_feedback')).toHaveLength(1),
      DELIVERY,
    );
    await flushLearners(a.learnerId, b.learnerId);
    await vi.waitFor(
      async () =>
        expect(await stats()).toEqual([
          { course_id: 'sample', engine: 'offline', reason: 'helpful', up: 1, down: 0 },
          { course_id: 'sample', engine: 'offline', reason: 'unclear', up: 0, down: 1 },
        ]),
      DELIVERY,
    );

    // Learner b changes their mind: their one vote moves. An older rating sent late changes nothing.
    expect((await rate(b.token, answerB.answerId, 'up', 'helpful')).status).toBe(202);
    expect((await rate(b.token, answerB.answerId, 'down', 'wrong', new Date(Date.now() - 60_000))).status).toBe(202);
    await vi.waitFor(
      async () =>
        expect(await learnerSql(b.learnerId, 'SELECT rating, reason, course_id FROM answer_feedback')).toEqual([
          { rating: 'up', reason: 'helpful', course_id: 'sample' },
        ]),
      DELIVERY,
    );
    await flushLearners(b.learnerId);
    await vi.waitFor(
      async () =>
        expect(await stats()).toEqual([
          { course_id: 'sample', engine: 'offline', reason: 'helpful', up: 2, down: 0 },
          { course_id: 'sample', engine: 'offline', reason: 'unclear', up: 0, down: 0 },
        ]),
      DELIVERY,
    );
  });

  it('refuses feedback on an answer the learner was not given: another learner’s id, a forged one, junk', async () => {
    await givenSampleCourse();
    const [a, b] = [await givenLearner(null), await givenLearner(null)];
    const answer = await ask(a.token, 'What does GROUP BY do?');
    const ref = await readAnswerRef(env.LEARNER_TOKEN_SECRET, a.learnerId, answer.answerId);
    expect(ref).toMatchObject({ e: 'offline', k: expect.stringMatching(/^[0-9a-f]{16}$/) as unknown });
    const forged = await signAnswerRef(
      'another-secret-another-secret-another',
      b.learnerId,
      ref ?? { k: '0', e: 'offline', l: null },
    );
    const before = await rejections();
    for (const id of [answer.answerId, forged, 'ans1.e30.AAAA', 'not an id']) {
      expect((await rate(b.token, id, 'down')).status).toBe(202);
    }
    await vi.waitFor(async () => expect(await rejections()).toBe((before ?? 0) + 4), DELIVERY);
    expect(await learnerSql(b.learnerId, 'SELECT * FROM answer_feedback')).toEqual([]);
  });

  it('refuses a bad rating or reason at the door, naming the field', async () => {
    const { token } = await givenLearner(null);
    const bad = await rate(token, 'x', 'sideways' as 'up');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('json/events/0/rating');
    const reason = await rate(token, 'x', 'up', 'because');
    expect(reason.status).toBe(400);
  });
});
