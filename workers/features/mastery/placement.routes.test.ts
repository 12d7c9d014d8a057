import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { api, buildCourse, givenAuthorKey, givenLearner, learnerSql, push } from '../../test/builders';

interface Placement {
  id: string;
  status: 'active' | 'finished';
  answered: number;
  maxItems: number;
  ability: { theta: number; se: number };
  item: { id: string; question: string; choices: string[]; conceptId: string } | null;
  last: { itemId: string; correct: boolean; rightAnswer: number } | null;
  result: {
    right: number;
    answered: number;
    concepts: { conceptId: string; pKnown: number; level: string; tested: boolean }[];
    lessonsUnlocked: { slug: string; title: string }[];
  } | null;
}

/** Eight lessons in a chain, each needing the one before; one question each (the right answer is 1 of 3). */
async function givenCourse() {
  await push(await buildCourse(8), await givenAuthorKey());
}

const start = (token: string, json: unknown = {}) => api('/api/placement', { method: 'POST', key: token, json });
const answer = (token: string, id: string, itemId: string, choice: number) =>
  api(`/api/placement/${id}/answers`, { method: 'POST', key: token, json: { itemId, answer: choice } });

/** Answers every question the test asks (right, or wrong) until it ends. */
async function takeTest(token: string, right: boolean): Promise<Placement> {
  let state = await (await start(token)).json<Placement>();
  while (state.status === 'active' && state.item) {
    const response = await answer(token, state.id, state.item.id, right ? 1 : 0);
    expect(response.status).toBe(200);
    state = await response.json<Placement>();
  }
  return state;
}

const lessonSlugs = async (token: string) =>
  (
    await (await api('/api/recommendations?limit=10', { key: token })).json<{ items: { kind: string; lessonSlug: string }[] }>()
  ).items
    .filter((i) => i.kind === 'lesson')
    .map((i) => i.lessonSlug);

describe('placement test', () => {
  it('places a learner who knows the course: their concepts mastered, the lessons after the first unlocked and recommended', async () => {
    await givenCourse();
    const { token, learnerId } = await givenLearner();
    expect(await lessonSlugs(token)).toEqual(['lesson-1']);
    const expert = await takeTest(token, true);
    expect(expert.status).toBe('finished');
    expect(expert.item).toBeNull();
    expect(expert.answered).toBeGreaterThanOrEqual(6);
    expect(expert.answered).toBeLessThanOrEqual(8);
    // Eight easy questions with a one-in-three guess: right answers move the ability, but not far.
    expect(expert.ability.theta).toBeGreaterThan(0.5);
    expect(expert.result?.right).toBe(expert.answered);
    // Every concept tested is mastered; an untested one needs the ability's lower bound to vouch for it.
    for (const c of expert.result?.concepts.filter((x) => x.tested) ?? []) expect(c.level).toBe('mastered');
    const unlocked = expert.result?.lessonsUnlocked.map((l) => l.slug) ?? [];
    expect(unlocked.length).toBeGreaterThanOrEqual(5);
    expect(unlocked).not.toContain('lesson-1');
    // Recommendations now reach past the first lesson, and the mastery is the learner's.
    expect((await lessonSlugs(token)).some((slug) => slug !== 'lesson-1')).toBe(true);
    const mastered = await learnerSql(
      learnerId,
      'SELECT concept_id FROM concept_mastery WHERE p_known >= 0.95 ORDER BY concept_id',
    );
    expect(mastered.length).toBeGreaterThanOrEqual(6);
    // The result stays readable, and the session is in the learner's data.
    expect(await (await api('/api/placement', { key: token })).json<Placement>()).toMatchObject({
      id: expert.id,
      status: 'finished',
    });
    expect(await learnerSql(learnerId, 'SELECT status FROM placement_sessions')).toEqual([{ status: 'finished' }]);
  });

  it('unlocks nothing for a learner who misses every question, and never lowers mastery they had', async () => {
    await givenCourse();
    const { token, learnerId } = await givenLearner();
    // A right quiz answer on concept-1 first.
    await api('/api/quizzes/attempts', {
      method: 'POST',
      key: token,
      json: { eventId: crypto.randomUUID(), itemId: 'lesson-1-q1', answer: 1 },
    });
    const [had] = await learnerSql(learnerId, "SELECT p_known FROM concept_mastery WHERE concept_id = 'concept-1'");
    const novice = await takeTest(token, false);
    expect(novice.status).toBe('finished');
    expect(novice.ability.theta).toBeLessThan(-1);
    expect(novice.result?.lessonsUnlocked).toEqual([]);
    expect(await learnerSql(learnerId, "SELECT p_known FROM concept_mastery WHERE concept_id = 'concept-1'")).toEqual([had]);
  });

  it('goes on with the test under way, restarts on request, and answers bad input with a problem', async () => {
    await givenCourse();
    const { token } = await givenLearner();
    // Not started: a 404 whose code tells it from a missing course or test.
    const none = await api('/api/placement', { key: token });
    expect(none.status).toBe(404);
    expect(await none.json()).toMatchObject({ code: 'not_started' });
    const first = await start(token);
    expect(first.status).toBe(201);
    const test = await first.json<Placement>();
    expect(test).toMatchObject({ status: 'active', answered: 0, maxItems: 8, ability: { theta: 0, se: 1 } });
    expect(test.item?.choices).toEqual(['a', 'b', 'c']);
    expect(test.item).not.toHaveProperty('answer');
    // Starting again goes on with it.
    const again = await start(token);
    expect(again.status).toBe(200);
    expect((await again.json<Placement>()).id).toBe(test.id);
    const itemId = test.item?.id ?? '';

    // Another question than the one asked: 409. An option past the last: 400 naming the field.
    expect((await answer(token, test.id, itemId === 'lesson-2-q1' ? 'lesson-3-q1' : 'lesson-2-q1', 1)).status).toBe(409);
    const tooFar = await answer(token, test.id, itemId, 3);
    expect(tooFar.status).toBe(400);
    expect((await tooFar.json<{ errors: { field: string }[] }>()).errors).toEqual([
      expect.objectContaining({ field: 'json/answer' }),
    ]);
    expect((await answer(token, 'pl_doesnotexist', itemId, 1)).status).toBe(404);
    expect((await answer(token, 'not-an-id', itemId, 1)).status).toBe(400);
    const negative = await api(`/api/placement/${test.id}/answers`, { method: 'POST', key: token, json: { itemId, answer: -1 } });
    expect(negative.status).toBe(400);
    expect((await start(token, { restart: 'yes' })).status).toBe(400);
    expect((await api('/api/placement', { method: 'POST', json: {} })).status).toBe(401);

    // Two answers to one question at once: one counts, the other is told it came second.
    const both = await Promise.all([answer(token, test.id, itemId, 1), answer(token, test.id, itemId, 0)]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    const after = await (await api('/api/placement', { key: token })).json<Placement>();
    expect(after.answered).toBe(1);
    expect(after.last?.itemId).toBe(itemId);

    // A restart starts a new test; the old one can no longer be answered.
    const restarted = await start(token, { restart: true });
    expect(restarted.status).toBe(201);
    const fresh = await restarted.json<Placement>();
    expect(fresh.id).not.toBe(test.id);
    expect(fresh.answered).toBe(0);
  });

  it('places a learner in the course asked for, its mastery that course’s only, and answers in that course', async () => {
    const key = await givenAuthorKey();
    await push(await buildCourse(8), key);
    await push(await buildCourse(6, {}, { slug: 'other-course', title: 'Other' }, { prefix: 'py-' }), key);
    const { token, learnerId } = await givenLearner();
    let state = await (
      await api('/api/placement?course=other-course', { method: 'POST', key: token, json: {} })
    ).json<Placement & { course: string }>();
    expect(state.course).toBe('other-course');
    expect(state.item?.id.startsWith('py-')).toBe(true);
    while (state.status === 'active' && state.item) {
      state = await (await answer(token, state.id, state.item.id, 1)).json<Placement & { course: string }>();
      expect(state.item === null || state.item.id.startsWith('py-')).toBe(true);
    }
    expect(state).toMatchObject({ status: 'finished', course: 'other-course' });
    expect(state.result?.lessonsUnlocked.every((l) => l.slug.startsWith('py-'))).toBe(true);
    expect(state.result?.lessonsUnlocked.length).toBeGreaterThan(0);
    const courses = await learnerSql(learnerId, 'SELECT DISTINCT course_id FROM concept_mastery');
    expect(courses).toEqual([{ course_id: 'other-course' }]);
    // The default course has no test of this learner's yet; its own is separate.
    expect((await api('/api/placement', { key: token })).status).toBe(404);
    expect(await (await api('/api/placement?course=other-course', { key: token })).json()).toMatchObject({ id: state.id });
    // A course the catalog does not hold: 404 naming the field.
    for (const method of ['GET', 'POST'] as const) {
      const refused = await api('/api/placement?course=no-such-course', {
        method,
        key: token,
        ...(method === 'POST' ? { json: {} } : {}),
      });
      expect(refused.status).toBe(404);
      expect((await refused.json<{ errors?: { field: string }[] }>()).errors?.map((e) => e.field)).toEqual(['query/course']);
    }
  });

  it('places a concept an author linked to another course’s in that course too, and no other concept there', async () => {
    const key = await givenAuthorKey();
    await push(await buildCourse(8), key);
    await push(
      await buildCourse(
        6,
        {},
        { slug: 'other-course', title: 'Other', conceptLinks: [{ concept: 'concept-2', course: 'test-course' }] },
        { prefix: 'py-' },
      ),
      key,
    );
    const { token, learnerId } = await givenLearner();
    let state = await (
      await api('/api/placement?course=other-course', { method: 'POST', key: token, json: {} })
    ).json<Placement>();
    while (state.status === 'active' && state.item) {
      state = await (await answer(token, state.id, state.item.id, 1)).json<Placement>();
    }
    expect(state.status).toBe('finished');
    const rows = await learnerSql(
      learnerId,
      "SELECT course_id, p_known FROM concept_mastery WHERE concept_id = 'concept-2' OR course_id = 'test-course' ORDER BY course_id",
    );
    const placed = state.result?.concepts.find((c) => c.conceptId === 'concept-2')?.pKnown;
    expect(rows).toEqual([
      { course_id: 'other-course', p_known: placed },
      { course_id: 'test-course', p_known: placed },
    ]);
  });

  it("places with the course's own BKT fit, not another course's fit of the same concept slug", async () => {
    const key = await givenAuthorKey();
    await push(await buildCourse(8), key);
    await push(await buildCourse(6, {}, { slug: 'other-course', title: 'Other' }, { prefix: 'py-' }), key);
    const placeInOther = async () => {
      const { token } = await givenLearner();
      let state = await (
        await api('/api/placement?course=other-course', { method: 'POST', key: token, json: {} })
      ).json<Placement>();
      while (state.status === 'active' && state.item) {
        state = await (await answer(token, state.id, state.item.id, 0)).json<Placement>();
      }
      return state.result?.concepts.map((c) => [c.conceptId, c.pKnown]);
    };
    const unfitted = await placeInOther();
    // The default course fits its concepts (the same slugs) far from the defaults; the other course keeps the defaults.
    await env.DB.batch(
      [1, 2, 3, 4, 5, 6].map((n) =>
        env.DB.prepare(
          "INSERT INTO bkt_params (course_id, concept_id, prior, learn, guess, slip, forget, attempts, learners, fitted_at) VALUES ('test-course', ?, 0.9, 0.4, 0.45, 0.01, 0, 500, 50, '2026-12-01T00:00:00.000Z')",
        ).bind(`concept-${n}`),
      ),
    );
    expect(await placeInOther()).toEqual(unfitted);
  });

  it('needs a course with questions', async () => {
    const { token } = await givenLearner();
    const response = await start(token);
    expect(response.status).toBe(404);
  });
});
