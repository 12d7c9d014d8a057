/** Port over what the events pipeline keeps in D1: rejected messages and dead letters (of both learner queues). */
export interface EventStore {
  /** Records a queue message that failed its schema (never retried). */
  reject(body: unknown, reason: string, now: string): Promise<void>;
  /** Keeps a message that ran out of retries for a later replay. */
  deadLetter(body: unknown, now: string): Promise<void>;
  /** The oldest kept dead letters, at most `limit`. */
  deadLetters(limit: number): Promise<{ id: number; body: unknown }[]>;
  /** Forgets replayed dead letters; returns how many are left. */
  forgetDeadLetters(ids: number[]): Promise<number>;
}

export function createD1EventStore(d1: D1Database): EventStore {
  return {
    async reject(body, reason, now) {
      await d1
        .prepare('INSERT INTO event_rejections (received_at, reason, body) VALUES (?, ?, ?)')
        .bind(now, reason.slice(0, 2000), (JSON.stringify(body) ?? 'undefined').slice(0, 10_000))
        .run();
    },

    async deadLetters(limit) {
      const { results } = await d1
        .prepare('SELECT id, body FROM event_dead_letters ORDER BY id LIMIT ?')
        .bind(limit)
        .all<{ id: number; body: string }>();
      return results.map((r) => ({ id: r.id, body: JSON.parse(r.body) as unknown }));
    },

    async forgetDeadLetters(ids) {
      const statements = [];
      // D1 binds at most 100 parameters per statement.
      for (let i = 0; i < ids.length; i += 90) {
        const part = ids.slice(i, i + 90);
        statements.push(
          d1.prepare(`DELETE FROM event_dead_letters WHERE id IN (${part.map(() => '?').join(', ')})`).bind(...part),
        );
      }
      statements.push(d1.prepare('SELECT count(*) AS n FROM event_dead_letters'));
      const results = await d1.batch<{ n: number }>(statements);
      return results.at(-1)?.results[0]?.n ?? 0;
    },

    async deadLetter(body, now) {
      await d1
        .prepare('INSERT INTO event_dead_letters (dead_at, body) VALUES (?, ?)')
        .bind(now, JSON.stringify(body) ?? 'null')
        .run();
    },
  };
}
