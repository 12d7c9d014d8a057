import { createTableRelationsHelpers, extractTablesRelationalConfig, type ExtractTablesWithRelations } from 'drizzle-orm';
import { DrizzleD1Database, SQLiteD1Session } from 'drizzle-orm/d1';
import { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core';
import * as schema from './schema';

export type Db = DrizzleD1Database<typeof schema>;

/**
 * A schema's relational config as `drizzle(client, { schema })` builds it. That call
 * works it out anew each time, which cost more CPU than a whole no-op request: callers
 * work it out once per isolate and build their clients around it.
 */
export function relationalConfig<S extends Record<string, unknown>>(fullSchema: S) {
  const { tables, tableNamesMap } = extractTablesRelationalConfig(fullSchema, createTableRelationsHelpers);
  return { fullSchema, schema: tables as ExtractTablesWithRelations<S>, tableNamesMap };
}

const relational = relationalConfig(schema);
const dialect = new SQLiteAsyncDialect();

/**
 * One drizzle client per request, over the request's D1 binding (what `drizzle(d1, { schema })`
 * builds), built on first use: building one sets up a query builder per table, and most
 * requests (a cached page, a learner's own state) never touch D1 through it.
 */
export function createDb(d1: D1Database): Db {
  let built: Db | undefined;
  return new Proxy({} as Db, {
    get(_target, property) {
      built ??= new DrizzleD1Database('async', dialect, new SQLiteD1Session(d1, dialect, relational, {}), relational);
      const value: unknown = Reflect.get(built, property, built);
      return typeof value === 'function' && property !== 'constructor' ? (value as () => unknown).bind(built) : value;
    },
  });
}
