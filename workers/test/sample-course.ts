/// <reference types="vite/client" />
import { env } from 'cloudflare:test';
import { parse } from 'yaml';
import { depsFor } from '../deps';
import { indexItem } from '../features/search/search.jobs';

/** The sample course as an author writes it. */
const SEED_FILES = import.meta.glob<string>('../../seeds/course/**/*.md', { query: '?raw', import: 'default', eager: true });

const withoutOrder = (folder: string) => folder.replace(/^\d+-/, '');

/**
 * Indexes every lesson of the sample course where it sits, as ingest does after a push,
 * with its row (title, summary, objectives) as a push writes it.
 */
export async function givenSampleCourse() {
  const deps = depsFor(env, {});
  const at = '2026-12-01T00:00:00.000Z';
  await env.DB.prepare("INSERT INTO courses (id, title, updated_at) VALUES ('sample', 'Practical SQL', ?)").bind(at).run();
  let position = 0;
  for (const [path, raw] of Object.entries(SEED_FILES)) {
    const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(raw);
    const front = parse(match?.[1] ?? '') as {
      slug?: string;
      title?: string;
      minutes?: number;
      layer?: string;
      summary?: string;
      objectives?: string[];
    };
    if (!front.slug || front.minutes === undefined) continue; // course, part and chapter index files
    const [part = '', chapter = ''] = path.split('/').slice(-3, -1);
    await env.DB.batch([
      env.DB.prepare("INSERT OR IGNORE INTO parts (id, course_id, slug, title, position) VALUES (?, 'sample', ?, ?, 0)").bind(
        part,
        withoutOrder(part),
        part,
      ),
      env.DB.prepare(
        "INSERT OR IGNORE INTO chapters (id, course_id, part_id, slug, title, position) VALUES (?, 'sample', ?, ?, ?, 0)",
      ).bind(chapter, part, withoutOrder(chapter), chapter),
      env.DB.prepare(
        `INSERT INTO lessons (slug, course_id, chapter_id, position, title, layer, difficulty, minutes, summary, objectives,
           source_path, content_hash, meta_hash, ingest_status, updated_at)
         VALUES (?, 'sample', ?, ?, ?, ?, 2, ?, ?, ?, ?, ?, '', 'ingested', ?)`,
      ).bind(
        front.slug,
        chapter,
        position++,
        front.title ?? front.slug,
        front.layer ?? 'L1',
        front.minutes,
        front.summary ?? '',
        JSON.stringify(front.objectives ?? []),
        path,
        `${front.slug}-v1`.padEnd(16, '0'),
        at,
      ),
    ]);
    await indexItem(
      deps,
      {
        kind: 'lesson',
        id: front.slug,
        contentHash: `${front.slug}-v1`.padEnd(16, '0'),
        courseId: 'sample',
        partSlug: withoutOrder(part),
        chapterSlug: withoutOrder(chapter),
        layer: front.layer ?? 'L1',
        sourceType: 'lesson',
      },
      (match?.[2] ?? '').replace(/^\s*\n/, ''),
      'markdown',
    );
  }
  return deps;
}
