/// <reference types="vite/client" />
import { expect } from 'vitest';
import { parse } from 'yaml';
import type { Variation } from '../features/practice/practice.schemas';
import { api, buildCourse, givenAuthorKey, push } from './builders';

const SEED_FILES = import.meta.glob<string>('../../seeds/practice/*.yml', { query: '?raw', import: 'default', eager: true });

/** The practice library shipped in seeds/practice, in file order. */
export const PRACTICE_SEEDS = Object.keys(SEED_FILES)
  .sort()
  .flatMap((file) => parse(SEED_FILES[file] ?? '') as Variation[]);

/** A pushed course of four lessons with the seed practice library; the author key. */
export async function givenCourseAndLibrary(): Promise<string> {
  const key = await givenAuthorKey();
  await push(await buildCourse(4), key);
  const stored = await api('/api/admin/practice/library', { method: 'PUT', key, json: { variations: PRACTICE_SEEDS } });
  expect(stored.status).toBe(200);
  return key;
}
