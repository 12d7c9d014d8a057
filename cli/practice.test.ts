import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPracticeLibrary, pushPracticeLibrary } from './practice';
import type { Api } from './push';

const SEEDS = 'seeds/practice';

/** A copy of the seed library with some files replaced or added. */
async function libraryWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'practice-'));
  for (const name of await readdir(SEEDS)) await writeFile(join(dir, name), await readFile(join(SEEDS, name)));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

const located = (problems: { file: string; line: number; message: string }[]) =>
  problems.map((p) => `${basename(p.file)}:${p.line}: ${p.message}`);

const variation = (id: string, fields: Record<string, string> = {}) =>
  [
    `- id: ${id}`,
    `  category: ${fields.category ?? 'reflect'}`,
    '  group: extra-group',
    `  title: ${fields.title ?? 'Say it back'}`,
    `  instructions: ${fields.instructions ?? 'Explain {concept} in two sentences.'}`,
    `  minutes: ${fields.minutes ?? '5'}`,
    '  difficulty: 2',
    '  archetypes: { sprinter: 0.5, builder: 0.5, diver: 0.5, explorer: 0.5 }',
    '  modes: { light: 0.5, standard: 0.5, intense: 0.5 }',
    `  times: ${fields.times ?? '[morning]'}`,
    `  completes: ${fields.completes ?? '{ kind: check_off }'}`,
  ].join('\n');

describe('the practice library', () => {
  it('ships at least 60 variations in seeds/, at least 6 per category, with no problem', async () => {
    const { variations, problems } = await loadPracticeLibrary(SEEDS);
    expect(problems).toEqual([]);
    expect(variations.length).toBeGreaterThanOrEqual(60);
    for (const category of ['review', 'learn', 'practice', 'apply', 'reflect', 'warm-up']) {
      const of = variations.filter((v) => v.category === category);
      expect(of.length, category).toBeGreaterThanOrEqual(6);
      expect(new Set(of.map((v) => v.group)).size, category).toBeGreaterThanOrEqual(3);
    }
  });

  it('reports each bad field at its own line, in every file, and keeps nothing', async () => {
    const dir = await libraryWith({
      'extra.yml': [
        variation('fine-one'),
        variation('Not A Slug', { minutes: '0' }),
        variation('bad-times', { times: '[noon]' }),
      ].join('\n'),
      'broken.yml': '- id: broken\n  category: reflect\n  title: [unclosed\n',
      'scalar.yml': 'just text\n',
    });
    const { problems } = await loadPracticeLibrary(dir);
    expect(located(problems)).toEqual([
      // The parser finds the unclosed list at the end of the file.
      expect.stringMatching(/^broken\.yml:4: bad YAML: /),
      'extra.yml:12: variation 2: id: must be a lowercase slug (a-z, 0-9 and single hyphens)',
      'extra.yml:17: variation 2: minutes: Too small: expected number to be >=1',
      'extra.yml:32: variation 3: times.0: Invalid option: expected one of "morning"|"afternoon"|"evening"|"night"',
      'scalar.yml:1: expected a YAML list of variations (each item starting with "- id:")',
    ]);
  });

  it('checks the library as a whole: ids unique across files, template fields and completions the category allows', async () => {
    const dir = await libraryWith({
      'extra.yml': [
        variation('reflect-explain-twice'),
        variation('review-with-a-lesson', {
          category: 'review',
          title: 'Review {lesson}',
          completes: '{ kind: reviews, count: 3 }',
        }),
        variation('apply-by-lesson', { category: 'apply', completes: '{ kind: lesson }' }),
        variation('learn-one-section', {
          category: 'learn',
          instructions: 'Read {section} of {lesson}.',
          completes: '{ kind: lesson }',
        }),
      ].join('\n'),
      'more.yml': variation('reflect-explain-twice'),
    });
    const { problems } = await loadPracticeLibrary(dir);
    expect(located(problems)).toEqual([
      'extra.yml:15: review-with-a-lesson: {lesson} is not a template field a review task can use ({count})',
      'extra.yml:16: review-with-a-lesson: {concept} is not a template field a review task can use ({count})',
      'extra.yml:33: apply-by-lesson: an apply task completes by check_off, not lesson',
      'extra.yml:44: learn-one-section: a task on one {section} is ticked off (check_off): a section has no completion of its own',
      expect.stringMatching(
        /^more\.yml:1: reflect-explain-twice: "reflect-explain-twice" is used twice \(also \S*extra\.yml:1\)$/,
      ),
    ]);
  });
});

describe('pushing the practice library', () => {
  it("replaces the default course's library, or the one --course names", async () => {
    const calls: string[] = [];
    const api = (method: string, path: string) => {
      calls.push(`${method} ${path}`);
      return Promise.resolve({ courseId: path.includes('course=') ? 'other-course' : 'sql', variations: 80 });
    };
    const lines: string[] = [];
    const out = { log: (line: string) => lines.push(line), error: (line: string) => lines.push(line) };
    expect(await pushPracticeLibrary(api as Api, { dir: SEEDS, dryRun: false, out })).toBe(true);
    expect(await pushPracticeLibrary(api as Api, { dir: SEEDS, dryRun: false, course: 'other-course', out })).toBe(true);
    expect(calls).toEqual(['PUT /api/admin/practice/library', 'PUT /api/admin/practice/library?course=other-course']);
    expect(lines.filter((l) => l.startsWith('stored'))).toEqual([
      'stored 80 variations for the course "sql"',
      'stored 80 variations for the course "other-course"',
    ]);
  });
});
