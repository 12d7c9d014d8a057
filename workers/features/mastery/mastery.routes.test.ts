import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { depsFor } from '../../deps';
import type { Problem } from '../../http/problem';
import { consumeBatch } from '../../queues/consumer';
import { QUEUES } from '../../queues/messages';
import { api, buildCourse, givenAuthorKey, givenLearner, givenTwoCourses, learnerSql, push } from '../../test/builders';
import { consoleErrors } from '../../test/console';
import { seededRandom } from '../../platform/seeded-random';
import { bktPredictCorrect, bktUpdate, DEFAULT_BKT } from './mastery.bkt';
import { PRIOR_ABILITY, updateAbility, updateMastery } from './mastery.domain';
import type { PfaModel } from './mastery.pfa';
import { FsrsFitResponseSchema } from './mastery.schemas';
import { DEFAULT_FSRS_WEIGHTS } from './mastery.fsrs';
import { REFIT_EVERY_DAYS, refitModelsWhenDue } from './mastery.jobs';
import { simulateReviews } from '../../../eval/fsrs-sim';
import type { z } from 'zod';
import type { Manifest } from '../content/content.schemas';

const item = (id: string, difficulty: number, answer = 0) => ({
  id,
  question: `${id}?`,
  choices: ['a', 'b', 'c', 'd'],
  answer,
  explanation: `why ${id}`,
  concept: 'concept-1',
  difficulty,
});

/** lesson-1 has an easy, a middling and a hard item on concept-1; the other lessons one item each. */
async function givenCourse() {
  const key = await givenAuthorKey();
  await push(
    await buildCourse(4, { 'lesson-1': { quiz: [item('easy-item', 1), item('mid-item', 3), item('hard-item', 5)] } }),
    key,
  );
  return key;
}

interface Next {
  item: { id: string; choices: string[] } | null;
  ability: { theta: number; se: number };
  answered: number;
  total: number;
  retry: boolean;
}
interface Graded {
  applied: boolean;
  correct: boolean;
  answer: number;
  explanation: string;
  mastery: { concept: string; pKnown: number; level: string; attempts: number; correct: number } | null;
}

const next = async (token: string, slug = 'lesson-1') => (await api(`/api/quizzes/${slug}/next`, { key: token })).json<Next>();
const attempt = (token: string, itemId: string, answer: number, eventId: string = crypto.randomUUID()) =>
  api('/api/quizzes/attempts', { method: 'POST', key: token, json: { eventId, itemId, answer } });

describe('quizzes', () => {
  it("chooses items by information at the learner's ability, moving with each answer", async () => {
    await givenCourse();
    const { token } = await givenLearner(null);
    // 3PL Fisher information, computed here independently of jsCAT: b = difficulty - 3, c = 1/4 choices.
    const info = (theta: number, difficulty: number) => {
      const c = 0.25;
      const p = c + (1 - c) / (1 + Math.exp(-(theta - (difficulty - 3))));
      return ((p - c) ** 2 / (1 - c) ** 2) * ((1 - p) / p);
    };
    const difficulty: Record<string, number> = { 'easy-item': 1, 'mid-item': 3, 'hard-item': 5 };
    const best = (theta: number, ids: string[]) =>
      ids.reduce((a, b) => (info(theta, difficulty[b] ?? 0) > info(theta, difficulty[a] ?? 0) ? b : a));

    const first = await next(token);
    // An average learner (theta 0) gets the middling item first.
    expect(first).toMatchObject({ item: { id: 'mid-item' }, ability: { theta: 0, se: 1 }, answered: 0, total: 3 });
    await attempt(token, 'mid-item', 0);
    const second = await next(token);
    expect(second.ability.theta).toBeGreaterThan(0);
    expect(second.ability.se).toBeLessThan(1);
    expect(second.item?.id).toBe(best(second.ability.theta, ['easy-item', 'hard-item']));
    const missed = second.item?.id === 'easy-item' ? 'easy-item' : 'hard-item';
    const other = missed === 'easy-item' ? 'hard-item' : 'easy-item';
    await attempt(token, missed, 2);
    const third = await next(token);
    expect(third.ability.theta).toBeLessThan(second.ability.theta);
    // Unanswered items come before missed ones.
    expect(third).toMatchObject({ item: { id: other }, answered: 1 });
    await attempt(token, other, 0);
    expect(await next(token)).toMatchObject({ item: { id: missed }, answered: 2, retry: true });
    await attempt(token, missed, 0);
    expect(await next(token)).toMatchObject({ item: null, answered: 3, total: 3, retry: false });
  });

  it('never asks again at once the item whose answer was just shown while another missed one is open', async () => {
    await givenCourse();
    const { token } = await givenLearner(null);
    // Every item answered wrong once: each retry is one of the other missed items, round and round.
    for (let i = 0; i < 3; i++) {
      const asked = await next(token);
      expect(asked.retry).toBe(false);
      await attempt(token, asked.item?.id ?? '', 2);
    }
    let last = '';
    for (let i = 0; i < 6; i++) {
      const asked = await next(token);
      expect(asked).toMatchObject({ retry: true, answered: 0 });
      expect(asked.item?.id).not.toBe(last);
      last = asked.item?.id ?? '';
      await attempt(token, last, 2);
    }
    // With one missed item left it is the one to retry, even just after its answer.
    for (const id of ['easy-item', 'mid-item', 'hard-item'].filter((id) => id !== last)) await attempt(token, id, 0);
    expect(await next(token)).toMatchObject({ item: { id: last }, retry: true, answered: 2 });
  });

  it('picks the harder item for a stronger learner and the easier one for a weaker learner', async () => {
    const key = await givenAuthorKey();
    await push(
      await buildCourse(4, {
        'lesson-1': { quiz: [item('hard-1', 5), item('hard-2', 5), item('hard-3', 5)] },
        'lesson-2': { quiz: [item('easy-two', 1), item('hard-two', 5)] },
        'lesson-3': { quiz: [item('easy-1', 1), item('easy-2', 1), item('easy-3', 1)] },
      }),
      key,
    );
    const strong = await givenLearner(null);
    const weak = await givenLearner(null);
    // One learner gets hard items right, the other easy items wrong.
    for (const n of [1, 2, 3]) {
      await attempt(strong.token, `hard-${n}`, 0);
      await attempt(weak.token, `easy-${n}`, 1);
    }
    const forStrong = await next(strong.token, 'lesson-2');
    const forWeak = await next(weak.token, 'lesson-2');
    expect(forStrong.ability.theta).toBeGreaterThan(0.5);
    expect(forWeak.ability.theta).toBeLessThan(-0.5);
    expect(forStrong.item?.id).toBe('hard-two');
    expect(forWeak.item?.id).toBe('easy-two');
  });

  it('grades an answer once per eventId and returns the updated concept mastery', async () => {
    await givenCourse();
    const { token, learnerId } = await givenLearner(null);
    const eventId = crypto.randomUUID();
    const right = await (await attempt(token, 'mid-item', 0, eventId)).json<Graded>();
    const pKnown = bktUpdate(DEFAULT_BKT.prior, true, DEFAULT_BKT);
    expect(right).toEqual({
      applied: true,
      correct: true,
      answer: 0,
      explanation: 'why mid-item',
      mastery: { concept: 'concept-1', title: 'Concept 1', pKnown, level: 'practising', attempts: 1, correct: 1 },
    });
    // The same eventId again (a retried request): graded once, same answer.
    const again = await (await attempt(token, 'mid-item', 0, eventId)).json<Graded>();
    expect(again).toEqual({ ...right, applied: false });
    const wrong = await (await attempt(token, 'easy-item', 3)).json<Graded>();
    expect(wrong).toMatchObject({ applied: true, correct: false, answer: 0 });
    // Answered once, even wrongly, a concept reads "learning", never "not started".
    const other = await (await attempt(token, 'lesson-2-q1', 0)).json<Graded>();
    expect(other.mastery).toMatchObject({ level: 'learning', attempts: 1, correct: 0 });
    expect(wrong.mastery?.pKnown).toBeCloseTo(bktUpdate(pKnown, false, DEFAULT_BKT), 12);
    expect(wrong.mastery).toMatchObject({ attempts: 2, correct: 1 });
    expect(await learnerSql(learnerId, 'SELECT count(*) AS n FROM attempts')).toEqual([{ n: 3 }]);
  });

  it('does not let mastery climb from answering the same item again right after its answer was shown', async () => {
    await givenCourse();
    const { token, learnerId } = await givenLearner();
    // The first answer is wrong; the response reveals the right one (0), which the learner then repeats 20 times.
    const first = await (await attempt(token, 'easy-item', 2)).json<Graded & { correctAnswer?: number }>();
    expect(first.correct).toBe(false);
    const before = first.mastery;
    for (let i = 0; i < 20; i++) {
      const repeat = await attempt(token, 'easy-item', 0);
      expect(repeat.status).toBe(200);
      const body = await repeat.json<Graded>();
      expect(body.correct).toBe(true);
      // Counted as an answer, but P(known) stays where the first answer left it.
      expect(body.mastery).toMatchObject({ pKnown: before?.pKnown, attempts: i + 2, correct: i + 1 });
    }
    const mastery = await (await api('/api/learners/me/mastery', { key: token })).json<{ concepts: { level: string }[] }>();
    expect(mastery.concepts[0]?.level).not.toBe('mastered');
    // Every answer stays in the learner's own history; only the first reaches the shared attempt log.
    expect(await learnerSql(learnerId, 'SELECT count(*) AS n FROM attempts')).toEqual([{ n: 21 }]);
    expect(await learnerSql(learnerId, 'SELECT count(*) AS n FROM outbox WHERE delta LIKE \'%"attempt"%\'')).toEqual([{ n: 1 }]);
    // Another item of the concept is new evidence.
    const other = await (await attempt(token, 'mid-item', 0)).json<Graded>();
    expect(other.mastery?.pKnown).toBeGreaterThan(before?.pKnown ?? 1);
  });

  it('takes an answer to an item as evidence again a day after the last one arrived, whatever occurredAt the client claims', async () => {
    await givenCourse();
    const { token, learnerId } = await givenLearner();
    const afterFirst = (await (await attempt(token, 'easy-item', 0)).json<Graded>()).mastery?.pKnown;
    // A forged occurredAt two days back (through the event batch path) does not make a repeat look old: arrival time decides.
    const forged = await api('/api/events', {
      method: 'POST',
      key: token,
      json: {
        events: [
          {
            eventId: crypto.randomUUID(),
            type: 'quiz.attempted',
            itemId: 'easy-item',
            answer: 0,
            occurredAt: new Date(Date.now() - 2 * 86_400_000).toISOString(),
          },
        ],
      },
    });
    expect(forged.status).toBe(202);
    await vi.waitFor(async () => expect(await learnerSql(learnerId, 'SELECT count(*) AS n FROM attempts')).toEqual([{ n: 2 }]), {
      timeout: 8000,
      interval: 100,
    });
    const pKnown = async () =>
      (await learnerSql<{ p_known: number }>(learnerId, 'SELECT p_known FROM concept_mastery'))[0]?.p_known;
    expect(await pKnown()).toBe(afterFirst);
    // Pretend the first two answers arrived two days ago: the next one counts.
    await learnerSql(learnerId, "UPDATE events SET received_at = '2020-01-01T00:00:00.000Z'");
    await attempt(token, 'easy-item', 0);
    expect(await pKnown()).toBeGreaterThan(afterFirst ?? 1);
  });

  it('answers bad input with problems and changes nothing', async () => {
    await givenCourse();
    const { token, learnerId } = await givenLearner(null);
    const missing = await attempt(token, 'no-such-item', 0);
    expect(missing.status).toBe(404);
    expect((await missing.json<Problem>()).detail).toContain('no-such-item');
    expect((await api('/api/quizzes/no-such-lesson/next', { key: token })).status).toBe(404);
    const invalid: [unknown, string][] = [
      [{ itemId: 'mid-item', answer: 0 }, 'eventId'],
      [{ eventId: 'nope', itemId: 'mid-item', answer: 0 }, 'eventId'],
      [{ eventId: crypto.randomUUID(), itemId: 'mid-item', answer: -1 }, 'answer'],
      [{ eventId: crypto.randomUUID(), itemId: 'mid-item', answer: 1.5 }, 'answer'],
      [{ eventId: crypto.randomUUID(), itemId: 'mid-item', answer: 0, correct: true }, ''],
    ];
    for (const [json, field] of invalid) {
      const response = await api('/api/quizzes/attempts', { method: 'POST', key: token, json });
      expect(response.status).toBe(400);
      const problem = await response.json<Problem & { errors: { field: string }[] }>();
      expect(problem.errors.map((e) => e.field).join(' ')).toContain(field);
    }
    expect(await learnerSql(learnerId, 'SELECT count(*) AS n FROM attempts')).toEqual([{ n: 0 }]);
    expect(await learnerSql(learnerId, 'SELECT count(*) AS n FROM events')).toEqual([{ n: 0 }]);
  });

  it('applies an eventId another learner used too: ids are unique per learner, not across learners', async () => {
    await givenCourse();
    const a = await givenLearner(null);
    const b = await givenLearner(null);
    const eventId = crypto.randomUUID();
    await attempt(a.token, 'mid-item', 0, eventId);
    const reused = await attempt(b.token, 'mid-item', 1, eventId);
    expect(reused.status).toBe(200);
    expect(await reused.json<Graded>()).toMatchObject({ applied: true, correct: false, answer: 0 });
    const attempts = async (token: string) =>
      (
        await (
          await api('/api/learners/me/mastery', { key: token })
        ).json<{ concepts: { concept: string; attempts: number }[] }>()
      ).concepts.find((k) => k.concept === 'concept-1')?.attempts;
    expect([await attempts(a.token), await attempts(b.token)]).toEqual([1, 1]);
  });

  it('refuses an eventId the same learner used for another answer, with 409, and changes nothing', async () => {
    await givenCourse();
    const { token, learnerId } = await givenLearner(null);
    const eventId = crypto.randomUUID();
    expect((await attempt(token, 'mid-item', 0, eventId)).status).toBe(200);
    for (const [itemId, answer] of [
      ['mid-item', 1],
      ['easy-item', 0],
    ] as const) {
      const reused = await attempt(token, itemId, answer, eventId);
      expect(reused.status).toBe(409);
      expect(reused.headers.get('content-type')).toContain('application/problem+json');
      const problem = await reused.json<Problem>();
      expect(problem.code).toBe('conflict');
      // The other item's answer key never leaks through a reused id.
      expect(JSON.stringify(problem)).not.toContain('why mid-item');
    }
    expect(await learnerSql(learnerId, 'SELECT item_id, answer FROM attempts')).toEqual([{ item_id: 'mid-item', answer: 0 }]);
  });
});

describe('mastery and predictions', () => {
  it('lists every assessed concept, weakest first, with P(known) and a level', async () => {
    await givenCourse();
    const { token } = await givenLearner(null);
    for (const id of ['easy-item', 'mid-item', 'hard-item']) await attempt(token, id, 0);
    const { concepts } = await (
      await api('/api/learners/me/mastery', { key: token })
    ).json<{ concepts: { concept: string; pKnown: number; level: string; attempts: number }[] }>();
    expect(concepts.map((k) => k.concept)).toEqual(['concept-2', 'concept-3', 'concept-4', 'concept-1']);
    expect(concepts[0]).toMatchObject({ pKnown: DEFAULT_BKT.prior, level: 'not started', attempts: 0 });
    const three = [true, true, true].reduce((p, c) => bktUpdate(p, c, DEFAULT_BKT), DEFAULT_BKT.prior);
    expect(concepts[3]?.pKnown).toBeCloseTo(three, 12);
    expect(concepts[3]).toMatchObject({ level: 'mastered', attempts: 3 });
  });

  it('predicts each concept now and in 7 days from BKT and FSRS retrievability', async () => {
    await givenCourse();
    const { token } = await givenLearner(null);
    await attempt(token, 'mid-item', 0);
    const { concepts } = await (
      await api('/api/learners/me/predictions', { key: token })
    ).json<{
      concepts: {
        concept: string;
        pKnown: number;
        now: number;
        in7Days: number;
        retrievabilityNow: number | null;
        retrievabilityIn7Days: number | null;
      }[];
    }>();
    const untouched = concepts.find((k) => k.concept === 'concept-2');
    const prior = bktPredictCorrect(DEFAULT_BKT.prior, DEFAULT_BKT);
    expect(untouched).toMatchObject({ now: prior, in7Days: prior, retrievabilityNow: null, retrievabilityIn7Days: null });
    const practised = concepts.find((k) => k.concept === 'concept-1');
    if (!practised || practised.retrievabilityNow === null || practised.retrievabilityIn7Days === null) {
      throw new Error('concept-1 was reviewed');
    }
    expect(practised.retrievabilityNow).toBeGreaterThan(0.99);
    expect(practised.retrievabilityIn7Days).toBeLessThan(practised.retrievabilityNow);
    expect(practised.now).toBeCloseTo(bktPredictCorrect(practised.pKnown * practised.retrievabilityNow, DEFAULT_BKT), 12);
    expect(practised.in7Days).toBeLessThan(practised.now);
    expect(practised.now).toBeGreaterThan(prior);
  });
});

describe('reviews', () => {
  it('schedules answered items with FSRS, lists them when due and reschedules each review once', async () => {
    await givenCourse();
    const { token, learnerId } = await givenLearner(null);
    await attempt(token, 'mid-item', 2);
    await attempt(token, 'easy-item', 0);
    const before = await (
      await api('/api/reviews/due', { key: token })
    ).json<{ due: unknown[]; upcoming: number; nextDue: string }>();
    // A wrong answer comes back within minutes (a learning step), a right one later: nothing is due yet.
    expect(before).toMatchObject({ due: [], upcoming: 2 });
    expect(Date.parse(before.nextDue) - Date.now()).toBeLessThan(15 * 60_000);
    // Time passes: both cards come due (and the answers shown then are days old).
    await learnerSql(learnerId, "UPDATE review_cards SET due = '2020-01-01T00:00:00.000Z'");
    await learnerSql(learnerId, "UPDATE events SET received_at = '2020-01-01T00:00:00.000Z'");
    const due = await (
      await api('/api/reviews/due', { key: token })
    ).json<{ due: { id: string; question: string; choices: string[]; state: string; retrievability: number }[] }>();
    expect(due.due.map((d) => [d.id, d.state])).toEqual([
      ['easy-item', 'learning'],
      ['mid-item', 'learning'],
    ]);
    expect(due.due[0]).toMatchObject({ question: 'easy-item?', choices: ['a', 'b', 'c', 'd'] });

    const eventId = crypto.randomUUID();
    const review = await api('/api/reviews/mid-item', { method: 'POST', key: token, json: { eventId, answer: 0 } });
    const body = await review.json<{
      applied: boolean;
      correct: boolean;
      rating: string;
      card: { due: string; reps: number; state: string };
      mastery: { attempts: number };
    }>();
    expect(body).toMatchObject({ applied: true, correct: true, rating: 'good', card: { reps: 2 }, mastery: { attempts: 3 } });
    expect(Date.parse(body.card.due)).toBeGreaterThan(Date.now());
    const again = await (
      await api('/api/reviews/mid-item', { method: 'POST', key: token, json: { eventId, answer: 0 } })
    ).json<typeof body>();
    expect(again).toMatchObject({ applied: false, correct: true, card: { reps: 2 }, mastery: { attempts: 3 } });
    // A rating alone reschedules without grading.
    const rated = await (
      await api('/api/reviews/easy-item', { method: 'POST', key: token, json: { eventId: crypto.randomUUID(), rating: 'easy' } })
    ).json<typeof body & { correct: null; mastery: null }>();
    expect(rated).toMatchObject({
      applied: true,
      correct: null,
      rating: 'easy',
      mastery: null,
      card: { reps: 2, state: 'review' },
    });
    // A wrong answer is a lapse even when the learner rated it easy.
    const lapse = await (
      await api('/api/reviews/easy-item', {
        method: 'POST',
        key: token,
        json: { eventId: crypto.randomUUID(), answer: 3, rating: 'easy' },
      })
    ).json<typeof body>();
    expect(lapse).toMatchObject({ applied: true, correct: false, rating: 'again' });
    const after = await (await api('/api/reviews/due', { key: token })).json<{ due: unknown[]; upcoming: number }>();
    expect(after).toMatchObject({ due: [], upcoming: 2 });
  });

  it('answers bad review input with problems', async () => {
    await givenCourse();
    const a = await givenLearner(null);
    const b = await givenLearner(null);
    await attempt(a.token, 'mid-item', 0);
    const cases: [string, string, unknown, number][] = [
      [a.token, 'mid-item', { eventId: crypto.randomUUID() }, 400],
      [a.token, 'mid-item', { eventId: crypto.randomUUID(), rating: 'perfect' }, 400],
      [a.token, 'mid-item', { eventId: crypto.randomUUID(), answer: -2 }, 400],
      // Items the learner never met, or someone else's card, are not theirs to review.
      [a.token, 'hard-item', { eventId: crypto.randomUUID(), rating: 'good' }, 404],
      [b.token, 'mid-item', { eventId: crypto.randomUUID(), rating: 'good' }, 404],
    ];
    for (const [token, id, json, status] of cases) {
      expect((await api(`/api/reviews/${id}`, { method: 'POST', key: token, json })).status).toBe(status);
    }
    expect((await api('/api/reviews/due?limit=0', { key: a.token })).status).toBe(400);
    expect(await learnerSql(a.learnerId, 'SELECT sum(reps) AS n FROM review_cards')).toEqual([{ n: 1 }]);
    expect(await learnerSql(b.learnerId, 'SELECT count(*) AS n FROM review_cards')).toEqual([{ n: 0 }]);
  });
});

describe('learner endpoints', () => {
  const endpoints: [string, string, unknown?][] = [
    ['GET', '/api/quizzes/lesson-1/next'],
    ['POST', '/api/quizzes/attempts', { eventId: crypto.randomUUID(), itemId: 'mid-item', answer: 0 }],
    ['GET', '/api/learners/me/mastery'],
    ['GET', '/api/learners/me/predictions'],
    ['GET', '/api/reviews/due'],
    ['POST', '/api/reviews/mid-item', { eventId: crypto.randomUUID(), rating: 'good' }],
    ['GET', '/api/progress'],
    ['GET', '/api/progress/lessons/lesson-1'],
    ['POST', '/api/progress/lessons/lesson-1/start', { eventId: crypto.randomUUID() }],
    ['PUT', '/api/progress/lessons/lesson-1/time', { eventId: crypto.randomUUID(), seconds: 10 }],
    ['POST', '/api/progress/lessons/lesson-1/complete', { eventId: crypto.randomUUID() }],
    ['POST', '/api/events', { events: [] }],
  ];

  it('refuse requests without a valid learner token, and an author key is not one', async () => {
    const key = await givenCourse();
    for (const [method, path, json] of endpoints) {
      for (const bearer of [undefined, 'not-a-token', key]) {
        const response = await api(path, { method, ...(bearer ? { key: bearer } : {}), ...(json ? { json } : {}) });
        expect([method, path, response.status]).toEqual([method, path, 401]);
        expect(response.headers.get('content-type')).toContain('application/problem+json');
      }
    }
  });

  it('show each learner only their own answers, mastery, reviews and predictions', async () => {
    await givenCourse();
    const a = await givenLearner(null);
    const b = await givenLearner(null);
    for (const id of ['easy-item', 'mid-item', 'hard-item']) await attempt(a.token, id, 0);
    await learnerSql(a.learnerId, "UPDATE review_cards SET due = '2020-01-01T00:00:00.000Z'");
    const seen = async (token: string) => ({
      next: (await next(token)).answered,
      mastery: (
        await (await api('/api/learners/me/mastery', { key: token })).json<{ concepts: { attempts: number }[] }>()
      ).concepts.reduce((n, k) => n + k.attempts, 0),
      due: (await (await api('/api/reviews/due', { key: token })).json<{ due: unknown[] }>()).due.length,
      reviewed: (
        await (
          await api('/api/learners/me/predictions', { key: token })
        ).json<{ concepts: { retrievabilityNow: number | null }[] }>()
      ).concepts.filter((k) => k.retrievabilityNow !== null).length,
    });
    expect(await seen(a.token)).toEqual({ next: 3, mastery: 3, due: 3, reviewed: 1 });
    expect(await seen(b.token)).toEqual({ next: 0, mastery: 0, due: 0, reviewed: 0 });
  });
});

describe('graded events through the queue', () => {
  it('grades quiz.attempted on the server and rejects answers to items that do not exist', async () => {
    consoleErrors.expect();
    await givenCourse();
    const { learnerId } = await givenLearner(null);
    const message = (itemId: string) => ({
      learnerId,
      receivedAt: new Date().toISOString(),
      event: { eventId: crypto.randomUUID(), type: 'quiz.attempted', occurredAt: new Date().toISOString(), itemId, answer: 0 },
    });
    const batch = createMessageBatch(QUEUES.events, [
      { id: 'q-1', timestamp: new Date(), attempts: 1, body: message('mid-item') },
      { id: 'q-2', timestamp: new Date(), attempts: 1, body: message('gone-item') },
    ]);
    const ctx = createExecutionContext();
    await consumeBatch(batch, depsFor(env, {}));
    expect((await getQueueResult(batch, ctx)).explicitAcks.sort()).toEqual(['q-1', 'q-2']);
    expect(await learnerSql(learnerId, 'SELECT item_id, correct FROM attempts')).toEqual([{ item_id: 'mid-item', correct: 1 }]);
    const rejected = await env.DB.prepare('SELECT reason FROM event_rejections').all();
    expect(rejected.results).toEqual([
      { reason: 'no such lesson, quiz item, plan task, recommendation or answer of this learner' },
    ]);
  });
});

/** A row of the shared attempt log the learner objects feed (what fitting reads). */
const ATTEMPT_LOG = `INSERT INTO attempt_log (event_id, learner_id, course_id, item_id, concept_id, lesson_slug, answer, correct, occurred_at)
  VALUES (?, ?, 'test-course', ?, ?, ?, ?, ?, ?)`;

describe('fitting BKT', () => {
  it('refits per-concept parameters by EM from logged answers, which new answers then use', async () => {
    const key = await givenCourse();
    // 30 learners answering concept-2 ten times each: mostly wrong, then mostly right.
    const statements = [];
    for (let l = 0; l < 30; l++) {
      for (let t = 0; t < 10; t++) {
        const correct = t >= 3 + (l % 4) ? (l + t) % 9 !== 0 : (l * t) % 5 === 0;
        statements.push(
          env.DB.prepare(ATTEMPT_LOG).bind(
            crypto.randomUUID(),
            `l-${l}`,
            'lesson-2-q1',
            'concept-2',
            'lesson-2',
            0,
            correct ? 1 : 0,
            `2026-11-01T00:00:0${t}.000Z`,
          ),
        );
      }
    }
    statements.push(
      env.DB.prepare(ATTEMPT_LOG).bind(
        crypto.randomUUID(),
        'l-0',
        'lesson-3-q1',
        'concept-3',
        'lesson-3',
        1,
        1,
        '2026-11-01T00:00:00.000Z',
      ),
    );
    await env.DB.batch(statements);
    expect((await api('/api/admin/mastery/fit-bkt', { method: 'POST', json: {} })).status).toBe(401);

    const dry = await (
      await api('/api/admin/mastery/fit-bkt', { method: 'POST', key, json: { dryRun: true } })
    ).json<{ stored: boolean }>();
    expect(dry.stored).toBe(false);
    expect(await env.DB.prepare('SELECT count(*) AS n FROM bkt_params').first<{ n: number }>()).toEqual({ n: 0 });

    const fit = await (
      await api('/api/admin/mastery/fit-bkt', { method: 'POST', key, json: {} })
    ).json<{
      fitted: {
        concept: string;
        attempts: number;
        learners: number;
        prior: number;
        learn: number;
        guess: number;
        slip: number;
      }[];
      skipped: { concept: string; attempts: number; reason: string }[];
    }>();
    expect(fit.skipped).toEqual([{ course: 'test-course', concept: 'concept-3', attempts: 1, reason: 'too_few_answers' }]);
    expect(fit.fitted).toHaveLength(1);
    const fitted = fit.fitted[0];
    expect(fitted).toMatchObject({ course: 'test-course', concept: 'concept-2', attempts: 300, learners: 30 });
    if (!fitted) throw new Error('no fit');
    expect(fitted.learn).toBeGreaterThan(0.05);
    expect(fitted.prior).toBeLessThan(DEFAULT_BKT.prior);

    const { token } = await givenLearner(null);
    const graded = await (await attempt(token, 'lesson-2-q1', 1)).json<Graded>();
    const params = { ...fitted, forget: 0 };
    expect(graded.mastery?.pKnown).toBeCloseTo(bktUpdate(params.prior, true, params), 12);
  });
});

describe('fitting BKT per course', () => {
  it('fits a concept slug two courses use apart in each, and each course answers with its own fit', async () => {
    const key = await givenTwoCourses();
    const inCourse = ATTEMPT_LOG.replace("'test-course'", '?');
    const statements = [];
    // concept-2 is easy in the default course (mostly right) and hard in the other (mostly wrong).
    for (const [course, lesson, right] of [
      ['test-course', 'lesson-2', 0.9],
      ['other-course', 'py-lesson-2', 0.2],
    ] as const) {
      const random = seededRandom(course.length);
      for (let l = 0; l < 30; l++) {
        for (let t = 0; t < 10; t++) {
          const at = new Date(Date.parse('2026-11-01T00:00:00.000Z') + t * 1000).toISOString();
          const correct = random() < right ? 1 : 0;
          statements.push(
            env.DB.prepare(inCourse).bind(
              crypto.randomUUID(),
              `${course}-${l}`,
              course,
              `${lesson}-q1`,
              'concept-2',
              lesson,
              0,
              correct,
              at,
            ),
          );
        }
      }
    }
    for (let i = 0; i < statements.length; i += 300) await env.DB.batch(statements.slice(i, i + 300));
    const fit = await (
      await api('/api/admin/mastery/fit-bkt', { method: 'POST', key, json: {} })
    ).json<{
      fitted: { course: string; concept: string; attempts: number; prior: number; learn: number; guess: number; slip: number }[];
    }>();
    const of = (course: string) => fit.fitted.find((f) => f.course === course && f.concept === 'concept-2');
    expect([of('test-course')?.attempts, of('other-course')?.attempts]).toEqual([300, 300]);
    expect(of('test-course')?.prior ?? 0).toBeGreaterThan(of('other-course')?.prior ?? 1);

    // A right answer in each course updates mastery with that course's parameters.
    const { token } = await givenLearner(null);
    for (const [course, item] of [
      ['test-course', 'lesson-2-q1'],
      ['other-course', 'py-lesson-2-q1'],
    ] as const) {
      const fitted = of(course);
      if (!fitted) throw new Error(`no fit in ${course}`);
      const graded = await (await attempt(token, item, 1)).json<Graded>();
      expect([course, graded.mastery?.pKnown]).toEqual([
        course,
        expect.closeTo(bktUpdate(fitted.prior, true, { ...fitted, forget: 0 }), 12),
      ]);
    }
  });
});

describe('fitting BKT on real-shaped logs', () => {
  it('counts at most 50 answers per learner, so one learner repeating an item cannot dominate a fit', async () => {
    const key = await givenCourse();
    const statements = [];
    // One learner answers concept-2 right 2,000 times; 20 others answer it 5 times, mostly wrong.
    for (let t = 0; t < 2000; t++) {
      const at = new Date(Date.parse('2026-11-01T00:00:00.000Z') + t * 1000).toISOString();
      statements.push(
        env.DB.prepare(ATTEMPT_LOG).bind(crypto.randomUUID(), 'l-eager', 'lesson-2-q1', 'concept-2', 'lesson-2', 1, 1, at),
      );
    }
    for (let l = 0; l < 20; l++) {
      for (let t = 0; t < 5; t++) {
        const at = `2026-11-01T00:00:0${t}.000Z`;
        statements.push(
          env.DB.prepare(ATTEMPT_LOG).bind(
            crypto.randomUUID(),
            `l-${l}`,
            'lesson-2-q1',
            'concept-2',
            'lesson-2',
            0,
            t === 4 ? 1 : 0,
            at,
          ),
        );
      }
    }
    // A concept every learner always gets right: a fit with nothing to learn from wrong answers.
    for (let l = 0; l < 5; l++) {
      for (let t = 0; t < 400; t++) {
        const at = new Date(Date.parse('2026-11-01T00:00:00.000Z') + t * 1000).toISOString();
        statements.push(
          env.DB.prepare(ATTEMPT_LOG).bind(crypto.randomUUID(), `r-${l}`, 'lesson-3-q1', 'concept-3', 'lesson-3', 1, 1, at),
        );
      }
    }
    for (let i = 0; i < statements.length; i += 500) await env.DB.batch(statements.slice(i, i + 500));
    const fit = await (
      await api('/api/admin/mastery/fit-bkt', { method: 'POST', key, json: { dryRun: true } })
    ).json<{
      fitted: {
        concept: string;
        attempts: number;
        learners: number;
        prior: number;
        guess: number;
        slip: number;
        learn: number;
      }[];
    }>();
    const two = fit.fitted.find((f) => f.concept === 'concept-2');
    expect(two).toMatchObject({ attempts: 50 + 20 * 5, learners: 21 });
    const three = fit.fitted.find((f) => f.concept === 'concept-3');
    expect(three).toMatchObject({ attempts: 5 * 50, learners: 5 });
    for (const f of fit.fitted) {
      for (const value of [f.prior, f.learn, f.guess, f.slip]) expect(Number.isFinite(value)).toBe(true);
    }
  });
});

describe('choosing the knowledge-tracing model', () => {
  it('picks PFA when it predicts held-out learners better, and new answers then move mastery with it', async () => {
    const key = await givenCourse();
    // 60 learners of very different strength answering concepts 2 and 3 in turn: what a learner
    // did on one concept says much about the other, which PFA's overall counts use and BKT cannot.
    const random = seededRandom(7);
    const statements = [];
    for (let l = 0; l < 60; l++) {
      const strength = l % 3 === 0 ? 0.9 : l % 3 === 1 ? 0.55 : 0.2;
      for (let t = 0; t < 8; t++) {
        const [slug, concept] = t % 2 === 0 ? ['lesson-2', 'concept-2'] : ['lesson-3', 'concept-3'];
        const correct = random() < Math.min(0.97, strength + 0.02 * t);
        statements.push(
          env.DB.prepare(ATTEMPT_LOG).bind(
            crypto.randomUUID(),
            `l-${l}`,
            `${slug}-q1`,
            concept,
            slug,
            0,
            correct ? 1 : 0,
            `2026-11-01T00:00:0${t}.000Z`,
          ),
        );
      }
    }
    await env.DB.batch(statements.slice(0, 150));
    expect((await api('/api/admin/mastery/fit-kt', { method: 'POST', json: {} })).status).toBe(401);
    // 150 answers: too few to choose by measurement; BKT stays and nothing is stored.
    const few = await (await api('/api/admin/mastery/fit-kt', { method: 'POST', key, json: {} })).json<KtFit>();
    expect(few.courses).toEqual([
      expect.objectContaining({ course: 'test-course', attempts: 150, chosen: 'bkt', reason: 'too_few_answers', pfa: null }),
    ]);
    await env.DB.batch(statements.slice(150));
    const dry = await (await api('/api/admin/mastery/fit-kt', { method: 'POST', key, json: { dryRun: true } })).json<KtFit>();
    expect(dry.stored).toBe(false);
    expect(await env.DB.prepare('SELECT count(*) AS n FROM kt_models').first<{ n: number }>()).toEqual({ n: 0 });

    const fit = await (await api('/api/admin/mastery/fit-kt', { method: 'POST', key })).json<KtFit>();
    const course = fit.courses[0];
    expect(course).toMatchObject({
      course: 'test-course',
      attempts: 480,
      learners: 60,
      chosen: 'pfa',
      reason: 'held_out_log_loss',
    });
    expect(course?.heldOutLearners).toBeGreaterThan(0);
    expect(course?.pfa?.logLoss).toBeLessThan(course?.bkt?.logLoss ?? 0);
    // Right answers elsewhere raise the chance of a right one here.
    expect(course?.weights?.totalSuccess).toBeGreaterThan(0);
    const stored = await env.DB.prepare("SELECT * FROM kt_models WHERE course_id = 'test-course'").first<
      Record<string, number | string>
    >();
    expect(stored).toMatchObject({ chosen: 'pfa', attempts: 480, learners: 60 });
    const concepts = await env.DB.prepare('SELECT * FROM kt_concepts ORDER BY concept_id').all<{
      concept_id: string;
      easiness: number;
      success: number;
      failure: number;
    }>();
    expect(concepts.results.map((c) => c.concept_id)).toEqual(['concept-2', 'concept-3']);

    // A new learner: a right answer on concept 3, then one on concept 2, which PFA reads with the first.
    const { token } = await givenLearner(null);
    expect((await (await attempt(token, 'lesson-3-q1', 1)).json<Graded>()).correct).toBe(true);
    const graded = await (await attempt(token, 'lesson-2-q1', 1)).json<Graded>();
    const model: PfaModel = {
      intercept: Number(stored?.intercept),
      success: Number(stored?.success),
      failure: Number(stored?.failure),
      totalSuccess: Number(stored?.total_success),
      totalFailure: Number(stored?.total_failure),
      concepts: Object.fromEntries(concepts.results.map((c) => [c.concept_id, c])),
      items: {},
    };
    const expected = updateMastery(null, true, DEFAULT_BKT, {
      model,
      conceptId: 'concept-2',
      totals: { correct: 1, attempts: 1 },
    });
    expect(graded.mastery?.pKnown).toBeCloseTo(expected.pKnown, 12);
    expect(graded.mastery?.pKnown).not.toBeCloseTo(bktUpdate(DEFAULT_BKT.prior, true, DEFAULT_BKT), 3);
  });
});

interface KtFit {
  courses: {
    course: string;
    attempts: number;
    learners: number;
    heldOutLearners: number;
    chosen: 'bkt' | 'pfa';
    reason: string;
    bkt: { auc: number | null; logLoss: number } | null;
    pfa: { auc: number | null; logLoss: number } | null;
    weights: { totalSuccess: number } | null;
  }[];
  stored: boolean;
}

type FsrsFit = z.infer<typeof FsrsFitResponseSchema>;
const REVIEW_LOG = `INSERT INTO review_log (learner_id, event_id, course_id, item_id, grade, reviewed_at) VALUES (?, ?, 'test-course', ?, ?, ?)`;

/** Simulated learners' reviews (a memory process that is not FSRS) in the review log, under the given learner ids. */
async function givenReviewLog(learners: { id: string; cards: { at: number; grade: number }[][] }[]) {
  const statements = learners.flatMap((l) =>
    l.cards.flatMap((card, c) =>
      card.map((r) =>
        env.DB.prepare(REVIEW_LOG).bind(l.id, crypto.randomUUID(), `item-${c}`, r.grade, new Date(r.at).toISOString()),
      ),
    ),
  );
  for (let i = 0; i < statements.length; i += 500) await env.DB.batch(statements.slice(i, i + 500));
  return statements.length;
}

describe('fitting memory (FSRS)', () => {
  it('fits weights per course and per learner on earlier reviews, stores those that predict later ones better, and schedules with them', async () => {
    const key = await givenCourse();
    const weak = await givenLearner(null);
    const other = await givenLearner(null);
    // 40 learners with 10 cards of 6 reviews each; one learner (with a far weaker memory) with 40 cards.
    const crowd = simulateReviews({ learners: 40, cardsPerLearner: 10, reviewsPerCard: 6, seed: 4 });
    const [own] = simulateReviews({ learners: 1, cardsPerLearner: 40, reviewsPerCard: 6, seed: 5, memoryScale: 0.15 });
    await givenReviewLog(crowd.slice(0, 3));
    expect((await api('/api/admin/mastery/fit-fsrs', { method: 'POST', json: {} })).status).toBe(401);
    // 3 learners: too few reviews to fit; nothing is stored and the defaults stay.
    const few = await (await api('/api/admin/mastery/fit-fsrs', { method: 'POST', key, json: {} })).json<FsrsFit>();
    expect(few.courses).toEqual([
      expect.objectContaining({ course: 'test-course', learners: 3, reason: 'too_few_reviews', weights: null, prior: null }),
    ]);
    expect(few.courses[0]?.predictedReviews).toBe(3 * 10 * 5);
    await givenReviewLog([...crowd.slice(3), { id: weak.learnerId, cards: own?.cards ?? [] }]);

    const dry = await (await api('/api/admin/mastery/fit-fsrs', { method: 'POST', key, json: { dryRun: true } })).json<FsrsFit>();
    expect(dry.stored).toBe(false);
    expect(await env.DB.prepare('SELECT count(*) AS n FROM fsrs_params').first<{ n: number }>()).toEqual({ n: 0 });

    const fit = FsrsFitResponseSchema.parse(await (await api('/api/admin/mastery/fit-fsrs', { method: 'POST', key })).json());
    const course = fit.courses[0];
    expect(course).toMatchObject({ course: 'test-course', learners: 41, reason: 'later_reviews', predictedReviews: 2200 });
    expect(course?.trainReviews).toBeGreaterThan(1500);
    expect((course?.trainReviews ?? 0) + (course?.testReviews ?? 0)).toBe(2200);
    // The simulated memory is not FSRS's default one: the fit predicts the later reviews better.
    expect(course?.fitted?.logLoss).toBeLessThan(course?.prior?.logLoss ?? 0);
    expect(course?.fitted?.rmseBins).toBeLessThan(course?.prior?.rmseBins ?? 0);
    expect(course?.weights).toHaveLength(21);
    // Only the learner with 200 predicted reviews of their own is fitted (the others have 50).
    expect(course?.learnerFits).toMatchObject({ eligible: 1, evaluated: 1, improved: 1, leftForLater: 0 });
    expect(course?.learnerFits.fitted?.logLoss).toBeLessThan(course?.learnerFits.prior?.logLoss ?? 0);
    const rows = await env.DB.prepare('SELECT learner_id, weights, reviews FROM fsrs_params ORDER BY learner_id').all<{
      learner_id: string;
      weights: string;
      reviews: number;
    }>();
    expect(rows.results.map((r) => [r.learner_id, r.reviews])).toEqual([
      ['', 40 * 10 * 6 + 40 * 6],
      [weak.learnerId, 40 * 6],
    ]);
    const [courseWeights, learnerWeights] = rows.results.map((r) => JSON.parse(r.weights) as number[]);
    expect(courseWeights).toEqual(course?.weights);
    expect(learnerWeights).not.toEqual(courseWeights);

    // Their next answers schedule with their own weights; another learner's with the course's.
    await attempt(weak.token, 'lesson-2-q1', 1);
    await attempt(other.token, 'lesson-2-q1', 1);
    // A right first answer is graded "good": its stability is w2 (at least 0.1 day), its forgetting curve's decay w20.
    const card = async (learnerId: string) =>
      (
        await learnerSql<{ stability: number; decay: number | null }>(
          learnerId,
          "SELECT stability, decay FROM review_cards WHERE item_id = 'lesson-2-q1'",
        )
      )[0];
    expect(await card(weak.learnerId)).toEqual({
      stability: Math.max(0.1, learnerWeights?.[2] ?? 0),
      decay: learnerWeights?.[20],
    });
    expect(await card(other.learnerId)).toEqual({
      stability: Math.max(0.1, courseWeights?.[2] ?? 0),
      decay: courseWeights?.[20],
    });
  }, 60_000);

  it("measures a learner's own fit against the course weights stored by an earlier fit when this run fits none", async () => {
    const key = await givenCourse();
    const weak = await givenLearner(null);
    // One learner with 150 predicted reviews: too few for a course fit (200), enough for their own (100).
    const [own] = simulateReviews({ learners: 1, cardsPerLearner: 30, reviewsPerCard: 6, seed: 5, memoryScale: 0.15 });
    await givenReviewLog([{ id: weak.learnerId, cards: own?.cards ?? [] }]);
    const learnerFit = async () => {
      const response = await api('/api/admin/mastery/fit-fsrs', { method: 'POST', key, json: { dryRun: true } });
      const [course] = FsrsFitResponseSchema.parse(await response.json()).courses;
      expect(course).toMatchObject({ reason: 'too_few_reviews', learnerFits: { eligible: 1, evaluated: 1 } });
      return course?.learnerFits;
    };
    const fromDefaults = await learnerFit();
    // An earlier fit stored the course's weights: stabilities a fifth of the defaults'.
    const stored = DEFAULT_FSRS_WEIGHTS.map((w, i) => (i < 4 ? w / 5 : w));
    await env.DB.prepare(
      "INSERT INTO fsrs_params (course_id, learner_id, weights, reviews, report, fitted_at) VALUES ('test-course', '', ?, 500, '{}', ?)",
    )
      .bind(JSON.stringify(stored), new Date().toISOString())
      .run();
    const fromStored = await learnerFit();
    // The learner's later reviews are scored under the stored weights (what they schedule with), not the defaults.
    expect(fromStored?.testReviews).toBe(fromDefaults?.testReviews);
    expect(fromStored?.prior?.logLoss).not.toBeCloseTo(fromDefaults?.prior?.logLoss ?? 0, 3);
    expect(fromStored?.prior?.logLoss).toBeLessThan(fromDefaults?.prior?.logLoss ?? 0);
  }, 60_000);
});

describe('refitting the learner model from the cron', () => {
  it('runs one due fit per cron run, each weekly, and the FSRS fit stores weights from the review log', async () => {
    await givenCourse();
    await givenReviewLog(simulateReviews({ learners: 40, cardsPerLearner: 10, reviewsPerCard: 6, seed: 4 }));
    const deps = depsFor(env, {});
    const now = new Date('2026-12-01T00:00:00.000Z');
    const runs = [];
    for (let i = 0; i < 5; i++) runs.push(await refitModelsWhenDue(deps, new Date(now.getTime() + i * 600_000)));
    expect(runs).toEqual(['bkt', 'kt', 'irt', 'fsrs', null]);
    const stored = await env.DB.prepare('SELECT learner_id, fitted_at FROM fsrs_params').all<{
      learner_id: string;
      fitted_at: string;
    }>();
    expect(stored.results).toEqual([{ learner_id: '', fitted_at: new Date(now.getTime() + 3 * 600_000).toISOString() }]);
    // A week after its last run, each fit is due again, in turn.
    expect(await refitModelsWhenDue(deps, new Date(now.getTime() + REFIT_EVERY_DAYS * 86_400_000))).toBe('bkt');
    expect(await refitModelsWhenDue(deps, new Date(now.getTime() + REFIT_EVERY_DAYS * 86_400_000 + 1))).toBe(null);
  }, 60_000);
});

describe('calibrating items', () => {
  it("fits items' difficulty from first answers, flags the misbehaving ones, and the quiz then uses the fit", async () => {
    const key = await givenCourse();
    // 40 learners: "hard-item" (author: 5) turns out easy, "easy-item" (author: 1) turns out hard,
    // everyone gets "mid-item" right, and a second try at an item never counts.
    const random = seededRandom(11);
    const statements: D1PreparedStatement[] = [];
    for (let l = 0; l < 40; l++) {
      const answers: [string, boolean][] = [
        ['hard-item', random() < 0.9],
        ['easy-item', random() < 0.3],
        ['mid-item', true],
        ['easy-item', true],
      ];
      answers.forEach(([itemId, correct], t) =>
        statements.push(
          env.DB.prepare(ATTEMPT_LOG).bind(
            crypto.randomUUID(),
            `l-${l}`,
            itemId,
            'concept-1',
            'lesson-1',
            0,
            correct ? 1 : 0,
            `2026-11-01T00:00:0${t}.000Z`,
          ),
        ),
      );
    }
    await env.DB.batch(statements);
    expect((await api('/api/admin/mastery/fit-irt', { method: 'POST', json: {} })).status).toBe(401);
    const dry = await (await api('/api/admin/mastery/fit-irt', { method: 'POST', key, json: { dryRun: true } })).json<IrtFit>();
    expect(dry.stored).toBe(false);
    expect(await env.DB.prepare('SELECT count(*) AS n FROM item_calibrations').first<{ n: number }>()).toEqual({ n: 0 });

    const fit = await (await api('/api/admin/mastery/fit-irt', { method: 'POST', key })).json<IrtFit>();
    const items = new Map(fit.courses.find((c) => c.course === 'test-course')?.items.map((i) => [i.item, i]));
    expect(items.get('easy-item')).toMatchObject({ answers: 40, priorB: -2, discriminationFitted: false, a: 1 });
    expect(items.get('hard-item')?.priorB).toBe(2);
    expect(items.get('hard-item')?.b ?? 9).toBeLessThan(items.get('easy-item')?.b ?? -9);
    expect(items.get('mid-item')?.flags).toEqual(['everyone_right']);

    // A new learner's right answer to "hard-item" now moves their ability as the calibrated item says.
    const { token } = await givenLearner(null);
    expect((await (await attempt(token, 'hard-item', 0)).json<Graded>()).correct).toBe(true);
    const hard = items.get('hard-item');
    const expected = updateAbility(PRIOR_ABILITY, { a: hard?.a ?? 1, b: hard?.b ?? 0, c: 0.25, d: 1 }, true);
    const after = await next(token);
    expect(after.ability.theta).toBeCloseTo(expected.theta, 10);
    expect(after.ability.theta).not.toBeCloseTo(updateAbility(PRIOR_ABILITY, { a: 1, b: 2, c: 0.25, d: 1 }, true).theta, 2);
  });
});

interface IrtFit {
  courses: {
    course: string;
    items: {
      item: string;
      answers: number;
      priorB: number;
      a: number;
      b: number;
      discriminationFitted: boolean;
      flags: string[];
    }[];
  }[];
  stored: boolean;
}

describe('concepts an author links across courses', () => {
  type Mastery = { concepts: { concept: string; course: string; pKnown: number; attempts: number }[] };
  const masteryOf = async (token: string) => {
    const { concepts } = await (await api('/api/learners/me/mastery', { key: token })).json<Mastery>();
    return Object.fromEntries(concepts.map((c) => [`${c.course} ${c.concept}`, [c.pKnown, c.attempts]]));
  };
  const otherCourse = (conceptLinks?: Manifest['course']['conceptLinks']) =>
    buildCourse(4, {}, { slug: 'other-course', title: 'Other', ...(conceptLinks ? { conceptLinks } : {}) }, { prefix: 'py-' });

  it('moves the mastery of both with an answer on either; an unlinked slug two courses use stays two concepts', async () => {
    const key = await givenAuthorKey();
    // Linked before the default course is in the catalog: the link holds once that course has the concepts.
    await push(
      await otherCourse([
        { concept: 'concept-2', course: 'test-course' },
        { concept: 'concept-3', course: 'test-course', courseConcept: 'concept-1' },
      ]),
      key,
    );
    await push(await buildCourse(6), key);
    const { token } = await givenLearner(null);
    // Each side's concept page names the other; without a course, a concept is the catalog's and links nothing.
    const linkedOf = async (path: string) => (await (await api(path)).json<{ linked: unknown[] }>()).linked;
    expect(await linkedOf('/api/concepts/concept-3?course=other-course')).toEqual([
      { course: 'test-course', courseTitle: 'Test course', id: 'concept-1', label: 'Concept 1' },
    ]);
    expect(await linkedOf('/api/concepts/concept-1?course=test-course')).toEqual([
      { course: 'other-course', courseTitle: 'Other', id: 'concept-3', label: 'Concept 3' },
    ]);
    expect(await linkedOf('/api/concepts/concept-4?course=test-course')).toEqual([]);
    expect(await linkedOf('/api/concepts/concept-1')).toEqual([]);

    await attempt(token, 'lesson-2-q1', 1);
    let m = await masteryOf(token);
    expect(m['other-course concept-2']).toEqual(m['test-course concept-2']);
    expect(m['test-course concept-2']?.[1]).toBe(1);

    // Declared from the other course's side, to a concept of another slug, it holds both ways.
    await attempt(token, 'py-lesson-3-q1', 1);
    await attempt(token, 'lesson-1-q1', 0);
    m = await masteryOf(token);
    expect(m['test-course concept-1']).toEqual(m['other-course concept-3']);
    expect(m['test-course concept-1']?.[1]).toBe(2);

    // concept-4 is in both courses, unlinked: an answer in one leaves the other unanswered.
    await attempt(token, 'lesson-4-q1', 1);
    m = await masteryOf(token);
    expect([m['test-course concept-4']?.[1], m['other-course concept-4']?.[1]]).toEqual([1, 0]);

    // A push without the links unlinks them: the next answer moves its own course's concept only.
    await push(await otherCourse(), key);
    await attempt(token, 'lesson-2-q1', 1);
    m = await masteryOf(token);
    expect([m['test-course concept-2']?.[1], m['other-course concept-2']?.[1]]).toEqual([2, 1]);
  });

  it('refuses a link to a concept the course does not have, to its own course, or twice, and keeps the links it had', async () => {
    const key = await givenAuthorKey();
    await push(await buildCourse(6), key);
    await push(await otherCourse([{ concept: 'concept-2', course: 'test-course' }]), key);
    const cases: [Manifest['course']['conceptLinks'], string, RegExp, number][] = [
      [
        [{ concept: 'no-such-concept', course: 'test-course' }],
        'json/course/conceptLinks/0/concept',
        /not a concept of this course/,
        422,
      ],
      [
        [{ concept: 'concept-1', course: 'other-course' }],
        'json/course/conceptLinks/0/course',
        /another course, not its own/,
        422,
      ],
      [
        [
          { concept: 'concept-1', course: 'test-course' },
          { concept: 'concept-1', course: 'test-course', courseConcept: 'concept-2' },
        ],
        'json/course/conceptLinks/1',
        /twice/,
        422,
      ],
      [[{ concept: 'Concept 1', course: 'test-course' }], 'json/course/conceptLinks/0/concept', /kebab-case/, 400],
    ];
    for (const [conceptLinks, field, message, status] of cases) {
      const { manifest } = await otherCourse(conceptLinks);
      for (const step of ['plan', 'commit']) {
        const res = await api(`/api/admin/content/${step}`, { method: 'POST', key, json: manifest });
        const problem = await res.json<Problem>();
        // A malformed slug is the schema's 400; a link the course cannot make, 422.
        expect([step, res.status, res.headers.get('content-type')]).toEqual([step, status, 'application/problem+json']);
        expect(problem.errors?.find((e) => e.field === field)?.message ?? JSON.stringify(problem)).toMatch(message);
      }
    }
    const { results } = await env.DB.prepare(
      'SELECT course_id, concept_id, linked_course_id, linked_concept_id FROM concept_links',
    ).all();
    expect(results).toEqual([
      { course_id: 'other-course', concept_id: 'concept-2', linked_course_id: 'test-course', linked_concept_id: 'concept-2' },
    ]);
  });

  it('removing a course removes the links it declared', async () => {
    const key = await givenAuthorKey();
    await push(await buildCourse(6), key);
    await push(await otherCourse([{ concept: 'concept-2', course: 'test-course' }]), key);
    const removed = await api('/api/admin/content/courses/other-course?confirm=other-course', { method: 'DELETE', key });
    expect(removed.status).toBe(200);
    expect((await env.DB.prepare('SELECT count(*) AS n FROM concept_links').first<{ n: number }>())?.n).toBe(0);
  });
});
