import { cp, mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCourseTree } from './course-tree';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
const outline = (course: Awaited<ReturnType<typeof loadCourseTree>>) =>
  course.manifest.lessons.map((l) => `${l.partSlug}/${l.chapterSlug}/${l.slug}`);

describe('our own frontmatter', () => {
  it('reads course, sections and every lesson field', async () => {
    const course = await loadCourseTree(fixture('native'));
    expect(course.problems).toEqual([]);
    expect(course.layout).toBe('native');
    expect(course.manifest.course).toEqual({
      slug: 'tiny-course',
      title: 'Tiny course',
      summary: 'Two lessons for tests.',
      conceptLinks: [{ concept: 'joins', course: 'practical-sql', courseConcept: 'inner-join' }],
    });
    expect(course.manifest.parts).toEqual([{ slug: 'basics', title: 'Basics', summary: 'Where it starts.', position: 0 }]);
    expect(course.manifest.chapters).toEqual([
      { slug: 'start', partSlug: 'basics', title: 'Getting started', summary: '', position: 0 },
    ]);
    expect(outline(course)).toEqual(['basics/start/hello', 'basics/start/world']);
    const [hello, world] = course.manifest.lessons;
    expect(hello).toMatchObject({
      title: 'Hello',
      layer: 'L1',
      minutes: 5,
      difficulty: 1,
      objectives: ['Say hello'],
      quiz: [
        {
          question: 'What do you say?',
          choices: ['hello', 'goodbye'],
          answer: 0,
          explanation: 'It is a greeting.',
          concept: 'greeting',
          difficulty: 1,
        },
      ],
    });
    expect(world).toMatchObject({ layer: 'L2', prerequisites: ['hello'], concepts: ['null', 'joins'], difficulty: 3 });
  });

  it('rewrites links to lessons and local files, uploads linked files, and leaves code alone', async () => {
    const course = await loadCourseTree(fixture('native'));
    const hello = course.manifest.lessons[0];
    const body = new TextDecoder().decode(course.blobs.get(hello?.contentHash ?? '')?.bytes);
    expect(body).toContain('[next lesson](/lessons/world#details)');
    expect(body).toMatch(/!\[a figure\]\(\/api\/content\/assets\/[0-9a-f]{64}\)/);
    expect(body).toContain('[not a link](./nope.md)');
    expect(course.manifest.blobs.map((b) => b.contentType).sort()).toEqual(['image/png', 'text/markdown', 'text/markdown']);
  });

  it('starts every lesson slug, prerequisite and quiz id with the course slug with --prefix-slugs, links included', async () => {
    const plain = await loadCourseTree(fixture('native'));
    const course = await loadCourseTree(fixture('native'), { prefixSlugs: true });
    expect(course.problems).toEqual([]);
    expect(course.manifest.lessons.map((l) => l.slug)).toEqual(plain.manifest.lessons.map((l) => `tiny-course-${l.slug}`));
    expect(course.manifest.lessons.flatMap((l) => l.prerequisites)).toEqual(
      plain.manifest.lessons.flatMap((l) => l.prerequisites.map((p) => `tiny-course-${p}`)),
    );
    const hello = course.manifest.lessons[0];
    const body = new TextDecoder().decode(course.blobs.get(hello?.contentHash ?? '')?.bytes);
    expect(body).toContain('[next lesson](/lessons/tiny-course-world#details)');
    // The course itself keeps its slug.
    expect(course.manifest.course.slug).toBe('tiny-course');
  });

  it('hashes the same tree to the same manifest every time', async () => {
    const [a, b] = await Promise.all([loadCourseTree(fixture('native')), loadCourseTree(fixture('native'))]);
    expect(a.manifest).toEqual(b.manifest);
  });
});

describe('trees from other doc tools import without edits', () => {
  it('reads a Docusaurus tree: _category_.json labels and positions, sidebar_position, first heading as title, MDX', async () => {
    const course = await loadCourseTree(fixture('docusaurus'));
    expect(course.problems).toEqual([]);
    expect(course.layout).toBe('docusaurus');
    expect(course.manifest.course.title).toBe('My Site');
    expect(course.manifest.parts.map((p) => p.title)).toEqual(['Overview', 'Tutorial - Basics', 'Tutorial - Extras']);
    expect(outline(course)).toEqual([
      'overview/overview/intro',
      'tutorial-basics/tutorial-basics/create-a-page',
      'tutorial-basics/tutorial-basics/congratulations',
      'tutorial-extras/tutorial-extras/manage-docs-versions',
      'tutorial-extras/tutorial-extras/tutorial-extras-congratulations',
    ]);
    const page = course.manifest.lessons[1];
    expect(page?.title).toBe('Create a Page');
    const pageBody = new TextDecoder().decode(course.blobs.get(page?.contentHash ?? '')?.bytes);
    expect(pageBody).not.toMatch(/^# Create a Page/m);
    expect(pageBody).toContain('**My tip**');
    expect(pageBody).not.toContain(':::');
    const versions = course.manifest.lessons[3];
    expect(versions).toMatchObject({ summary: 'Versions of your docs.', concepts: ['versioning', 'docs'] });
    const versionsBody = new TextDecoder().decode(course.blobs.get(versions?.contentHash ?? '')?.bytes);
    expect(versionsBody).not.toContain('import Tabs');
    expect(versionsBody).not.toContain('<Tabs>');
    expect(versionsBody).toContain('Release a version with a command.');
    expect(versionsBody).toMatch(/\/api\/content\/assets\/[0-9a-f]{64}/);
  });

  it('reads a Starlight tree under src/content/docs, keeping colliding file names apart', async () => {
    const course = await loadCourseTree(fixture('starlight'));
    expect(course.problems).toEqual([]);
    expect(course.layout).toBe('starlight');
    expect(course.manifest.course.title).toBe('Starlight Docs');
    // The splash landing page is not a lesson.
    expect(course.skipped.map((s) => [basename(s.file), s.message])).toEqual([
      ['index.mdx', 'a splash landing page (template: splash), not a lesson'],
    ]);
    expect(outline(course)).toEqual(['guides/guides/example', 'reference/reference/reference-example']);
    expect(course.manifest.lessons[0]).toMatchObject({
      title: 'Example Guide',
      summary: 'A guide in my new Starlight docs site.',
    });
  });

  it('reads a Starlight site with locales: the default locale only, its 404, splash and text-less pages skipped', async () => {
    const course = await loadCourseTree(fixture('starlight-i18n'));
    expect(course.problems).toEqual([]);
    expect(course.variant).toMatchObject({ locale: null, locales: ['root', 'de', 'ja', 'zh-cn'], untranslated: [] });
    // The root locale's language, from its `lang` in astro.config.
    expect(course.manifest.course).toMatchObject({ slug: 'stargazing', title: 'Stargazing', language: 'en' });
    // No locale folder became a part.
    expect(course.manifest.parts.map((p) => p.slug)).toEqual(['overview', 'guides', 'reference']);
    expect(outline(course)).toEqual([
      'overview/overview/getting-started',
      'guides/guides/observing',
      'guides/guides/telescopes',
      'reference/reference/magnitudes',
    ]);
    expect(course.skipped.map((s) => [basename(s.file), s.message])).toEqual([
      ['404.md', 'a 404 page, not a lesson'],
      ['index.mdx', 'a splash landing page (template: splash), not a lesson'],
      ['glossary.md', 'no text after the frontmatter and title, not a lesson'],
    ]);
  });

  it.each([
    ['de', ['Erste Schritte', 'Den Mond beobachten', 'Choosing a telescope', 'Magnitudes'], 2],
    // A translation may change the extension (.mdx to .md).
    ['ja', ['はじめに', 'Observing the Moon', 'Choosing a telescope', 'Magnitudes'], 3],
  ])(
    'imports the Starlight locale %s with --locale, untranslated pages in the default language',
    async (locale, titles, missing) => {
      const course = await loadCourseTree(fixture('starlight-i18n'), { locale });
      expect(course.problems).toEqual([]);
      expect(course.manifest.course.slug).toBe(`stargazing-${locale}`);
      expect(course.manifest.course.language).toBe(locale);
      expect(course.manifest.lessons.map((l) => l.title)).toEqual(titles);
      // The same lessons, parts and order as the default locale, each lesson slug ending in the locale
      // (the locale is a course of its own beside the default one, and slugs are unique across the catalog).
      const defaults = await loadCourseTree(fixture('starlight-i18n'));
      expect(outline(course)).toEqual(outline(defaults).map((o) => `${o}-${locale}`));
      const prerequisites = (c: typeof course) => c.manifest.lessons.flatMap((l) => l.prerequisites);
      expect(prerequisites(course)).toEqual(prerequisites(defaults).map((p) => `${p}-${locale}`));
      expect(course.variant.untranslated).toHaveLength(missing);
      expect(course.skipped.map((s) => basename(s.file))).toContain('404.md');
    },
  );

  it('names the locales a Starlight site has when asked for another, and finds locales from folders without a config', async () => {
    const course = await loadCourseTree(fixture('starlight-i18n'), { locale: 'fr' });
    expect(course.problems.map((p) => p.message)).toEqual([
      '--locale fr: this site has no such locale (it has: root, de, ja, zh-cn)',
    ]);
    const bare = await mkdtemp(join(tmpdir(), 'starlight-'));
    const docs = join(bare, 'src/content/docs');
    for (const dir of ['', 'guides', 'de', 'de/guides']) await mkdir(join(docs, dir), { recursive: true });
    await writeFile(join(docs, 'start.md'), '---\ntitle: Start\n---\n\nBegin here.\n');
    await writeFile(join(docs, 'guides/one.md'), '---\ntitle: One\n---\n\nThe first guide.\n');
    await writeFile(join(docs, 'de/start.md'), '---\ntitle: Anfang\n---\n\nHier beginnen.\n');
    await writeFile(join(docs, 'de/guides/one.md'), '---\ntitle: Eins\n---\n\nDie erste Anleitung.\n');
    const found = await loadCourseTree(bare);
    expect(found.variant.locales).toEqual(['root', 'de']);
    expect(outline(found)).toEqual(['overview/overview/start', 'guides/guides/one']);
    expect((await loadCourseTree(bare, { locale: 'de' })).manifest.lessons.map((l) => l.title)).toEqual(['Anfang', 'Eins']);
  });

  it('reads the current docs of a Docusaurus site by default, a version with --version and a translation with --locale', async () => {
    const current = await loadCourseTree(fixture('docusaurus-versions'));
    expect(current.problems).toEqual([]);
    expect(current.variant).toMatchObject({ locale: null, version: null, locales: ['en', 'fr'], versions: ['1.1', '1.0'] });
    expect(current.manifest.course).toMatchObject({ slug: 'tide-tables', title: 'Tide Tables', language: 'en' });
    expect(outline(current)).toEqual(['overview/overview/intro', 'basics/basics/first-steps', 'basics/basics/spring-and-neap']);
    expect(current.skipped.map((s) => basename(s.file))).toEqual(['coming-soon.md']);

    const older = await loadCourseTree(fixture('docusaurus-versions'), { version: '1.1' });
    expect(older.problems).toEqual([]);
    expect(older.manifest.course).toMatchObject({ slug: 'tide-tables-1-1', title: 'Tide Tables 1.1' });
    expect(outline(older)).toEqual(['overview/overview/intro-1-1', 'basics/basics/first-steps-1-1']);
    expect(older.manifest.lessons.every((l) => l.sourcePath.startsWith('versioned_docs/version-1.1/'))).toBe(true);
    expect((await loadCourseTree(fixture('docusaurus-versions'), { version: 'current' })).manifest).toEqual(current.manifest);

    const french = await loadCourseTree(fixture('docusaurus-versions'), { locale: 'fr' });
    expect(french.problems).toEqual([]);
    expect(french.manifest.course.slug).toBe('tide-tables-fr');
    expect(french.manifest.course.language).toBe('fr');
    expect(french.manifest.lessons.map((l) => l.title)).toEqual([
      'Lire un annuaire des marées',
      'Premiers pas',
      'Spring and neap tides',
    ]);
    expect(french.variant.untranslated).toEqual(['docs/basics/spring-and-neap.md']);

    const frenchOlder = await loadCourseTree(fixture('docusaurus-versions'), { locale: 'fr', version: '1.1' });
    expect(frenchOlder.manifest.course.slug).toBe('tide-tables-fr-1-1');
    expect(frenchOlder.manifest.lessons.map((l) => l.title)).toEqual(['Lire un annuaire des marées', 'First steps']);
  });

  it('reports a versions.json that is not a JSON list of names instead of guessing the versions', async () => {
    const copy = await mkdtemp(join(tmpdir(), 'docusaurus-'));
    await cp(fixture('docusaurus-versions'), copy, { recursive: true });
    await writeFile(join(copy, 'versions.json'), '["1.1", "1.0",]');
    const broken = await loadCourseTree(copy);
    expect(broken.problems.map((p) => `${basename(p.file)}:${p.line}: ${p.message.split(':')[0] ?? ''}`)).toEqual([
      'versions.json:1: not valid JSON',
    ]);
    await writeFile(join(copy, 'versions.json'), '{ "current": "1.1" }');
    expect((await loadCourseTree(copy)).problems.map((p) => p.message)).toEqual([
      'must be a JSON list of version names, such as ["1.1", "1.0"]',
    ]);
    await writeFile(join(copy, 'versions.json'), '["1.1"]');
    const fixed = await loadCourseTree(copy);
    expect(fixed.problems).toEqual([]);
    expect(fixed.variant.versions).toEqual(['1.1']);
  });

  it('orders a Docusaurus tree as its sidebars.js does, parts and lessons, and a version as its versioned sidebar', async () => {
    const root = await mkdtemp(join(tmpdir(), 'docusaurus-'));
    for (const dir of ['docs/tutorial', 'docs/guides', 'versioned_docs/version-1.0/tutorial', 'versioned_sidebars'])
      await mkdir(join(root, dir), { recursive: true });
    const page = (title: string) => `# ${title}\n\nAbout ${title.toLowerCase()}.\n`;
    await writeFile(join(root, 'docusaurus.config.js'), "module.exports = { title: 'Sidebar Site' };\n");
    await writeFile(join(root, 'docs/intro.md'), page('Intro'));
    await writeFile(join(root, 'docs/tutorial/01-basics.md'), page('Basics'));
    await writeFile(join(root, 'docs/tutorial/02-setup.md'), page('Setup'));
    await writeFile(join(root, 'docs/guides/deploy.md'), `---\nid: shipping\n---\n${page('Deploy')}`);
    await writeFile(join(root, 'docs/guides/unlisted.md'), page('Unlisted'));
    await writeFile(
      join(root, 'sidebars.js'),
      [
        '// The order readers see.',
        'module.exports = {',
        "  docs: ['intro', { type: 'category', label: 'Guides', items: ['guides/shipping'] },",
        "    { type: 'category', label: 'Tutorial', items: ['tutorial/setup', 'tutorial/basics'] }],",
        '};',
      ].join('\n'),
    );
    const course = await loadCourseTree(root);
    expect(course.problems).toEqual([]);
    // Guides before Tutorial, setup before basics (against their number prefixes), the unlisted page last in its part.
    expect(outline(course)).toEqual([
      'overview/overview/intro',
      'guides/guides/shipping',
      'guides/guides/unlisted',
      'tutorial/tutorial/setup',
      'tutorial/tutorial/basics',
    ]);

    await writeFile(join(root, 'versions.json'), '["1.0"]');
    await writeFile(join(root, 'versioned_docs/version-1.0/tutorial/a.md'), page('A'));
    await writeFile(join(root, 'versioned_docs/version-1.0/tutorial/b.md'), page('B'));
    await writeFile(
      join(root, 'versioned_sidebars/version-1.0-sidebars.json'),
      JSON.stringify({
        docs: [{ type: 'category', label: 'Tutorial', items: ['version-1.0/tutorial/b', 'version-1.0/tutorial/a'] }],
      }),
    );
    expect(outline(await loadCourseTree(root, { version: '1.0' }))).toEqual([
      'tutorial/tutorial/b-1-0',
      'tutorial/tutorial/a-1-0',
    ]);
  });

  it.each([
    [{ version: '2.0' }, '--version 2.0: no versioned_docs/version-2.0 (versions: current, 1.1, 1.0)'],
    [{ locale: 'de' }, '--locale de: no translation of the current docs in'],
    [{ locale: 'fr', version: '1.0' }, '--locale fr: no translation of the version 1.0 docs in'],
  ])('refuses a Docusaurus variant the tree does not have (%j), naming those it has', async (options, message) => {
    const course = await loadCourseTree(fixture('docusaurus-versions'), options);
    expect(course.problems).toHaveLength(1);
    expect(course.problems[0]?.message).toContain(message);
  });

  it('refuses --locale and --version for a tree of ours', async () => {
    const course = await loadCourseTree(fixture('native'), { locale: 'de' });
    expect(course.problems.map((p) => p.message)).toEqual(['--locale and --version need a Starlight or Docusaurus tree']);
  });

  it('reads a Carpentries lesson in config.yaml episode order, with objectives and minutes', async () => {
    const course = await loadCourseTree(fixture('carpentries'));
    expect(course.problems).toEqual([]);
    expect(course.layout).toBe('carpentries');
    expect(course.manifest.course.title).toBe('Plotting and Programming in Python');
    expect(outline(course)).toEqual(['episodes/episodes/introduction', 'episodes/episodes/variables']);
    expect(course.manifest.lessons[0]).toMatchObject({
      title: 'Running and Quitting',
      minutes: 15,
      objectives: ['Launch the JupyterLab server.', 'Create a new Python script.'],
    });
    expect(course.manifest.lessons[1]?.minutes).toBe(25);
    const body = new TextDecoder().decode(course.blobs.get(course.manifest.lessons[1]?.contentHash ?? '')?.bytes);
    expect(body).toContain('```r\n');
  });
});

describe('a tree with every kind of error', () => {
  it('reports each problem as file:line: message', async () => {
    const course = await loadCourseTree(fixture('errors'));
    const lines = course.problems.map(
      (p) => `${p.file.replace(/^.*fixtures\/errors\/01-part\/01-chapter\//, '')}:${p.line}: ${p.message}`,
    );
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^01-bad-yaml\.md:\d+: bad frontmatter: /) as string,
        '02-bad-layer.md:4: layer: must be L1 (foundations), L2 (applied) or L3 (advanced), not "L7"',
        '02-bad-layer.md:5: minutes: must be a whole number of minutes from 1 to 600',
        '04-dup-two.md:3: duplicate slug "same-slug" (also in cli/fixtures/errors/01-part/01-chapter/03-dup-one.md)',
        '05-unknown-prereq.md:5: unknown prerequisite "does-not-exist"',
        '06-cycle-a.md:5: prerequisite cycle: cycle-a -> cycle-b -> cycle-a',
        '08-empty.md:6: empty lesson: no text after the frontmatter and title',
        "09-bad-quiz.md:9: quiz: item 1: answer must be a choice's zero-based index (0-1) or its exact text",
        '09-bad-quiz.md:13: quiz: item 2: difficulty must be 1-5 or one of beginner, easy, intermediate, medium, advanced, hard',
      ]),
    );
    expect(lines).toHaveLength(9);
  });

  it('reports a missing folder instead of throwing', async () => {
    const course = await loadCourseTree(fixture('no-such-folder'));
    expect(course.problems).toEqual([
      { file: expect.stringContaining('no-such-folder') as string, line: 1, message: 'not a folder' },
    ]);
  });
});

describe('an older Jekyll-style Carpentries lesson', () => {
  it('reads _episodes/ in file order and turns its layout HTML and kramdown into markdown', async () => {
    const course = await loadCourseTree(fixture('carpentries-jekyll'));
    expect(course.problems).toEqual([]);
    expect(course.manifest.course.title).toBe('Shell Basics');
    expect(outline(course)).toEqual(['episodes/episodes/intro', 'episodes/episodes/filedir']);
    const filedir = course.manifest.lessons[1];
    expect(filedir).toMatchObject({
      minutes: 40,
      objectives: ['Explain the similarities and differences between a file and a directory.'],
    });
    const body = new TextDecoder().decode(course.blobs.get(filedir?.contentHash ?? '')?.bytes);
    expect(body).toMatch(/!\[The file system\]\(\/api\/content\/assets\/[0-9a-f]{64}\)/);
    expect(body).toContain('Press `Tab` to complete');
    expect(body).toContain('[the setup](/setup/)');
    expect(body).not.toMatch(/\{:|\{%|<p|<\/p>|<img/);
    expect(course.manifest.blobs.map((b) => b.contentType)).toContain('image/svg+xml');
  });
});

describe('problems only the server used to find', () => {
  it('reports duplicates and schema limits as file:line before anything is sent', async () => {
    const course = await loadCourseTree(fixture('errors-server'));
    const lines = course.problems.map((p) => `${p.file.replace(/^.*01-chapter\//, '')}:${p.line}: ${p.message}`);
    expect(lines.sort()).toEqual([
      '02-second.md:10: quiz.0.choices: Too big: expected array to have <=8 items',
      '02-second.md:5: prerequisites: "first" is listed twice',
      '02-second.md:8: quiz.0.id: quiz item id "shared-question" is already used in lesson "first"',
    ]);
  });

  it('reports a quiz id used in two lessons', async () => {
    const dir = await scratchCourse({
      'a.md':
        '---\ntitle: A\nslug: a\nconcepts: [x]\nquiz:\n  - id: same\n    question: Q\n    choices: [a, b]\n    answer: 0\n---\n\nText.\n',
      'b.md':
        '---\ntitle: B\nslug: b\nconcepts: [x]\nquiz:\n  - id: same\n    question: Q\n    choices: [a, b]\n    answer: 0\n---\n\nText.\n',
    });
    const course = await loadCourseTree(dir);
    expect(course.problems.map((p) => `${basename(p.file)}:${p.line}: ${p.message}`)).toEqual([
      'b.md:6: quiz.0.id: quiz item id "same" is already used in lesson "a"',
    ]);
  });
});

describe('links in imported trees', () => {
  it('never uploads a file that a symlink takes outside the course folder', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'outside-'));
    await writeFile(join(outside, 'secret.json'), '{"token":"s3cret"}');
    const dir = await scratchCourse({ 'a.md': '# A\n\nSee [data](data.json).\n' });
    await symlink(join(outside, 'secret.json'), join(dir, 'part', 'data.json'));
    const course = await loadCourseTree(dir);
    expect(course.problems).toEqual([]);
    expect(course.manifest.blobs.map((b) => b.contentType)).toEqual(['text/markdown']);
    expect(course.warnings.map((w) => w.message)).toEqual([
      'link "data.json" is a symlink out of the course folder; left as written',
    ]);
  });

  it('refuses a Carpentries episode listed outside the episodes folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'carp-'));
    await mkdir(join(dir, 'episodes'));
    await writeFile(join(dir, 'config.yaml'), 'title: T\nepisodes:\n- ../../secret.md\n');
    const course = await loadCourseTree(dir);
    expect(course.problems.map((p) => p.message)).toEqual(['episode "../../secret.md" is outside the episodes folder']);
  });

  it('warns about a malformed link at its real line instead of crashing', async () => {
    const dir = await scratchCourse({
      'a.mdx': "---\ntitle: A\n---\nimport X from 'x';\n\n# A\n\n:::note\n\nSee ![x](img%.png) and [gone](gone.md).\n",
    });
    const course = await loadCourseTree(dir);
    expect(course.problems).toEqual([]);
    expect(course.warnings.map((w) => `${w.line}: ${w.message}`)).toEqual([
      '10: link "img%.png" is not a valid URL; left as written',
      '10: link "gone.md" names a file that does not exist',
    ]);
  });
});

/** A one-part course in a temporary folder: files go into `part/`. */
async function scratchCourse(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'course-'));
  await mkdir(join(dir, 'part'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, 'part', name), text);
  return dir;
}

describe("the course index's concept-links", () => {
  const withIndex = async (index: string) => {
    const dir = await scratchCourse({ 'a.md': '---\nslug: a\ntitle: A\nconcepts: [select, joins]\n---\n\nText.\n' });
    await writeFile(join(dir, 'index.md'), index);
    return loadCourseTree(dir);
  };

  it('reads each link as another course, with the same concept slug or the one named after a slash', async () => {
    const course = await withIndex(
      '---\ntitle: Python data\nconcept-links:\n  select: practical-sql\n  joins: practical-sql/inner-join\n---\n',
    );
    expect(course.problems).toEqual([]);
    expect(course.manifest.course.conceptLinks).toEqual([
      { concept: 'select', course: 'practical-sql' },
      { concept: 'joins', course: 'practical-sql', courseConcept: 'inner-join' },
    ]);
  });

  it('reports a link that is not a course slug, or not pairs at all, at its line', async () => {
    const bad = await withIndex('---\ntitle: T\nconcept-links:\n  select: practical-sql\n  joins: Practical SQL/a/b\n---\n');
    expect(bad.problems.map((p) => `${basename(p.file)}:${p.line}: ${p.message}`)).toEqual([
      'index.md:5: concept-links: joins: expected "other-course" or "other-course/concept" (kebab-case slugs), got "Practical SQL/a/b"',
    ]);
    // The server's checks, run before anything is sent, point at the link's own line too.
    const refused = await withIndex(
      '---\ntitle: T\nslug: python-data\nconcept-links:\n  select: practical-sql\n  where: practical-sql\n  joins: python-data\n---\n',
    );
    expect(refused.problems.map((p) => `${basename(p.file)}:${p.line}: ${p.message}`)).toEqual([
      `index.md:6: course/conceptLinks/1/concept: "where" is not a concept of this course's lessons or quiz items`,
      'index.md:7: course/conceptLinks/2/course: a concept links to another course, not its own',
    ]);
    const list = await withIndex('---\ntitle: T\nconcept-links: [select]\n---\n');
    expect(list.problems.map((p) => `${p.line}: ${p.message.split(':')[0]}`)).toEqual(['3: concept-links']);
  });
});

describe('broken configuration', () => {
  it('reports a Carpentries config.yaml that is not valid YAML', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'carp-'));
    await mkdir(join(dir, 'episodes'));
    await writeFile(join(dir, 'config.yaml'), 'title: T\nepisodes: [a.md\n');
    const course = await loadCourseTree(dir);
    expect(course.problems.map((p) => `${basename(p.file)}: ${p.message.split(':')[0]}`)).toContain('config.yaml: bad YAML');
  });

  it('reports a title over 200 characters at its line instead of cutting it', async () => {
    const dir = await scratchCourse({ 'a.md': `---\nslug: a\ntitle: ${'x'.repeat(201)}\n---\n\nText.\n` });
    const course = await loadCourseTree(dir);
    expect(course.problems.map((p) => `${p.line}: ${p.message}`)).toEqual([
      '3: title: Too big: expected string to have <=200 characters',
    ]);
  });
});

describe('each problem at its own line, without knock-on problems', () => {
  const located = (course: Awaited<ReturnType<typeof loadCourseTree>>) =>
    course.problems.map((p) => `${basename(p.file)}:${p.line}: ${p.message}`);

  it('reports a YAML syntax error at its line in the file, counting the opening ---', async () => {
    const course = await loadCourseTree(fixture('broken-yaml'));
    expect(located(course)).toContain('01-joins.md:5: bad frontmatter: Nested mappings are not allowed in compact mappings');
  });

  it('still counts a lesson whose frontmatter is broken, so a lesson that requires it gets no unknown prerequisite', async () => {
    const fromFixture = await loadCourseTree(fixture('broken-yaml'));
    expect(located(fromFixture)).toEqual(['01-joins.md:5: bad frontmatter: Nested mappings are not allowed in compact mappings']);
    const dir = await scratchCourse({
      '01-setup.md': '---\ntitle: "Setup\n---\n\nText.\n',
      '02-next.md': '---\ntitle: Next\nslug: next\nprerequisites: [setup]\n---\n\nText.\n',
    });
    const course = await loadCourseTree(dir);
    expect(course.problems.map((p) => basename(p.file))).toEqual(['01-setup.md']);
  });

  it('points each quiz error at the offending field of its item, or at the item when the field is missing', async () => {
    const dir = await scratchCourse({
      'quiz.md': [
        '---',
        'title: Quiz',
        'slug: quiz',
        'concepts: [x]',
        'quiz:',
        '  - question: Fine?',
        '    choices: [a, b]',
        '    answer: 0',
        '  - question: Out of range?',
        '    choices: [a, b]',
        '    answer: 2',
        '  - question: No choices?',
        '    answer: 0',
        '  - question: Which concept?',
        '    choices: [a, b]',
        '    answer: a',
        '    concept: y',
        '---',
        '',
        'Text.',
        '',
      ].join('\n'),
    });
    const course = await loadCourseTree(dir);
    expect(located(course)).toEqual([
      "quiz.md:11: quiz: item 2: answer must be a choice's zero-based index (0-1) or its exact text",
      'quiz.md:12: quiz: item 3 needs at least two choices',
      'quiz.md:17: quiz: item 4: concept "y" is not one of the lesson\'s concepts',
    ]);
  });

  it('points a bad prerequisites entry at its own line', async () => {
    const dir = await scratchCourse({
      'intro.md': '---\ntitle: Intro\nslug: intro\n---\n\nText.\n',
      'next.md': '---\ntitle: Next\nslug: next\nprerequisites:\n  - intro\n  - Not A Slug\n---\n\nText.\n',
    });
    const course = await loadCourseTree(dir);
    expect(located(course)).toEqual(['next.md:6: prerequisites: "Not A Slug" is not a lesson slug']);
  });

  it('points a server-checked quiz field at its own item when an earlier item was rejected', async () => {
    const dir = await scratchCourse({
      'quiz.md': [
        '---',
        'title: Quiz',
        'slug: quiz',
        'quiz:',
        '  - question: No answer?',
        '    choices: [a, b]',
        '  - question: Too many choices?',
        '    answer: 0',
        '    choices: [a, b, c, d, e, f, g, h, i]',
        '---',
        '',
        'Text.',
        '',
      ].join('\n'),
    });
    const course = await loadCourseTree(dir);
    expect(located(course)).toEqual([
      "quiz.md:5: quiz: item 1: answer must be a choice's zero-based index (0-1) or its exact text",
      'quiz.md:9: quiz.1.choices: Too big: expected array to have <=8 items',
    ]);
  });

  it('suggests the closest lesson slug for a misspelt prerequisite, and nothing when none is close', async () => {
    const dir = await scratchCourse({
      'basics.md': '---\ntitle: Basics\nslug: joins-basics\n---\n\nText.\n',
      'advanced.md': '---\ntitle: Advanced\nslug: joins-advanced\n---\n\nText.\n',
      'next.md':
        '---\ntitle: Next\nslug: next\nprerequisites:\n  - joins-basic\n  - joins-advnced\n  - window-functions\n---\n\nText.\n',
    });
    const course = await loadCourseTree(dir);
    expect(located(course)).toEqual([
      'next.md:5: unknown prerequisite "joins-basic"; did you mean "joins-basics"?',
      'next.md:6: unknown prerequisite "joins-advnced"; did you mean "joins-advanced"?',
      'next.md:7: unknown prerequisite "window-functions"',
    ]);
  });

  it('reports a slug two lessons share once, not again as colliding quiz ids', async () => {
    const quiz = 'quiz:\n  - question: Q\n    choices: [a, b]\n    answer: 0\n';
    const dir = await scratchCourse({
      'a.md': `---\ntitle: A\nslug: same\n${quiz}---\n\nText.\n`,
      'b.md': `---\ntitle: B\nslug: same\n${quiz}---\n\nText.\n`,
    });
    const course = await loadCourseTree(dir);
    expect(course.problems.map((p) => `${basename(p.file)}:${p.line}: ${p.message.replace(/ \(also in .*\)$/, '')}`)).toEqual([
      'b.md:3: duplicate slug "same"',
    ]);
  });

  it('reports a broken folder index once, though it is read for the folder title and as a lesson', async () => {
    const dir = await scratchCourse({
      'index.md': '---\ntitle: "Part\n---\n\nText.\n',
      'next.md': '---\ntitle: Next\nprerequisites: [part]\n---\n\nText.\n',
    });
    const course = await loadCourseTree(dir);
    expect(located(course)).toEqual(['index.md:2: bad frontmatter: Missing closing "quote']);
  });

  it('reports every problem of an empty lesson with a bad slug, not just the first', async () => {
    const dir = await scratchCourse({
      'intro.md': '---\ntitle: Intro\nslug: intro\n---\n\nText.\n',
      '01-Bad Slug!.md': `---\ntitle: ${'x'.repeat(201)}\nslug: Bad Slug!\nlayer: L1\nprerequisites: [intro, intro]\n---\n`,
    });
    const course = await loadCourseTree(dir);
    expect(located(course).sort()).toEqual([
      '01-Bad Slug!.md:2: title: Too big: expected string to have <=200 characters',
      '01-Bad Slug!.md:3: slug: "Bad Slug!" must be kebab-case (a-z, 0-9, single dashes)',
      '01-Bad Slug!.md:5: prerequisites: "intro" is listed twice',
      '01-Bad Slug!.md:7: empty lesson: no text after the frontmatter and title',
    ]);
  });
});
