import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createDb } from '../../db/client';
import { buildCourse } from '../../test/builders';
import { lessonMetaHash, manifestHash, planChanges } from './content.domain';
import { createD1ContentStore, type ApplyInput } from './content.store';
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
    replacesCourse: null,
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
