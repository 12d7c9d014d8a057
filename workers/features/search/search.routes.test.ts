import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { depsFor } from '../../deps';
import type { Problem } from '../../http/problem';
import { api, buildCourse, givenAuthorKey, push, waitForIngest } from '../../test/builders';
import { indexLesson } from './search.jobs';
import type { SearchResponse } from './search.schemas';

const BODIES = {
  'lesson-1':
    'Intro.\n\n## Keeping some rows\n\nA filter keeps only the rows whose condition holds, using comparison operators.\n',
  'lesson-2': 'Intro.\n\n## Sorting output\n\nORDER BY sorts the result ascending or descending; LIMIT keeps the first rows.\n',
  'lesson-3': 'Intro.\n\n## Counting things\n\nAggregate functions such as count and sum collapse many rows into one value.\n',
  'lesson-4': 'Intro.\n\n## Joining tables\n\nA join matches rows of two tables on a shared key column.\n',
};

async function givenSearchableCourse() {
  const key = await givenAuthorKey();
  const overrides = Object.fromEntries(Object.entries(BODIES).map(([slug, body]) => [slug, { body }]));
  await push(await buildCourse(4, overrides), key);
  await waitForIngest(Object.keys(BODIES));
  return key;
}

async function search(json: unknown) {
  const response = await api('/api/search', { method: 'POST', json });
  return { response, body: response.status === 200 ? await response.json<SearchResponse>() : null };
}

describe('search', () => {
  it('finds the lesson section that answers a query, with a deep link and a highlighted snippet', async () => {
    await givenSearchableCourse();
    const { body } = await search({ query: 'sort rows descending' });
    const top = body?.hits[0];
    expect(top).toMatchObject({ kind: 'lesson', itemId: 'lesson-2', headingPath: ['Sorting output'], anchor: 'sorting-output' });
    expect(top?.href).toBe('/courses/test-course/lessons/lesson-2#sorting-output');
    expect(top?.matchedBy).toEqual(expect.arrayContaining(['lexical', 'vector']));
    const [start, end] = top?.highlights[0] ?? [0, 0];
    expect(top?.snippet.slice(start, end).toLowerCase()).toMatch(/sort|descending|rows/);
    expect(top?.snippet.startsWith('Sorting output')).toBe(false);
    expect(body?.embedder).toMatch(/^hash-v2-/);
  });

  it('applies filters: a part filter keeps only that part’s lessons', async () => {
    await givenSearchableCourse();
    const { body } = await search({ query: 'rows', filters: { part: 'deeper' }, limit: 20 });
    expect(body?.hits.length).toBeGreaterThan(0);
    expect(new Set(body?.hits.map((h) => h.itemId))).toEqual(new Set(['lesson-3', 'lesson-4']));
  });

  it('searches one course of the catalog with a course filter, lexically and by meaning, or every course without', async () => {
    const key = await givenSearchableCourse();
    const second = {
      'py-lesson-1': {
        body: 'Intro.\n\n## Filtering rows in pandas\n\nA boolean mask keeps only the rows whose condition holds.\n',
      },
      'py-lesson-2': { body: 'Intro.\n\n## Sorting a frame\n\nsort_values sorts rows ascending or descending by a column.\n' },
    };
    await push(await buildCourse(2, second, { slug: 'other-course', title: 'Other' }, { prefix: 'py-' }), key);
    await waitForIngest(Object.keys(second));
    const everywhere = await search({ query: 'sort rows descending', limit: 20 });
    expect(everywhere.body?.hits.map((h) => h.itemId)).toEqual(expect.arrayContaining(['lesson-2', 'py-lesson-2']));
    for (const mode of ['hybrid', 'lexical', 'vector'] as const) {
      const other = await search({ query: 'sort rows descending', mode, limit: 20, filters: { course: 'other-course' } });
      expect(other.body?.hits.length, mode).toBeGreaterThan(0);
      expect(
        other.body?.hits.every((h) => h.itemId.startsWith('py-')),
        mode,
      ).toBe(true);
      const first = await search({ query: 'sort rows descending', mode, limit: 20, filters: { course: 'test-course' } });
      expect(first.body?.hits.length, mode).toBeGreaterThan(0);
      expect(
        first.body?.hits.some((h) => h.itemId.startsWith('py-')),
        mode,
      ).toBe(false);
    }
    // The same part slug in both courses: with the course, only that course's part.
    const part = await search({ query: 'rows', limit: 20, filters: { course: 'other-course', part: 'basics' } });
    expect(new Set(part.body?.hits.map((h) => h.itemId))).toEqual(new Set(['py-lesson-1']));
    // A course the catalog does not hold: 404 naming the field.
    const none = await search({ query: 'sort rows descending', filters: { course: 'no-such-course' } });
    expect(none.response.status).toBe(404);
    expect((await none.response.json<Problem>()).errors?.map((e) => e.field)).toEqual(['json/filters/course']);
  });

  it.each([
    ['a course that is not a slug', { query: 'rows', filters: { course: 'Not A Slug' } }, 'json/filters/course'],
    ['an empty query', { query: '   ' }, 'json/query'],
    ['an overlong query', { query: 'x'.repeat(301) }, 'json/query'],
    ['a limit over 20', { query: 'rows', limit: 21 }, 'json/limit'],
    ['an unknown filter', { query: 'rows', filters: { colour: 'red' } }, 'json/filters/colour'],
    ['an unknown grouping', { query: 'rows', group: 'lessons' }, 'json/group'],
  ])('answers %s with 400 naming the field', async (_case, json, field) => {
    const { response } = await search(json);
    expect(response.status).toBe(400);
    expect((await response.json<Problem>()).errors?.map((e) => e.field)).toContain(field);
  });

  it('leaves out query words found in most chunks, which BM25 gives no weight, yet still answers a query of only such words', async () => {
    const key = await givenAuthorKey();
    const body = (topic: string) =>
      `Every table here.\n\n## ${topic}\n\nThe table holds rows; ${topic.toLowerCase()} explained.\n`;
    const fixture = await buildCourse(3, {
      'lesson-1': { body: body('Ranking rows') },
      'lesson-2': { body: body('Sorting rows') },
      'lesson-3': { body: body('Counting rows') },
    });
    await push(fixture, key);
    await waitForIngest(['lesson-1', 'lesson-2', 'lesson-3']);
    // "tables" (stem "tabl") is in all six chunks: only "ranks" decides, and only its chunk matches.
    const ranked = await search({ query: 'tables ranks', mode: 'lexical' });
    expect(ranked.body?.hits.map((h) => h.itemId)).toEqual(['lesson-1']);
    const common = await search({ query: 'tables', mode: 'lexical', group: 'chunk' });
    expect(common.body?.hits).toHaveLength(6);

    // New content makes "ranks" common and "tables" rare: frequencies read before are not reused.
    const ranking = (topic: string) => `Ranking here.\n\n## ${topic}\n\nRanking ${topic.toLowerCase()} explained.\n`;
    await push(
      await buildCourse(3, {
        'lesson-1': { body: ranking('Joining tables') },
        'lesson-2': { body: ranking('Sorting') },
        'lesson-3': { body: ranking('Counting') },
      }),
      key,
    );
    await waitForIngest(['lesson-1', 'lesson-2', 'lesson-3']);
    const after = await search({ query: 'tables ranks', mode: 'lexical' });
    expect(after.body?.hits.map((h) => h.itemId)).toEqual(['lesson-1']);
  });

  it.each(['xyzzyqq', 'no such lesson', 'how do I', 'a'])(
    'answers %j, which nothing in the course is about, with no hits',
    async (query) => {
      await givenSearchableCourse();
      const { response, body } = await search({ query });
      expect(response.status).toBe(200);
      expect(body?.hits).toEqual([]);
    },
  );

  it('returns each lesson once, at its best section, counting its other matching sections; group "chunk" lists them all', async () => {
    const key = await givenAuthorKey();
    const fixture = await buildCourse(2, {
      'lesson-1': {
        body: 'Intro.\n\n## NULL in filters\n\nA comparison with NULL is unknown.\n\n## NULL in sorting\n\nNULL sorts first.\n\n## NULL in sums\n\nSUM skips NULL.\n',
      },
      'lesson-2': { body: 'Intro.\n\n## Counting\n\nCOUNT(*) counts rows, NULL or not.\n' },
    });
    await push(fixture, key);
    await waitForIngest(['lesson-1', 'lesson-2']);
    const grouped = await search({ query: 'null' });
    expect(grouped.body?.hits.map((h) => [h.itemId, h.moreMatches]).sort()).toEqual([
      ['lesson-1', 2],
      ['lesson-2', 0],
    ]);
    const chunks = await search({ query: 'null', group: 'chunk' });
    expect(chunks.body?.hits.filter((h) => h.itemId === 'lesson-1')).toHaveLength(3);
    expect(chunks.body?.hits.every((h) => h.moreMatches === 0)).toBe(true);
  });

  it('shows a snippet as prose: no markdown, table rules, list markers or code, and not the section heading', async () => {
    const key = await givenAuthorKey();
    const body = [
      'Intro.',
      '## Reading NULLs',
      'Some **rules** for `NULL`:',
      '- Writing `= NULL` matches nothing.\n- Use `IS NULL;`.',
      '| value | meaning |\n|---|---|\n| NULL | unknown |',
      '```sql\nSELECT * FROM t WHERE x IS NULL;\n```',
      '1. Write a query that finds NULLs.',
    ].join('\n\n');
    await push(await buildCourse(1, { 'lesson-1': { body } }), key);
    await waitForIngest(['lesson-1']);
    const hit = (await search({ query: 'null meaning' })).body?.hits[0];
    expect(hit?.headingPath).toEqual(['Reading NULLs']);
    expect(hit?.snippet).toBe(
      'Some rules for NULL: Writing = NULL matches nothing. Use IS NULL. · value, meaning · NULL, unknown · Write a query that finds NULLs.',
    );
    expect(hit?.highlights.map(([start, end]) => hit.snippet.slice(start, end))).toEqual([
      'NULL',
      'NULL',
      'NULL',
      'meaning',
      'NULL',
      'NULLs',
    ]);
  });

  it('treats FTS syntax in a query as words, not operators', async () => {
    await givenSearchableCourse();
    const { response } = await search({ query: 'rows" OR NEAR(( *' });
    expect(response.status).toBe(200);
  });

  it('finds the same as the plain query for one typed in full-width letters or with zero-width spaces, and refuses one of those spaces or control characters only', async () => {
    await givenSearchableCourse();
    const plain = await search({ query: 'sort rows descending' });
    const wide = await search({ query: 'ｓｏｒｔ ｒｏｗｓ ｄｅｓｃｅｎｄｉｎｇ' });
    const hidden = await search({ query: 'so\u200brt rows desc\u200bending' });
    expect(plain.body?.hits[0]?.itemId).toBe('lesson-2');
    expect(wide.body).toEqual(plain.body);
    expect(hidden.body).toEqual(plain.body);
    for (const query of ['\u200b \u200b', '\u0000', '\u0000\u001b\u0007']) {
      const empty = await search({ query });
      expect(empty.response.status).toBe(400);
      expect((await empty.response.json<Problem>()).errors?.map((e) => e.field)).toEqual(['json/query']);
    }
    // A control character inside a query reads as a space.
    expect((await search({ query: 'sort\u0000rows descending' })).body?.hits[0]?.itemId).toBe('lesson-2');
  });

  it('re-indexing an unchanged lesson computes no embedding', async () => {
    await givenSearchableCourse();
    const deps = depsFor(env, {});
    const hash = (
      await env.DB.prepare("SELECT content_hash FROM lessons WHERE slug = 'lesson-1'").first<{ content_hash: string }>()
    )?.content_hash;
    const again = await indexLesson(deps, 'lesson-1', hash ?? '', BODIES['lesson-1']);
    expect(again).toEqual({ chunks: 2, embedded: 0 });
  });

  it('replaces chunks an older id scheme wrote for the same version instead of keeping both', async () => {
    await givenSearchableCourse();
    const hash =
      (await env.DB.prepare("SELECT content_hash FROM lessons WHERE slug = 'lesson-1'").first<{ content_hash: string }>())
        ?.content_hash ?? '';
    await env.DB.prepare(
      `INSERT INTO chunks (id, item_kind, item_id, content_hash, position, heading_path, anchor, start_offset, end_offset, text, source_type)
       VALUES (?, 'lesson', 'lesson-1', ?, 0, '[]', '', 0, 6, 'Intro.', 'lesson')`,
    )
      .bind(`lesson:lesson-1:${hash.slice(0, 16)}:0`, hash)
      .run();
    const again = await indexLesson(depsFor(env, {}), 'lesson-1', hash, BODIES['lesson-1']);
    expect(again).toEqual({ chunks: 2, embedded: 2 });
    const ids = await env.DB.prepare("SELECT id FROM chunks WHERE item_id = 'lesson-1' ORDER BY id").all<{ id: string }>();
    expect(ids.results.map((r) => r.id)).toEqual([`l:lesson-1:${hash.slice(0, 16)}:0`, `l:lesson-1:${hash.slice(0, 16)}:1`]);
  });

  it('embeds a chunk without prose by its raw text, for embedders that refuse empty input', async () => {
    const key = await givenAuthorKey();
    await push(await buildCourse(1, { 'lesson-1': { body: '```sql\nSELECT 1;\n```\n\n## Idea\n\nWords.\n' } }), key);
    await waitForIngest(['lesson-1']);
    const hash =
      (await env.DB.prepare("SELECT content_hash FROM lessons WHERE slug = 'lesson-1'").first<{ content_hash: string }>())
        ?.content_hash ?? '';
    await env.DB.prepare('DELETE FROM chunk_vectors').run();
    const deps = depsFor(env, {});
    const seen: string[] = [];
    const strict = {
      ...deps.embedder,
      embed: (texts: string[]) => {
        if (texts.some((t) => t.trim() === '')) throw new Error('empty input');
        seen.push(...texts);
        return deps.embedder.embed(texts);
      },
    };
    expect(
      await indexLesson({ ...deps, embedder: strict }, 'lesson-1', hash, '```sql\nSELECT 1;\n```\n\n## Idea\n\nWords.\n'),
    ).toEqual({
      chunks: 2,
      embedded: 2,
    });
    expect(seen[0]).toContain('SELECT 1;');
  });

  it('replaces a changed lesson’s chunks and removes a pruned lesson’s', async () => {
    const key = await givenSearchableCourse();
    const changed = { ...BODIES, 'lesson-2': 'Intro.\n\n## Ranking output\n\nWindow functions rank rows.\n' };
    const fixture = await buildCourse(3, Object.fromEntries(Object.entries(changed).map(([slug, body]) => [slug, { body }])));
    await push(fixture, key, { prune: true });
    await waitForIngest(['lesson-1', 'lesson-2', 'lesson-3']);
    const counts = await env.DB.prepare('SELECT item_id, count(*) AS n FROM chunks GROUP BY item_id ORDER BY item_id').all<{
      item_id: string;
      n: number;
    }>();
    expect(counts.results.map((r) => r.item_id)).toEqual(['lesson-1', 'lesson-2', 'lesson-3']);
    const old = await env.DB.prepare("SELECT count(*) AS n FROM chunks WHERE text LIKE '%ORDER BY%'").first<{ n: number }>();
    expect(old?.n).toBe(0);
    expect((await search({ query: 'ORDER BY descending' })).body?.hits.every((h) => !h.snippet.includes('ORDER BY'))).toBe(true);
    expect((await search({ query: 'window functions rank' })).body?.hits[0]?.itemId).toBe('lesson-2');
    expect((await search({ query: 'join tables shared key' })).body?.hits.some((h) => h.itemId === 'lesson-4')).toBe(false);
  });
  it('offers lessons one typo away when nothing matches, else a place to start in each part, and none when hits came', async () => {
    const key = await givenAuthorKey();
    await push(await buildCourse(4, { 'lesson-2': { title: 'Window functions' }, 'lesson-4': { title: 'Transactions' } }), key);
    const typo = (await search({ query: 'windw trasactions' })).body;
    expect(typo?.hits).toEqual([]);
    expect(typo?.suggestions.map((s) => s.lessonSlug)).toEqual(['lesson-2', 'lesson-4']);
    expect(typo?.suggestions[0]).toEqual({
      lessonSlug: 'lesson-2',
      title: 'Window functions',
      href: '/courses/test-course/lessons/lesson-2',
    });
    const nothing = (await search({ query: 'xyzzy plugh' })).body;
    expect(nothing?.hits).toEqual([]);
    // The first lesson of each part (basics, deeper).
    expect(nothing?.suggestions.map((s) => s.lessonSlug)).toEqual(['lesson-1', 'lesson-3']);
    await waitForIngest(['lesson-2']);
    expect((await search({ query: 'window' })).body?.suggestions).toEqual([]);
  });
});
