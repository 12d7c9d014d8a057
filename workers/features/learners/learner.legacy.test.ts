import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { api, buildCourse, givenAuthorKey, learnerSql, PREFERENCES, push } from '../../test/builders';
import { LEGACY_LEARNER_TABLES } from './learner.legacy';
import { signLearnerToken } from './learners.token';

/** Writes a learner the way the D1-only platform stored one: a profile, history, events and their aggregates. */
async function givenLegacyLearner(learnerId: string) {
  const quizEvent = crypto.randomUUID();
  const completed = crypto.randomUUID();
  const prefs = JSON.stringify({ ...PREFERENCES, goals: ['basics'] });
  const at = '2026-11-20T10:00:00.000Z';
  const card = [at, 2.3, 5.1, 0, 0, 1, 1, 0, 1, at];
  await env.DB.batch([
    env.DB.prepare(
      'INSERT INTO learners (id, created_at, onboarded_at, preferences, preferences_hash, answers) VALUES (?, ?, ?, ?, ?, ?)',
    ).bind(learnerId, '2026-11-01T00:00:00.000Z', at, prefs, 'hash-1', '{}'),
    env.DB.prepare('INSERT INTO preference_history (learner_id, preferences, source, changed_at) VALUES (?, ?, ?, ?)').bind(
      learnerId,
      prefs,
      'onboarding',
      at,
    ),
    env.DB.prepare(
      'INSERT INTO learner_events (event_id, learner_id, type, occurred_at, received_at, payload, applied_by) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).bind(completed, learnerId, 'lesson.completed', at, at, JSON.stringify({ lessonSlug: 'lesson-1' }), 'x'),
    env.DB.prepare(
      'INSERT INTO learner_events (event_id, learner_id, type, occurred_at, received_at, payload, applied_by) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).bind(quizEvent, learnerId, 'quiz.attempted', at, at, JSON.stringify({ itemId: 'lesson-1-q1', answer: 1 }), 'x'),
    env.DB.prepare(
      'INSERT INTO lesson_progress (learner_id, lesson_slug, started_at, completed_at, active_seconds, last_activity_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).bind(learnerId, 'lesson-1', at, at, 300, at),
    env.DB.prepare('INSERT INTO daily_activity (learner_id, day, active_seconds, events) VALUES (?, ?, ?, ?)').bind(
      learnerId,
      '2026-11-20',
      300,
      2,
    ),
    env.DB.prepare('INSERT INTO learner_model (learner_id, version, theta, theta_se, updated_at) VALUES (?, ?, ?, ?, ?)').bind(
      learnerId,
      1,
      0.4,
      0.8,
      at,
    ),
    env.DB.prepare(
      'INSERT INTO concept_mastery (learner_id, concept_id, p_known, attempts, correct, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).bind(learnerId, 'concept-1', 0.7, 1, 1, at),
    env.DB.prepare(
      'INSERT INTO quiz_attempts (event_id, learner_id, item_id, concept_id, answer, correct, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).bind(quizEvent, learnerId, 'lesson-1-q1', 'concept-1', 1, 1, at),
    env.DB.prepare(
      `INSERT INTO review_cards (learner_id, item_id, concept_id, due, stability, difficulty, elapsed_days, scheduled_days,
         learning_steps, reps, lapses, state, last_review) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).bind(learnerId, 'lesson-1-q1', 'concept-1', ...card),
    env.DB.prepare('INSERT INTO learner_goals (learner_id, type, target_id, target_date, set_at) VALUES (?, ?, ?, ?, ?)').bind(
      learnerId,
      'lesson',
      'lesson-3',
      null,
      at,
    ),
    env.DB.prepare(
      'INSERT INTO recommendation_feedback (learner_id, recommendation_id, action, rating, at) VALUES (?, ?, ?, ?, ?)',
    ).bind(learnerId, 'lesson:lesson-4', 'dismissed', null, new Date().toISOString()),
    env.DB.prepare('INSERT INTO generation_budgets (learner_id, day, used) VALUES (?, ?, ?)').bind(learnerId, '2026-11-20', 3),
  ]);
  return { quizEvent, completed };
}

async function legacyRows(learnerId: string): Promise<number> {
  let n = 0;
  for (const table of ['learners', ...LEGACY_LEARNER_TABLES]) {
    const column = table === 'learners' ? 'id' : 'learner_id';
    n +=
      (await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${column} = ?`).bind(learnerId).first<{ n: number }>())
        ?.n ?? 0;
  }
  return n;
}

/** Everything the object holds, table by table, for comparing before and after a rerun. */
async function objectRows(learnerId: string) {
  const tables = ['profile', 'preference_history', 'events', 'lesson_progress', 'daily_activity', 'ability'];
  const more = ['concept_mastery', 'attempts', 'review_cards', 'goal', 'recommendation_feedback', 'generation_budgets'];
  const all: Record<string, unknown[]> = {};
  for (const table of [...tables, ...more]) all[table] = await learnerSql(learnerId, `SELECT * FROM ${table} ORDER BY 1`);
  return all;
}

const tokenOf = async (learnerId: string) => (await signLearnerToken(env.LEARNER_TOKEN_SECRET, learnerId, new Date())).token;

describe('moving learners from D1 into their objects', () => {
  it('moves every learner with the command, safely rerun twice, and serves them from their object', async () => {
    const key = await givenAuthorKey({ scopes: ['admin'] });
    await push(await buildCourse(4), key);
    const ids = ['lrn_legacyAAAAAAAAAAAAAAAA', 'lrn_legacyBBBBBBBBBBBBBBBB'];
    const events = [];
    for (const id of ids) events.push(await givenLegacyLearner(id));
    const move = () => api('/api/admin/learners/move', { method: 'POST', key, json: { limit: 1 } });

    expect(await (await move()).json()).toEqual({ moved: 1, cleaned: 0, remaining: 1 });
    expect(await (await move()).json()).toEqual({ moved: 1, cleaned: 0, remaining: 0 });
    const after = await Promise.all(ids.map(objectRows));
    // Rerun twice: nothing moves again and nothing in the objects changes.
    for (let i = 0; i < 2; i++) expect(await (await move()).json()).toEqual({ moved: 0, cleaned: 0, remaining: 0 });
    expect(await Promise.all(ids.map(objectRows))).toEqual(after);
    for (const id of ids) expect(await legacyRows(id)).toBe(0);

    const [id] = ids;
    if (!id) throw new Error('no learner');
    const rows = after[0];
    expect(rows?.events).toHaveLength(2);
    expect(rows?.attempts).toMatchObject([{ item_id: 'lesson-1-q1', correct: 1, course_id: 'test-course' }]);
    expect(rows?.lesson_progress).toMatchObject([{ course_id: 'test-course', lesson_slug: 'lesson-1', active_seconds: 300 }]);
    expect(rows?.preference_history).toHaveLength(1);

    // Served from the object: the profile, progress, goal, the model and the budget as they were in D1.
    const token = await tokenOf(id);
    expect(await (await api('/api/learners/me', { key: token })).json()).toMatchObject({ learnerId: id, onboarded: true });
    const progress = await (await api('/api/progress', { key: token })).json<{ lessons: { completed: number } }>();
    expect(progress.lessons.completed).toBe(1);
    expect(await (await api('/api/learners/me/goal', { key: token })).json()).toEqual({
      goal: { type: 'lesson', id: 'lesson-3', targetDate: null, course: null },
    });
    const quiz = await (await api('/api/quizzes/lesson-1/next', { key: token })).json<{ ability: { theta: number } }>();
    expect(quiz.ability.theta).toBe(0.4);
    // An event applied in D1 before the move is still a repeat.
    const repeat = await api('/api/quizzes/attempts', {
      method: 'POST',
      key: token,
      json: { eventId: events[0]?.quizEvent, itemId: 'lesson-1-q1', answer: 1 },
    });
    expect(await repeat.json()).toMatchObject({ applied: false, correct: true });
  });

  it('moves a learner on their first request, once, even when requests arrive together', async () => {
    const key = await givenAuthorKey();
    await push(await buildCourse(4), key);
    const id = 'lrn_legacyCCCCCCCCCCCCCCCC';
    await givenLegacyLearner(id);
    const token = await tokenOf(id);
    const responses = await Promise.all(
      ['/api/learners/me', '/api/progress', '/api/learners/me/mastery', '/api/reviews/due'].map((path) =>
        api(path, { key: token }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(await legacyRows(id)).toBe(0);
    expect(await learnerSql(id, 'SELECT count(*) AS n FROM preference_history')).toEqual([{ n: 1 }]);
    expect(await learnerSql(id, 'SELECT moved_at IS NOT NULL AS moved FROM profile')).toEqual([{ moved: 1 }]);
  });

  it('deletes D1 rows left by a move that stopped before deleting them, changing nothing in the object', async () => {
    const key = await givenAuthorKey({ scopes: ['admin'] });
    await push(await buildCourse(4), key);
    const id = 'lrn_legacyDDDDDDDDDDDDDDDD';
    await givenLegacyLearner(id);
    await api('/api/admin/learners/move', { method: 'POST', key, json: {} });
    const moved = await objectRows(id);
    // The rows are back in D1, as if the delete after the import had not happened.
    await givenLegacyLearner(id);
    expect(await (await api('/api/admin/learners/move', { method: 'POST', key, json: {} })).json()).toEqual({
      moved: 0,
      cleaned: 1,
      remaining: 0,
    });
    expect(await legacyRows(id)).toBe(0);
    const again = await objectRows(id);
    // The object kept its own rows; the second copy's new event ids are not added to its log.
    expect(again.profile).toEqual(moved.profile);
    expect(again.preference_history).toEqual(moved.preference_history);
  });

  it('needs the admin scope and answers bad input with problems', async () => {
    const writer = await givenAuthorKey({ scopes: ['content:write'] });
    const admin = await givenAuthorKey({ scopes: ['admin'] });
    expect((await api('/api/admin/learners/move', { method: 'POST', json: {} })).status).toBe(401);
    expect((await api('/api/admin/learners/move', { method: 'POST', key: writer, json: {} })).status).toBe(403);
    for (const [json, field] of [
      [{ limit: 0 }, 'json/limit'],
      [{ limit: 201 }, 'json/limit'],
      [{ limit: 'all' }, 'json/limit'],
      [{ limit: 5, extra: true }, 'json/extra'],
    ] as const) {
      const response = await api('/api/admin/learners/move', { method: 'POST', key: admin, json });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      const problem = await response.json<{ errors: { field: string }[] }>();
      expect(problem.errors.map((e) => e.field).join(' ')).toContain(field);
    }
  });
});
