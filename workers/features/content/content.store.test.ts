import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createDb } from '../../db/client';
import { api, buildCourse, givenAuthorKey, push, waitForIngest } from '../../test/builders';
import { PRACTICE_SEEDS } from '../../test/practice-seeds';
import { lessonMetaHash, manifestHash, planChanges } from './content.domain';
import { COURSE_STAMP_SQL, createD1ContentStore, type ApplyInput } from './content.store';
import type { Manifest } from './content.schemas';

async function applyInput(manifest: Manifest, baseVersion: number): Promise<ApplyInput> {
  const metaHashes = new Map(await Promise.all(manifest.lessons.map(async (l) => [l.slug, await lessonMetaHash(l)] as const)));
  const incoming = manifest.lessons.map((l) => ({
    slug: l.slug,
    contentHash: l.contentHash,
    metaHash: metaHashes.get(l.slug) ?? '',
  }));
  return {
    manifest,
    summary: planChanges([], incoming, false),
    metaHashes,
    manifestHash: await manifestHash(manifest),
    baseVersion,
    now: '2026-11-22T10:00:00.000Z',
  };
}

describe('D1 content store', () => {
  it('refuses a second commit planned from the same version, writing none of it', async () => {
    const store = createD1ContentStore(createDb(env.DB));
    const first = await buildCourse(2);
    const second = await buildCourse(3, { 'lesson-1': { title: 'From the racing push' } });
    expect(await store.apply(await applyInput(first.manifest, 0))).toBe(1);
    expect(await store.apply(await applyInput(second.manifest, 0))).toBeNull();
    const { results } = await env.DB.prepare('SELECT slug, title FROM lessons ORDER BY slug').all();
    expect(results).toEqual([
      { slug: 'lesson-1', title: 'Lesson 1' },
      { slug: 'lesson-2', title: 'Lesson 2' },
    ]);
    expect(await store.apply(await applyInput(second.manifest, 1))).toBe(2);
  });
});

describe('course stamp', () => {
  const stamp = async () => (await env.DB.prepare(COURSE_STAMP_SQL).bind(null).first<{ stamp: string }>())?.stamp;

  it('changes with a push, as its lessons are ingested and with a practice library push, and only then', async () => {
    const empty = await stamp();
    const key = await givenAuthorKey();
    await push(await buildCourse(2), key);
    await waitForIngest(['lesson-1', 'lesson-2']);
    const ingested = await stamp();
    expect(ingested).not.toBe(empty);
    expect(await stamp()).toBe(ingested);
    // A lesson waiting for its ingest (as after a push that changed it) is another stamp.
    const setStatus = (status: string) =>
      env.DB.prepare("UPDATE lessons SET ingest_status = ? WHERE slug = 'lesson-1'").bind(status).run();
    await setStatus('pending');
    expect(await stamp()).not.toBe(ingested);
    await setStatus('ingested');
    expect(await stamp()).toBe(ingested);
    const library = { variations: PRACTICE_SEEDS };
    expect((await api('/api/admin/practice/library', { method: 'PUT', key, json: library })).status).toBe(200);
    const withLibrary = await stamp();
    expect(withLibrary).not.toBe(ingested);
    // The same library again is the same stamp; a different one is not.
    expect((await api('/api/admin/practice/library', { method: 'PUT', key, json: library })).status).toBe(200);
    expect(await stamp()).toBe(withLibrary);
    const changed = { variations: PRACTICE_SEEDS.slice(1) };
    expect((await api('/api/admin/practice/library', { method: 'PUT', key, json: changed })).status).toBe(200);
    expect(await stamp()).not.toBe(withLibrary);
  });
});
