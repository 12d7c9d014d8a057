import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { depsFor } from '../../deps';
import type { Problem } from '../../http/problem';
import { api, givenLearner } from '../../test/builders';
import { givenFakeModel } from '../../test/fake-model';
import { givenSampleCourse } from '../../test/sample-course';
import { chunkProse } from '../search/search.domain';
import { indexItem } from '../search/search.jobs';
import { NOT_COVERED, withoutMarkup } from './answers.domain';
import type { Answer } from './answers.schemas';

const ask = async (token: string, json: Record<string, unknown>) => api('/api/answers', { method: 'POST', key: token, json });

/** Every citation's quote, checked against the stored chunk it names (its lesson and heading). */
async function expectQuotesInPassages(answer: Answer) {
  for (const c of answer.citations) {
    const { results } = await env.DB.prepare('SELECT text, heading_path FROM chunks WHERE item_id = ? AND anchor = ?')
      .bind(c.lessonSlug ?? c.sourceId ?? '', c.anchor ?? '')
      .all<{ text: string; heading_path: string }>();
    const prose = results.map((r) => withoutMarkup(chunkProse(r.text, JSON.parse(r.heading_path) as string[])));
    expect(
      prose.some((p) => p.includes(c.quote)),
      `${c.lessonSlug} ${c.anchor}: ${c.quote}`,
    ).toBe(true);
  }
}

describe('ask the course', () => {
  it('answers a plain question with sentences of the course, each citing the passage it quotes, then from the cache', async () => {
    await givenSampleCourse();
    const { token } = await givenLearner(null);
    const response = await ask(token, { question: 'How do I keep only the rows that match a condition?' });
    expect(response.status).toBe(200);
    const answer = await response.json<Answer>();
    expect(answer).toMatchObject({ covered: true, engine: 'offline', cached: false, scope: 'course' });
    expect(answer.citations.length).toBeGreaterThan(0);
    expect(answer.citations.map((c) => c.lessonSlug)).toContain('filtering-with-where');
    expect(answer.citations.map((c) => c.n)).toEqual(answer.citations.map((_, i) => i + 1));
    for (const c of answer.citations) expect(answer.answer).toContain(`[${c.n}]`);
    expect(answer.answer).not.toMatch(/\[(?:0|[4-9]\d*)\]/);
    await expectQuotesInPassages(answer);
    for (const s of answer.suggestions) expect(answer.citations.map((c) => c.lessonSlug)).not.toContain(s.lessonSlug);

    // The shared cache keeps the answer, not the words this learner typed.
    const { keys } = await env.CACHE.list({ prefix: 'answers:' });
    expect(keys).toHaveLength(1);
    expect(await env.CACHE.get(keys[0]?.name ?? '')).not.toContain('match a condition');

    const again = await (await ask(token, { question: '  how do I keep only the rows that match a condition ' })).json<Answer>();
    expect(again).toEqual({ ...answer, question: 'how do I keep only the rows that match a condition', cached: true });
  });

  it('answers a definition from the passage introducing the term, though search ranks others higher', async () => {
    await givenSampleCourse();
    const { token } = await givenLearner(null);
    // Later lessons say more about foreign keys; the relational model introduces them (in bold).
    const answer = await (await ask(token, { question: 'what is a foreign key' })).json<Answer>();
    expect(answer.answer).toMatch(/^A column like this is called a foreign key\. \[1\]/);
    expect(answer.citations[0]).toMatchObject({ lessonSlug: 'relational-model', anchor: 'relationships-through-keys' });
    await expectQuotesInPassages(answer);
    // A plural term finds its singular introduction.
    const plural = await (await ask(token, { question: 'What are foreign keys?' })).json<Answer>();
    expect(plural.citations[0]).toMatchObject({ lessonSlug: 'relational-model', anchor: 'relationships-through-keys' });
  });

  it('answers "what is X?" from the lessons named after X, and a bold verb made from X does not introduce it', async () => {
    await givenSampleCourse();
    const { token } = await givenLearner(null);
    // Recursive CTEs use self-joins at length; "**Joining the wrong columns.**" opens a list of mistakes.
    const answer = await (await ask(token, { question: 'what is a join?' })).json<Answer>();
    expect(answer.covered).toBe(true);
    for (const citation of answer.citations) {
      expect(['inner-joins', 'outer-joins', 'self-and-many-to-many-joins']).toContain(citation.lessonSlug);
      expect(citation.anchor).not.toBe('common-mistakes');
    }
    await expectQuotesInPassages(answer);
  });

  it.each([
    ['What is the difference between WHERE and HAVING?', {}],
    ['when should I use HAVING instead of WHERE?', {}],
    ['WHERE vs HAVING', {}],
    // In lower case, as learners type them.
    ['where vs having', {}],
    ['when to use having instead of where', {}],
    ['What is the difference between WHERE and HAVING?', { scope: 'lesson', lessonSlug: 'group-by-and-having' }],
  ])('answers "%s" %j from the passage about both keywords', async (question, options) => {
    await givenSampleCourse();
    const { token } = await givenLearner(null);
    const answer = await (await ask(token, { question, ...options })).json<Answer>();
    expect(answer.covered).toBe(true);
    expect(answer.citations[0]?.lessonSlug).toBe('group-by-and-having');
    expect(answer.answer).toMatch(/HAVING/);
    expect(answer.answer).toMatch(/WHERE/);
    await expectQuotesInPassages(answer);
  });

  it('corrects a question that states what the course contradicts, first and with its citation', async () => {
    await givenSampleCourse();
    const { token } = await givenLearner(null);
    const answer = await (await ask(token, { question: 'WHERE runs after GROUP BY, right?' })).json<Answer>();
    // The course lists the clauses in their logical order: WHERE (2.) before GROUP BY (3.).
    expect(answer.answer).toMatch(
      /^Not quite: The clauses of a grouped query run in a fixed logical order: .*WHERE.*GROUP BY[^[]* \[1\]/,
    );
    expect(answer.citations[0]).toMatchObject({
      lessonSlug: 'group-by-and-having',
      anchor: 'where-filters-rows-having-filters-groups',
    });
    // The sentences of the list are said once, in the lead.
    expect(answer.answer.match(/The clauses of a grouped query run/g)).toHaveLength(1);
    await expectQuotesInPassages(answer);
    const agreed = await (await ask(token, { question: 'HAVING runs after grouping, right?' })).json<Answer>();
    expect(agreed.answer).toMatch(
      /^Yes: The clauses of a grouped query run in a fixed logical order: .*GROUP BY.*HAVING[^[]* \[1\]/,
    );
  });

  it('says the course does not cover a question about something else, citing nothing', async () => {
    await givenSampleCourse();
    const { token } = await givenLearner(null);
    for (const question of ['How do I bake sourdough bread?', 'xyzzy plugh']) {
      const answer = await (await ask(token, { question })).json<Answer>();
      expect(answer, question).toMatchObject({ answer: NOT_COVERED, covered: false, citations: [] });
    }
  });

  it('answers from the one lesson with scope lesson, and prefers the lesson being read otherwise', async () => {
    await givenSampleCourse();
    const { token } = await givenLearner(null);
    const question = 'What happens when I compare something with NULL?';
    const scoped = await (await ask(token, { question, scope: 'lesson', lessonSlug: 'filtering-with-where' })).json<Answer>();
    expect(scoped.covered).toBe(true);
    expect(new Set(scoped.citations.map((c) => c.lessonSlug))).toEqual(new Set(['filtering-with-where']));
    await expectQuotesInPassages(scoped);
    const text = await (
      await ask(token, { question, scope: 'lesson', lessonSlug: 'filtering-with-where', format: 'text' })
    ).json<Answer>();
    expect(text.answer).not.toMatch(/[`*]/);
  });

  it("answers from one course with scope course: the one named, else the lesson's; scope all from every course", async () => {
    await givenSampleCourse();
    await env.DB.prepare("INSERT INTO courses (id, title, updated_at) VALUES ('other-course', 'Other', '2026-12-01')").run();
    await indexItem(
      depsFor(env, {}),
      {
        kind: 'lesson',
        id: 'py-sorting',
        contentHash: 'py-sorting-v1'.padEnd(16, '0'),
        courseId: 'other-course',
        partSlug: 'basics',
        chapterSlug: null,
        layer: 'L1',
        sourceType: 'lesson',
      },
      '## Sorting a frame\n\nThe sort_values method sorts the rows of a frame from the highest value to the lowest one.\n',
      'markdown',
    );
    const { token } = await givenLearner(null);
    const question = 'How do I sort rows from highest to lowest?';
    const lessonsOf = (answer: Answer) => new Set(answer.citations.map((c) => c.lessonSlug));
    const other = await (await ask(token, { question, course: 'other-course' })).json<Answer>();
    expect(other.covered).toBe(true);
    expect(lessonsOf(other)).toEqual(new Set(['py-sorting']));
    const sample = await (await ask(token, { question, course: 'sample' })).json<Answer>();
    expect(sample.covered).toBe(true);
    expect(lessonsOf(sample).has('py-sorting')).toBe(false);
    // The lesson being read names the course.
    const reading = await (await ask(token, { question, lessonSlug: 'filtering-with-where' })).json<Answer>();
    expect(lessonsOf(reading).has('py-sorting')).toBe(false);
    expect(reading.suggestions.map((s) => s.lessonSlug)).not.toContain('py-sorting');
    // No course named and no lesson, or scope all: every course.
    for (const json of [{ question }, { question, scope: 'all' }]) {
      const everywhere = await (await ask(token, json)).json<Answer>();
      expect([...lessonsOf(everywhere), ...everywhere.suggestions.map((s) => s.lessonSlug)]).toContain('py-sorting');
    }
    await expectQuotesInPassages(other);
  });

  it('answers a question typed in full-width letters or with zero-width spaces as the plain one, so neither poisons the shared cache', async () => {
    await givenSampleCourse();
    const first = await givenLearner(null);
    // Asked first in full-width letters: answered as the plain question, not "not covered" for everyone after.
    const wide = await (
      await ask(first.token, {
        question: 'ｈｏｗ ｄｏ Ｉ ｋｅｅｐ ｏｎｌｙ ｔｈｅ ｒｏｗｓ ｔｈａｔ ｍａｔｃｈ ａ ｃｏｎｄｉｔｉｏｎ？',
      })
    ).json<Answer>();
    expect(wide).toMatchObject({ covered: true, cached: false });
    expect(wide.citations.map((c) => c.lessonSlug)).toContain('filtering-with-where');
    const second = await givenLearner(null);
    const plain = await (
      await ask(second.token, { question: 'How do I keep only the rows that match a condition?' })
    ).json<Answer>();
    expect(plain).toMatchObject({ covered: true, cached: true, answer: wide.answer });
    const hidden = await (
      await ask(second.token, { question: 'How do I keep only the ro\u200bws that match a con\u200bdition?' })
    ).json<Answer>();
    expect(hidden).toMatchObject({
      cached: true,
      answer: wide.answer,
      question: 'How do I keep only the rows that match a condition?',
    });
  });

  it('misses the cache once the course changes', async () => {
    await givenSampleCourse();
    const { token } = await givenLearner(null);
    const question = 'How do I sort rows from highest to lowest?';
    await ask(token, { question });
    expect((await (await ask(token, { question })).json<Answer>()).cached).toBe(true);
    await indexItem(
      depsFor(env, {}),
      {
        kind: 'lesson',
        id: 'sorting-and-limiting',
        contentHash: 'changed-version-0',
        courseId: 'sample',
        partSlug: 'foundations',
        chapterSlug: null,
        layer: 'L1',
        sourceType: 'lesson',
      },
      '## Sorting\n\nORDER BY price DESC sorts rows from the highest price to the lowest one.\n',
      'markdown',
    );
    const after = await (await ask(token, { question })).json<Answer>();
    expect(after.cached).toBe(false);
    expect(after.citations.some((c) => c.quote.includes('from the highest price to the lowest one'))).toBe(true);
  });

  it.each([
    ['an empty question', { question: '   ' }, 400, 'json/question'],
    ['a question of zero-width spaces only', { question: '\u200b\u200b \u200b' }, 400, 'json/question'],
    ['a 10,000-character question', { question: 'why '.repeat(2500) }, 400, 'json/question'],
    ['scope lesson without a lesson', { question: 'what is NULL', scope: 'lesson' }, 400, 'json/lessonSlug'],
    ['an unknown scope', { question: 'what is NULL', scope: 'everything' }, 400, 'json/scope'],
    ['an unknown lesson', { question: 'what is NULL', lessonSlug: 'no-such-lesson' }, 404, 'json/lessonSlug'],
    ['a malformed lesson slug', { question: 'what is NULL', lessonSlug: 'Not A Slug' }, 400, 'json/lessonSlug'],
    ['an unknown course', { question: 'what is NULL', course: 'no-such-course' }, 404, 'json/course'],
    ['a malformed course', { question: 'what is NULL', course: 'Not A Slug' }, 400, 'json/course'],
    ['an unknown field', { question: 'what is NULL', model: 'gpt' }, 400, 'json/model'],
    ['an offensive question', { question: 'what the fuck is a join' }, 400, 'json/question'],
  ])('refuses %s with a problem naming the field', async (_name, json, status, field) => {
    await givenSampleCourse();
    const { token } = await givenLearner(null);
    const response = await ask(token, json);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect((await response.json<Problem>()).errors?.map((e) => e.field)).toContain(field);
  });

  it('takes legitimate questions that only look rude or mention instructions', async () => {
    await givenSampleCourse();
    const { token } = await givenLearner(null);
    for (const question of [
      'Does GROUP BY ignore NULL values?',
      'What is an analytic window function?',
      'Which system table holds the schema?',
      // Words of data and names, not insults: a health dataset, a running total, a customer.
      'how to count patients by sex',
      'how to compute the cum_sum column of a running total',
      'how do I find Dick Smith in the authors table',
      'how many penis and vagina cases does the clinic table have',
    ]) {
      expect((await ask(token, { question })).status, question).toBe(200);
    }
    // Insults and slurs are still refused, however they are spelt.
    for (const question of [
      'what the fuck is a join',
      'why is this shit query slow',
      'you stupid cunt, what is NULL',
      'fuuuck joins',
    ]) {
      expect((await ask(token, { question })).status, question).toBe(400);
    }
  });

  it('streams meta, the verified citations, the answer sentence by sentence, then done', async () => {
    await givenSampleCourse();
    const { token } = await givenLearner(null);
    const response = await api('/api/answers/stream', {
      method: 'POST',
      key: token,
      json: { question: 'How do I keep only the rows that match a condition?' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = [...(await response.text()).matchAll(/event: (\w+)\ndata: (.*)\n/g)].map((m) => ({
      event: m[1],
      data: JSON.parse(m[2] ?? 'null') as unknown,
    }));
    expect(events[0]).toEqual({ event: 'meta', data: { scope: 'course', engine: 'offline', cached: false } });
    expect(events[1]?.event).toBe('citations');
    const done = events.at(-1);
    expect(done?.event).toBe('done');
    const answer = done?.data as Answer;
    expect(events[1]?.data).toEqual({ citations: answer.citations });
    const deltas = events.filter((e) => e.event === 'delta').map((e) => (e.data as { text: string }).text);
    expect(deltas.length).toBeGreaterThan(0);
    expect(deltas.join('')).toBe(answer.answer);
  });

  it('answers a stream’s bad input with problem+json before any event', async () => {
    await givenSampleCourse();
    const { token } = await givenLearner(null);
    for (const [json, status] of [
      [{ question: '' }, 400],
      [{ question: 'what is NULL', lessonSlug: 'no-such-lesson' }, 404],
    ] as const) {
      const response = await api('/api/answers/stream', { method: 'POST', key: token, json });
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it('needs a learner token', async () => {
    expect((await api('/api/answers', { method: 'POST', json: { question: 'what is NULL' } })).status).toBe(401);
  });
});

describe('ask the course with a configured model', () => {
  const question = 'How do I keep only the rows that match a condition?';
  const askWith = async (token: string, vars: Record<string, string>, json: Record<string, unknown> = { question }) =>
    api('/api/answers', { method: 'POST', key: token, json, vars });

  it('keeps the model’s sentences its passages support, cites them verified, and drops the rest', async () => {
    await givenSampleCourse();
    const { token } = await givenLearner(null);
    const fake = await givenFakeModel([
      {
        content:
          'A WHERE clause keeps only the rows for which its condition is true [1]. The moon orbits the earth every month [1]. Sorting happens in the kitchen [7].',
        usage: { prompt_tokens: 900, completion_tokens: 40 },
      },
    ]);
    const answer = await (await askWith(token, fake.vars)).json<Answer>();
    expect(answer).toMatchObject({ engine: 'model', covered: true, engineNote: null, cached: false });
    expect(answer.answer).toMatch(/^A WHERE clause keeps only the rows for which its condition is true\. \[1\]$/);
    expect(answer.usage).toMatchObject({ promptTokens: 900, completionTokens: 40 });
    await expectQuotesInPassages(answer);
    // The question and every passage sat between delimiters the learner could not guess.
    const [call] = await fake.calls();
    const user = call?.messages.find((m) => m.role === 'user')?.content ?? '';
    const nonce = /<<<QUESTION-([0-9a-f]{32})/.exec(user)?.[1] ?? '';
    expect(nonce).toHaveLength(32);
    expect(user).toContain(`${question}\nQUESTION-${nonce}>>>`);
    expect(user).toContain(`<<<PASSAGE-${nonce} n=1`);
    expect((await (await askWith(token, fake.vars)).json<Answer>()).cached).toBe(true);
  });

  it('says the course does not cover it when the model says so, or when none of its sentences holds', async () => {
    await givenSampleCourse();
    const { token } = await givenLearner(null);
    for (const content of [NOT_COVERED, 'Rows are kept by the magic of unicorns [1].']) {
      const fake = await givenFakeModel([{ content }]);
      const answer = await (await askWith(token, fake.vars)).json<Answer>();
      expect(answer, content).toMatchObject({ engine: 'model', covered: false, answer: NOT_COVERED, citations: [] });
    }
  });

  it.each([
    // Its prompt's opening words (a canary is drawn per request; the check of it is shared with personalization's, tested there).
    ['repeats its instructions', (system: string) => `${system.slice(0, 200)} [1].`],
    ['adds a link the passages lack', () => 'A WHERE clause keeps only matching rows, see https://evil.test/phish [1].'],
  ])('answers offline, saying why, when the model %s', async (_name, reply) => {
    await givenSampleCourse();
    const { token } = await givenLearner(null);
    const probe = await givenFakeModel([{ content: 'A WHERE clause keeps rows [1].' }]);
    await askWith(token, probe.vars);
    const system = (await probe.calls())[0]?.messages.find((m) => m.role === 'system')?.content ?? '';
    expect(system).toContain('untrusted data');
    const fake = await givenFakeModel([{ content: reply(system) }]);
    const answer = await (await askWith(token, fake.vars)).json<Answer>();
    expect(answer.engine).toBe('offline');
    expect(answer.engineNote).toMatch(/safety check/);
    expect(answer.covered).toBe(true);
    expect(answer.answer).not.toContain('evil.test');
    expect(answer.answer).not.toContain(system.slice(0, 60));
  });

  it('answers offline when the model fails, when the budget is spent, and for a learner who declined a model', async () => {
    await givenSampleCourse();
    const failing = await givenFakeModel([{ status: 500 }]);
    const { token } = await givenLearner(null);
    const failed = await (await askWith(token, failing.vars)).json<Answer>();
    expect(failed).toMatchObject({ engine: 'offline', covered: true });
    expect(failed.engineNote).toMatch(/unavailable/);

    const spent = await givenFakeModel([{ content: 'A WHERE clause keeps only the rows for which its condition is true [1].' }], {
      GENERATION_DAILY_BUDGET: '0',
    });
    const overBudget = await (await askWith(token, spent.vars)).json<Answer>();
    expect(overBudget.engine).toBe('offline');
    expect(overBudget.engineNote).toMatch(/used today's 0 model answers/);

    const declined = await givenLearner(null);
    const consent = await api('/api/learners/me/consent', {
      method: 'PUT',
      key: declined.token,
      json: { model: false, analytics: true },
    });
    expect(consent.status).toBe(200);
    const model = await givenFakeModel([{ content: 'A WHERE clause keeps only the rows for which its condition is true [1].' }]);
    const offline = await (await askWith(declined.token, model.vars)).json<Answer>();
    expect(offline).toMatchObject({ engine: 'offline', engineNote: null });
    expect(await model.calls()).toEqual([]);
  });
});
