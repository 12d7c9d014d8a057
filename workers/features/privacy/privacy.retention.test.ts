import {
  createExecutionContext,
  createScheduledController,
  env,
  runDurableObjectAlarm,
  runInDurableObject,
} from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../index';
import { api, buildCourse, d1Rows, givenAuthorKey, givenLearner, learnerSql, learnerHandle, push } from '../../test/builders';

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

describe('retention of raw events', () => {
  it("deletes a learner's events older than 18 months on the object's alarm, keeps what they changed, and comes back for the next", async () => {
    await push(await buildCourse(2), await givenAuthorKey());
    const { token, learnerId } = await givenLearner();
    // A start (no delta for the shared tables): the object still sets an alarm, for retention.
    await api('/api/progress/lessons/lesson-1/start', { method: 'POST', key: token, json: { eventId: crypto.randomUUID() } });
    const insert = (id: string, at: string) =>
      learnerSql(
        learnerId,
        `INSERT INTO events (event_id, type, course_id, occurred_at, received_at, payload, fingerprint)
         VALUES ('${id}', 'lesson.started', 'test-course', '${at}', '${at}', '{"lessonSlug":"lesson-1"}', 'f')`,
      );
    await insert('old-1', ago(600));
    await insert('old-2', ago(549));
    await insert('kept', ago(500));
    const object = learnerHandle(learnerId);
    expect(await runInDurableObject(object, (_i, state) => state.storage.getAlarm())).not.toBeNull();

    expect(await runDurableObjectAlarm(object)).toBe(true);
    const left = await learnerSql<{ event_id: string }>(learnerId, 'SELECT event_id FROM events ORDER BY occurred_at');
    expect(left.map((e) => e.event_id).slice(0, 1)).toEqual(['kept']);
    expect(left.map((e) => e.event_id)).not.toContain('old-1');
    expect(left).toHaveLength(2);
    // Progress made by the events stays.
    expect(await learnerSql(learnerId, 'SELECT count(*) AS n FROM lesson_progress')).toEqual([{ n: 1 }]);
    // The alarm comes back when 'kept' turns 548 days old (48 days from now).
    const next = await runInDurableObject(object, (_i, state) => state.storage.getAlarm());
    expect(Math.abs((next ?? 0) - (Date.now() + 48 * DAY))).toBeLessThan(DAY);
  });

  it('deletes old answers, reviews and pre-object events from D1 on the cron, and strips refused events of their payload after 30 days', async () => {
    const insertAttempt = (id: string, at: string) =>
      env.DB.prepare(
        `INSERT INTO attempt_log (learner_id, event_id, course_id, item_id, concept_id, lesson_slug, answer, correct, occurred_at)
         VALUES ('lrn_x', ?, 'c', 'i', 'k', 'l', 1, 1, ?)`,
      )
        .bind(id, at)
        .run();
    await insertAttempt('a-old', ago(560));
    await insertAttempt('a-new', ago(10));
    await env.DB.prepare(
      `INSERT INTO review_log (learner_id, event_id, course_id, item_id, grade, reviewed_at) VALUES ('lrn_x', 'r-old', 'c', 'i', 3, ?), ('lrn_x', 'r-new', 'c', 'i', 1, ?)`,
    )
      .bind(ago(560), ago(10))
      .run();
    await env.DB.prepare(`INSERT INTO learners (id, created_at) VALUES ('lrn_legacy', '2020-01-01T00:00:00.000Z')`).run();
    await env.DB.prepare(
      `INSERT INTO learner_events (event_id, learner_id, type, occurred_at, received_at, payload, applied_by)
       VALUES ('e-old', 'lrn_legacy', 'lesson.started', ?, ?, '{}', 'x'), ('e-new', 'lrn_legacy', 'lesson.started', ?, ?, '{}', 'x')`,
    )
      .bind(ago(600), ago(600), ago(3), ago(3))
      .run();
    await env.DB.prepare(
      `INSERT INTO event_rejections (received_at, reason, body) VALUES (?, 'unknown lesson', '{"learnerId":"lrn_y"}'), (?, 'unknown lesson', '{"learnerId":"lrn_z"}')`,
    )
      .bind(ago(31), ago(2))
      .run();
    await env.DB.prepare(`INSERT INTO event_dead_letters (dead_at, body) VALUES (?, '{"learnerId":"lrn_y"}')`)
      .bind(ago(40))
      .run();

    await worker.scheduled(
      createScheduledController({ scheduledTime: new Date(), cron: '*/10 * * * *' }),
      env,
      createExecutionContext(),
    );

    expect(await d1Rows('SELECT event_id FROM attempt_log')).toEqual([{ event_id: 'a-new' }]);
    expect(await d1Rows('SELECT event_id FROM review_log')).toEqual([{ event_id: 'r-new' }]);
    expect(await d1Rows('SELECT event_id FROM learner_events')).toEqual([{ event_id: 'e-new' }]);
    expect(await d1Rows('SELECT reason, body FROM event_rejections ORDER BY received_at')).toEqual([
      { reason: 'unknown lesson', body: '' },
      { reason: 'unknown lesson', body: '{"learnerId":"lrn_z"}' },
    ]);
    expect(await d1Rows('SELECT count(*) AS n FROM event_dead_letters')).toEqual([{ n: 0 }]);
  });
});
