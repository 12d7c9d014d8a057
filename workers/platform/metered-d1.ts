/** Statements that change rows (drizzle writes them lower-case). */
const WRITE = /^\s*(insert|update|delete|replace)\b/i;

/**
 * D1 that counts the statements it sends (one per `first`/`all`/`run`/`raw`, one per
 * statement of a `batch`, one per `exec`), and of those the writes, for the
 * `Server-Timing` header. Statements are wrapped so `bind` keeps counting; a batch hands
 * D1 back its own statements.
 */
export function meteredD1(d1: D1Database, meter: { d1Queries: number; d1Writes: number }): D1Database {
  const unwrapped = new WeakMap<object, D1PreparedStatement>();
  const writes = new WeakSet<object>();
  const passThrough = (target: object, prop: string | symbol) => {
    const value: unknown = Reflect.get(target, prop, target);
    return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
  };
  const wrap = (statement: D1PreparedStatement, write: boolean): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(target, prop) {
        if (prop === 'bind') return (...values: unknown[]) => wrap(target.bind(...values), write);
        if (prop === 'first' || prop === 'all' || prop === 'run' || prop === 'raw') {
          const run = passThrough(target, prop) as (...args: unknown[]) => unknown;
          return (...args: unknown[]) => {
            meter.d1Queries++;
            if (write) meter.d1Writes++;
            return run(...args);
          };
        }
        return passThrough(target, prop);
      },
    });
    unwrapped.set(proxy, statement);
    if (write) writes.add(proxy);
    return proxy;
  };
  return new Proxy(d1, {
    get(target, prop) {
      if (prop === 'prepare') return (query: string) => wrap(target.prepare(query), WRITE.test(query));
      if (prop === 'batch') {
        return (statements: D1PreparedStatement[]) => {
          meter.d1Queries += statements.length;
          meter.d1Writes += statements.filter((s) => writes.has(s)).length;
          return target.batch(statements.map((s) => unwrapped.get(s) ?? s));
        };
      }
      if (prop === 'exec') {
        return (query: string) => {
          meter.d1Queries++;
          if (WRITE.test(query)) meter.d1Writes++;
          return target.exec(query);
        };
      }
      return passThrough(target, prop);
    },
  });
}
