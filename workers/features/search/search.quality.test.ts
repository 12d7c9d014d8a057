/// <reference types="vite/client" />
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { depsFor } from '../../deps';
import { api } from '../../test/builders';
import { givenSampleCourse } from '../../test/sample-course';
import { searchChunks } from './search.query';
import { queryTerms, supports, vectorFloor } from './search.relevance';
import type { SearchResponse } from './search.schemas';

/** The questions `npm run eval -- search` asks of the sample course. */
const QUESTION_FILES = import.meta.glob<string>('../../../seeds/eval/*-questions.yaml', {
  query: '?raw',
  import: 'default',
  eager: true,
});

interface Question {
  id: string;
  question: string;
  gold: string;
  also?: string[];
}
const questionsOf = (name: string) =>
  (parse(QUESTION_FILES[`../../../seeds/eval/${name}-questions.yaml`] ?? '') as { questions: Question[] }).questions;
/** Written alongside the search. */
const QUESTIONS = questionsOf('search');
/** Written the way learners ask, before looking at any result. */
const LEARNER_QUESTIONS = questionsOf('learner');

/** Queries about nothing the course teaches: made-up words, other subjects, function words. */
const UNRELATED = [
  'xyzzyqq',
  'asdfghjkl',
  'qwerty asdf',
  'lorem ipsum dolor sit amet',
  'banana smoothie recipe',
  'kubernetes pod autoscaling',
  'quantum chromodynamics',
  'photosynthesis in plants',
  'jazz saxophone scales',
  'knitting a scarf',
  'mitochondria',
  'volcano eruption lava',
  'medieval castles',
  'planet jupiter moons',
  'what is the xyzzyqq',
  'the the the xyzzyqq',
  'the',
  'why is the sky blue',
  'is there a lesson about cooking',
];

/** Markdown and scraps a reader should not see in a snippet: the patterns it matches. */
function markdownIn(snippet: string): string[] {
  const patterns = [
    /^…?\s*(#{1,6}|[-*+>]|\d{1,3}[.)])\s/, // a heading, quote or list marker opening the snippet
    /[.!?:;·]\s+(#{1,6}|[-*+>])\s/, // one after a sentence or block
    /[.!?:;]\s+\d{1,3}[.)]\s+[A-Z]/, // a numbered item after a sentence
    /\s#{1,6}\s/, // a heading inside the text
    /\|\s*:?-{3}/, // a table rule
    /(^|\s)\|(\s|$)/, // a table cell border
    /```|`|\*\*|__|\]\(|!\[/, // fences, code ticks, bold, links, images
    /;\s*\./, // a statement's semicolon run into the sentence's full stop
    /\n/,
  ];
  return patterns.filter((p) => p.test(snippet)).map(String);
}

/** Whether a snippet opens with a heading of its path as a block of its own (the text's own first words may name it too). */
function repeatsHeading(snippet: string, headingPath: string[]): boolean {
  const text = snippet.replace(/^…/, '');
  return headingPath.some((heading) => text.startsWith(/[.!?:;…)]$/.test(heading) ? `${heading} ` : `${heading} · `));
}

async function search(json: Record<string, unknown>): Promise<SearchResponse> {
  const response = await api('/api/search', { method: 'POST', json });
  expect(response.status).toBe(200);
  return response.json<SearchResponse>();
}

/** Recall@k (5 unless told) and MRR over distinct lessons of the first 20 results, as the eval scores them; the misses. */
async function score(deps: ReturnType<typeof depsFor>, mode: 'lexical' | 'vector' | 'hybrid', questions = QUESTIONS, k = 5) {
  let found = 0;
  let reciprocal = 0;
  const misses: string[] = [];
  for (const q of questions) {
    const result = await searchChunks(deps, {
      query: q.question,
      limit: 20,
      filter: {},
      modes: mode === 'hybrid' ? ['lexical', 'vector'] : [mode],
    });
    const lessons = [...new Set(result.hits.map((h) => h.itemId))];
    const accepted = new Set([q.gold, ...(q.also ?? [])]);
    const rank = lessons.findIndex((l) => accepted.has(l)) + 1;
    if (rank > 0 && rank <= k) found += 1;
    else misses.push(`${q.id} (${rank || 'none'}): ${q.question} -> ${lessons.slice(0, k).join(', ')}`);
    if (rank > 0) reciprocal += 1 / rank;
  }
  return { recallAt5: found / questions.length, mrr: reciprocal / questions.length, misses };
}

describe('search quality on the sample course (hashing embedder)', () => {
  it('reads the 48 evaluation questions', () => {
    expect(QUESTIONS).toHaveLength(48);
  });

  it('finds the gold lesson of the questions written with the search as often as measured', async () => {
    const deps = await givenSampleCourse();
    // Recall@5 / MRR with the relevance floor and grouping: lexical 0.875 / 0.6287, vector 0.75 / 0.6387,
    // hybrid 0.8958 / 0.6999. Then function words left out of the full-text query and lessons ranked by
    // title, summary and objectives as a third list: lexical 0.7917 / 0.5489, vector 0.75 / 0.6387,
    // hybrid 0.8333 / 0.6597 here, while the learner-phrased questions went from 0.72 to 0.82 in the top 3.
    // This set leans on its wording ("why", "without"), which learners' questions do not share. Headings
    // weighed twice the text in the chunk index: hybrid MRR 0.6597 -> 0.6685, lexical MRR 0.5489 -> 0.5482,
    // the rest unchanged (4 times cost lexical recall@5 a question: 0.7708). Lessons ranked by fusing each
    // lesson's best rank in each list (not each chunk's), and misspelt words searched as the nearest stem:
    // hybrid 0.8542 / 0.7256, lexical 0.7708 / 0.6588 (a question lost from the top 5, MRR up), vector unchanged.
    const expected = { lexical: [0.7708, 0.6588], vector: [0.75, 0.6386], hybrid: [0.8541, 0.7256] } as const;
    for (const mode of ['lexical', 'vector', 'hybrid'] as const) {
      const { recallAt5, mrr } = await score(deps, mode);
      expect(recallAt5, `${mode} recall@5`).toBeGreaterThanOrEqual(expected[mode][0]);
      expect(mrr, `${mode} MRR`).toBeGreaterThanOrEqual(expected[mode][1]);
    }
  }, 60_000);

  it('puts the right lesson in the top 3 for the questions phrased the way learners ask, as often as measured', async () => {
    const deps = await givenSampleCourse();
    expect(LEARNER_QUESTIONS.length).toBeGreaterThanOrEqual(40);
    // 0.72 before function words left the full-text query and lessons were ranked by title, summary and
    // objectives; 0.82 after; 0.90 (the target) once lessons were ranked by fusing each lesson's
    // best rank in each list and misspelt words searched as the nearest stem. The misses left need
    // synonyms the hashing embedder cannot know ("repeats" for duplicates, "selects inside selects").
    const { recallAt5: top3, misses } = await score(deps, 'hybrid', LEARNER_QUESTIONS, 3);
    expect(top3, misses.join('\n')).toBeGreaterThanOrEqual(0.9);
  }, 60_000);

  it('answers "how do I filter rows" with the WHERE lesson near the top, highlighting only the words that matter', async () => {
    await givenSampleCourse();
    const { hits } = await search({ query: 'how do I filter rows' });
    expect(hits.slice(0, 3).map((h) => h.itemId)).toContain('filtering-with-where');
    expect(new Set(hits.map((h) => h.itemId)).size).toBe(hits.length);
    for (const hit of hits) {
      const marked = hit.highlights.map(([start, end]) => hit.snippet.slice(start, end).toLowerCase());
      expect(
        marked.filter((w) => ['how', 'do', 'i'].includes(w)),
        hit.itemId,
      ).toEqual([]);
    }
  });

  it('puts first the lesson whose title holds every word of the query, ahead of sections saying them more often', async () => {
    await givenSampleCourse();
    // "filter rows" had put *Filtering rows with WHERE* fifth, behind the FILTER clause and window frames.
    for (const query of ['filter rows', 'how do I filter rows', 'filtering rows', 'fliter rows']) {
      expect((await search({ query })).hits[0]?.itemId, query).toBe('filtering-with-where');
    }
    // Several titles hold the words: each of them comes before the rest.
    const joins = (await search({ query: 'joins' })).hits.map((h) => h.itemId);
    expect(joins.slice(0, 3).sort()).toEqual(['inner-joins', 'outer-joins', 'self-and-many-to-many-joins']);
    // No title holds them all: the fused order stands.
    expect((await search({ query: 'filter rows after grouping' })).hits.length).toBeGreaterThan(0);
  });

  it('sets the vector floor above every similarity unrelated queries reach, which no real question needs', async () => {
    const deps = await givenSampleCourse();
    const floor = vectorFloor(deps.embedder.id);
    const texts = new Map(
      (
        await env.DB.prepare('SELECT id, item_id, text FROM chunks').all<{ id: string; item_id: string; text: string }>()
      ).results.map((r) => [r.id, r]),
    );
    const topSimilarity = async (query: string) => {
      const [vector] = await deps.embedder.embed([query]);
      return deps.vectorIndex.query(vector ?? new Float32Array(), { topK: 20 });
    };

    const unrelated = await Promise.all(UNRELATED.map(async (q) => (await topSimilarity(q))[0]?.score ?? 0));
    expect(Math.max(...unrelated)).toBeLessThan(floor);

    // Of a real question's top 20 by vector, chunks sharing no query word score below unrelated queries' best:
    // the hashing embedder's similarity alone tells nothing, and no question loses its gold lesson to the floor.
    const unsupportedGold: number[] = [];
    for (const q of QUESTIONS) {
      const accepted = new Set([q.gold, ...(q.also ?? [])]);
      const terms = queryTerms(q.question);
      const gold = (await topSimilarity(q.question)).filter((m) => accepted.has(texts.get(m.id)?.item_id ?? ''));
      const supported = gold.filter((m) => supports(terms, texts.get(m.id)?.text ?? ''));
      if (gold.length > 0) expect(supported.length, q.id).toBeGreaterThan(0);
      unsupportedGold.push(...gold.filter((m) => !supported.includes(m)).map((m) => m.score));
    }
    expect(Math.max(...unsupportedGold)).toBeLessThan(Math.max(...unrelated));
  }, 60_000);

  it.each(['xyzzyqq', 'no such lesson', 'no such', 'how do I', 'the', 'volcano eruption lava'])(
    'finds nothing for %j',
    async (query) => {
      await givenSampleCourse();
      expect((await search({ query })).hits).toEqual([]);
    },
  );

  it.each([
    ['null', 'data-types-and-null'],
    ['nul values', 'data-types-and-null'],
    ['NOT IN', 'subqueries'],
    ['where', 'group-by-and-having'],
  ])('still answers %j, with %s among the results', async (query, lesson) => {
    await givenSampleCourse();
    expect((await search({ query })).hits.map((h) => h.itemId)).toContain(lesson);
  });

  it('searches a misspelt word as the nearest word the course uses, and highlights that word', async () => {
    await givenSampleCourse();
    const { hits } = await search({ query: 'windw functons' });
    expect(hits[0]?.itemId).toBe('window-functions');
    const marked = (hits[0]?.highlights ?? []).map(([s, e]) => hits[0]?.snippet.slice(s, e).toLowerCase());
    expect(marked).toEqual(expect.arrayContaining(['window', 'function']));
    // "duplicat" is stemmed apart from "duplicate": without the correction DISTINCT's lesson is not found.
    const duplicates = await search({ query: 'how do i get rid of duplicat values' });
    expect(duplicates.hits.slice(0, 3).map((h) => h.itemId)).toContain('sorting-and-limiting');
    // A made-up word has no near stem: still nothing.
    expect((await search({ query: 'xyzzyqq plughh' })).hits).toEqual([]);
    // A real word the course lacks is not read as a word two edits from its stem ("capital", stem "capit", is not "copi").
    expect((await search({ query: 'what is the capital of France' })).hits).toEqual([]);
    // Nor as a function word, which never makes a result relevant: "world" is read as "word", not "would".
    const world = (await search({ query: 'world war' })).hits;
    const read = world.flatMap((h) => h.highlights.map(([from, to]) => h.snippet.slice(from, to).toLowerCase()));
    expect(read.length).toBeGreaterThan(0);
    expect(new Set(read)).toEqual(new Set(['word', 'words']));
  });

  it('shows each lesson once for "null", in order of its best section, counting its other matching sections', async () => {
    await givenSampleCourse();
    const { hits } = await search({ query: 'null' });
    expect(hits.length).toBeGreaterThanOrEqual(5);
    expect(new Set(hits.map((h) => h.itemId)).size).toBe(hits.length);
    expect(hits[0]).toMatchObject({ itemId: 'data-types-and-null', headingPath: ['NULL: a marker for missing information'] });
    expect(hits[0]?.moreMatches).toBeGreaterThanOrEqual(3);
    const scores = hits.map((h) => h.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));

    const chunks = await search({ query: 'null', group: 'chunk' });
    expect(chunks.hits.filter((h) => h.itemId === 'data-types-and-null').length).toBeGreaterThan(1);
    expect(chunks.hits.every((h) => h.moreMatches === 0)).toBe(true);
  });

  it.each(['null', 'no such table', 'common mistakes', 'join on shared key', 'sort descending', 'window frame rows between'])(
    'shows %j results with snippets in plain prose that do not repeat the section heading',
    async (query) => {
      await givenSampleCourse();
      const { hits } = await search({ query, limit: 20 });
      expect(hits.length).toBeGreaterThan(0);
      for (const hit of hits) {
        const where = `${hit.itemId} ${hit.headingPath.join(' > ')}: ${hit.snippet}`;
        expect(markdownIn(hit.snippet), where).toEqual([]);
        expect(repeatsHeading(hit.snippet, hit.headingPath), where).toBe(false);
        for (const [start, end] of hit.highlights) {
          expect(start, where).toBeLessThan(end);
          expect(end, where).toBeLessThanOrEqual(hit.snippet.length);
        }
      }
    },
  );

  it('keeps what the site shows for its sample search: the LIKE section first, its words highlighted, also within a part', async () => {
    await givenSampleCourse();
    const { hits } = await search({ query: 'pattern matching LIKE wildcard' });
    expect(hits[0]).toMatchObject({ itemId: 'filtering-with-where', anchor: 'pattern-matching-with-like' });
    const marked = (hits[0]?.highlights ?? []).map(([s, e]) => hits[0]?.snippet.slice(s, e).toLowerCase());
    expect(marked).toEqual(expect.arrayContaining(['like', 'pattern']));
    const applied = await search({ query: 'pattern matching LIKE wildcard', filters: { part: 'applied' } });
    expect(applied.hits.length).toBeGreaterThan(0);
  });
});
