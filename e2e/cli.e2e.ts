import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { corruptPdfFixture, docxFixture, pdfFixture } from '../workers/test/source-fixtures';

const baseUrl = inject('baseUrl');
const key = inject('authorKey');

function content(...args: string[]) {
  const run = spawnSync('npx', ['tsx', 'cli/content.ts', ...args, '--target', baseUrl, '--key', key], { encoding: 'utf8' });
  return { status: run.status, out: run.stdout, err: run.stderr };
}

async function lessonCount(): Promise<number> {
  const book = (await (await fetch(`${baseUrl}/api/content/book`)).json()) as { lessonCount: number };
  return book.lessonCount;
}

describe('the author CLI against the running platform', () => {
  it('uploads nothing when the same tree is pushed again', () => {
    const run = content('push', 'seeds/course');
    expect(run.status).toBe(0);
    expect(run.out).toContain('added 0, changed 0, unchanged 24, removed 0');
    expect(run.out).toContain('uploaded 0 file(s)');
  });

  it('shows every seed lesson and source ingested with its chunks, and has nothing failed to retry', () => {
    const status = content('ingest');
    expect(status.status).toBe(0);
    expect(status.out).toMatch(/^ingested +\d+ chunks {2}filtering-with-where$/m);
    // 24 lessons and the 3 seed sources.
    expect(status.out).toMatch(/27 ingested, 0 pending, 0 failed; embedder hash-v2-384/);
    const retry = content('ingest', '--retry-failed');
    expect(retry.out).toContain('nothing failed; nothing queued');
  });

  it('validates first and pushes nothing from a tree with errors', async () => {
    const run = content('push', 'cli/fixtures/errors');
    expect(run.status).toBe(1);
    expect(run.err).toMatch(
      /cli\/fixtures\/errors\/01-part\/01-chapter\/05-unknown-prereq\.md:5: unknown prerequisite "does-not-exist"/,
    );
    expect(run.err).toContain('09-bad-quiz.md:13: quiz: item 2: difficulty must be 1-5');
    expect(run.err).toContain('9 problem(s); nothing was pushed.');
    expect(await lessonCount()).toBe(24);
  });

  it('shows what a Docusaurus tree would change on a dry run, and changes nothing', async () => {
    const run = content('push', 'cli/fixtures/docusaurus', '--dry-run', '--prune');
    expect(run.status).toBe(0);
    expect(run.out).toContain('docusaurus course "My Site" (my-site): 5 lessons');
    // Another course joins the catalog: pruning stays inside it, so none of the seed course's lessons would go.
    expect(run.out).toContain('added 5, changed 0, unchanged 0, removed 0');
    expect(run.out).toContain('dry run: would upload 6 file(s)');
    expect(await lessonCount()).toBe(24);
  });

  it('prints model usage as a table and writes it as CSV', () => {
    const report = (...args: string[]) =>
      spawnSync('npx', ['tsx', 'cli/report.ts', 'usage', ...args, '--target', baseUrl, '--key', key], { encoding: 'utf8' });
    const printed = report('--group-by', 'feature');
    expect(printed.status, printed.stderr).toBe(0);
    expect(printed.stdout).toMatch(/^Model usage \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}, by feature\n\n\| feature \| calls \|/);
    expect(printed.stdout).toMatch(/^\| total \| 0 \| 0 \| 0 \| 0 \| 0\.000000 \|$/m);
    const out = join(mkdtempSync(join(tmpdir(), 'learnedge-usage-')), 'usage.csv');
    const written = report('--out', out);
    expect(written.stdout).toContain(`wrote 0 row(s) and the total to ${out}`);
    expect(readFileSync(out, 'utf8')).toBe(
      'day,calls,failed_calls,prompt_tokens,completion_tokens,cost_usd\ntotal,0,0,0,0,0.000000\n',
    );
    const bad = report('--from', '2026-13-01');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('query/from');
  });

  it('refuses a push with a wrong key, showing the problem', () => {
    const run = spawnSync(
      'npx',
      ['tsx', 'cli/content.ts', 'push', 'seeds/course', '--target', baseUrl, '--key', `lek_${'z'.repeat(43)}`],
      { encoding: 'utf8' },
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('401 Authentication required: The author key is unknown or revoked');
  });
});

/** Runs the CLI without blocking this process (the search below runs while nothing else waits). */
function contentAsync(...args: string[]): Promise<{ status: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn('npx', ['tsx', 'cli/content.ts', ...args, '--target', baseUrl, '--key', key]);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (status) => resolve({ status, out, err }));
  });
}

describe('knowledge sources from the CLI', () => {
  it('adds PDF and DOCX files, reports the unreadable and unsupported ones, and makes the rest searchable until deleted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'learnedge-sources-'));
    const files = {
      pdf: join(dir, 'histograms.pdf'),
      docx: join(dir, 'sampling.docx'),
      broken: join(dir, 'broken.pdf'),
      png: join(dir, 'chart.png'),
    };
    writeFileSync(files.pdf, pdfFixture([['Cover page.'], ['Histograms bucket measurements into equal bins.']]));
    writeFileSync(
      files.docx,
      await docxFixture([
        { text: 'Sampling', style: 'Heading1' },
        { text: 'Stratified sampling draws from every stratum of the population.' },
      ]),
    );
    writeFileSync(files.broken, corruptPdfFixture());
    writeFileSync(files.png, new Uint8Array([0x89, 0x50, 0x4e, 0x47]));

    const run = await contentAsync('sources', 'add', files.pdf, files.docx, files.broken, files.png, '--wait');
    expect(run.status).toBe(1);
    expect(run.out).toMatch(/histograms\.pdf: added as src_[a-z2-7]{16} \(pdf\)/);
    expect(run.out).toMatch(/^ingested +\d+ chunks {2}src_\S+ {2}pdf +histograms$/m);
    expect(run.out).toMatch(/^ingested +\d+ chunks {2}src_\S+ {2}docx +sampling$/m);
    expect(run.err).toMatch(/^failed +0 chunks {2}src_\S+ {2}pdf +broken {2}\(the PDF is corrupt/m);
    expect(run.err).toContain('chart.png: 415');

    const search = await fetch(`${baseUrl}/api/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'histogram bins', filters: { sourceType: 'pdf' } }),
    });
    const { hits } = (await search.json()) as { hits: { itemId: string; href: string; page: number | null }[] };
    expect(hits[0]?.page).toBe(2);
    expect(hits[0]?.href).toMatch(/^\/api\/sources\/src_[a-z2-7]{16}\/file#page=2$/);
    const file = await fetch(`${baseUrl}${hits[0]?.href.split('#')[0] ?? ''}`);
    expect(file.headers.get('content-type')).toBe('application/pdf');

    // The seed sources the setup added stay; the ones this test added go.
    const ids = [...run.out.matchAll(/: added as (src_[a-z2-7]{16})/g)].map((m) => m[1] ?? '');
    expect(ids).toHaveLength(3);
    const listed = await contentAsync('sources', 'list');
    for (const id of ids) expect(listed.out).toContain(id);
    for (const id of ids) expect((await contentAsync('sources', 'delete', id)).status).toBe(0);
    const left = (await contentAsync('sources', 'list')).out;
    for (const id of ids) expect(left).not.toContain(id);
    expect(left).toContain('3 source(s)');
    const after = await fetch(`${baseUrl}/api/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'histogram bins', filters: { sourceType: 'pdf' } }),
    });
    expect(((await after.json()) as { hits: unknown[] }).hits).toEqual([]);
  });
});

describe('same-origin serving', () => {
  it('serves lesson URLs through the site page, the old ones by a redirect to their course, and unknown pages with 404', async () => {
    const old = await fetch(`${baseUrl}/lessons/transactions`, { redirect: 'manual' });
    expect([old.status, old.headers.get('location')]).toEqual([301, '/courses/practical-sql/lessons/transactions']);
    const lesson = await fetch(`${baseUrl}/lessons/transactions`);
    expect(lesson.url).toBe(`${baseUrl}/courses/practical-sql/lessons/transactions`);
    expect(lesson.status).toBe(200);
    expect(lesson.headers.get('content-type')).toContain('text/html');
    const missing = await fetch(`${baseUrl}/definitely/not/here`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('Page not found');
  });
});

describe('author keys from the keys CLI', () => {
  const persistTo = inject('persistTo');
  const keys = (...args: string[]) =>
    spawnSync('npx', ['tsx', 'cli/keys.ts', ...args, '--persist-to', persistTo], { encoding: 'utf8' });
  const dryRun = (authorKey: string) =>
    spawnSync('npx', ['tsx', 'cli/content.ts', 'push', 'seeds/course', '--dry-run', '--target', baseUrl, '--key', authorKey], {
      encoding: 'utf8',
    });

  it('creates a key that works at once, lists it without the secret, and revokes it at once', () => {
    const created = keys('create', '--scope', 'content:write', '--label', 'e2e writer');
    expect(created.status).toBe(0);
    const newKey = created.stdout.trim();
    expect(newKey).toMatch(/^lek_[A-Za-z0-9_-]{43}$/);
    const id = /created (key_\S+)/.exec(created.stderr)?.[1] ?? '';
    expect(id).toMatch(/^key_[A-Za-z0-9_-]{12}$/);
    expect(dryRun(newKey).status).toBe(0);

    const listed = keys('list');
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).toContain('e2e writer');
    expect(listed.stdout).not.toContain(newKey);

    expect(keys('revoke', id).status).toBe(0);
    const refused = dryRun(newKey);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('401');
    expect(keys('revoke', id).status).toBe(1);
  });

  it('refuses to create a key without a known scope', () => {
    const run = keys('create', '--scope', 'everything');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--scope must be one of content:write, admin (not everything)');
  });
});

/**
 * fetch that retries once when the server had closed the kept-alive connection: the
 * spawnSync calls above block this process, so it can miss the close and reuse the
 * socket. Safe here: learner creation may repeat, and answers carry their eventId.
 */
async function fetchRetrying(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code !== 'UND_ERR_SOCKET') throw error;
    return fetch(url, init);
  }
}

describe('fitting BKT from the CLI', () => {
  it('fits a concept once enough answers are logged and prints the parameters (dry run)', async () => {
    const lesson = (await (await fetchRetrying(`${baseUrl}/api/content/lessons/filtering-with-where`)).json()) as {
      quiz: { id: string; concept: string | null; choices: string[] }[];
    };
    const item = lesson.quiz[0];
    if (!item?.concept) throw new Error('the seed lesson has a quiz item with a concept');
    // 24 learners answer once each: another answer to the same item within a day of the first (which showed the
    // right one) is not evidence and never reaches the shared log. Each comes from its own address, so the
    // per-address limit on new learners stays free for the browser tests.
    for (let n = 0; n < 24; n++) {
      const created = await fetchRetrying(`${baseUrl}/api/learners`, {
        method: 'POST',
        headers: { 'cf-connecting-ip': `10.90.0.${n + 1}` },
      });
      expect(created.status).toBe(201);
      const { token } = (await created.json()) as { token: string };
      const answered = await fetchRetrying(`${baseUrl}/api/quizzes/attempts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'cf-connecting-ip': `10.90.0.${n + 1}` },
        body: JSON.stringify({ eventId: crypto.randomUUID(), itemId: item.id, answer: n % item.choices.length }),
      });
      expect(answered.status).toBe(200);
    }
    // Answers reach the shared attempt log through the learners' objects and the AGGREGATES
    // queue, about a second later: ask again until they are all there. Other browser tests
    // may have answered the same concept: at least our 24 learners and answers.
    const pattern = new RegExp(`^practical-sql +${item.concept} +(\\d+) +(\\d+) +0\\.\\d{3}`, 'm');
    let run = spawnSync('npx', ['tsx', 'cli/fit.ts', 'bkt', '--dry-run', '--target', baseUrl, '--key', key], {
      encoding: 'utf8',
    });
    for (let tries = 0; Number(pattern.exec(run.stdout)?.[2] ?? 0) < 24 && tries < 10; tries++) {
      await new Promise((r) => setTimeout(r, 500));
      run = spawnSync('npx', ['tsx', 'cli/fit.ts', 'bkt', '--dry-run', '--target', baseUrl, '--key', key], { encoding: 'utf8' });
    }
    expect(run.status).toBe(0);
    const row = pattern.exec(run.stdout);
    expect(Number(row?.[1])).toBeGreaterThanOrEqual(24);
    expect(Number(row?.[2])).toBeGreaterThanOrEqual(24);
    expect(run.stdout).toContain('dry run: nothing stored');
    const usage = spawnSync('npx', ['tsx', 'cli/fit.ts', 'nonsense'], { encoding: 'utf8' });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('npm run fit -- kt');
    expect(usage.stderr).toContain('npm run fit -- irt');
  }, 150_000);
});

describe('two authors pushing from their own copies of the course', () => {
  const lessonFile = (dir: string, path: string) => join(dir, path);
  const joins = '02-applied/04-combining-tables/01-inner-joins.md';
  const outer = '02-applied/04-combining-tables/02-outer-joins.md';
  const hashes = async () => {
    const get = async (slug: string) =>
      ((await (await fetchRetrying(`${baseUrl}/api/content/lessons/${slug}`)).json()) as { contentHash: string }).contentHash;
    return { inner: await get('inner-joins'), outer: await get('outer-joins') };
  };

  it("refuses the push of a copy that has not seen the other author's push, until it pulls their changes", async () => {
    const copy = () => {
      const dir = mkdtempSync(join(tmpdir(), 'learnedge-author-'));
      cpSync('seeds/course', dir, { recursive: true, filter: (src) => !src.includes('.learnedge') });
      return dir;
    };
    const [a, b] = [copy(), copy()];
    const seeded = await hashes();
    // Both copies are what the server holds: each push changes nothing and records the version.
    expect(content('push', a).status).toBe(0);
    expect(content('push', b).status).toBe(0);

    appendFileSync(lessonFile(a, joins), '\nA note from author A.\n');
    // Each push waits for its ingest, so the queue never holds more than one push's work.
    expect(content('push', a, '--wait').status).toBe(0);
    appendFileSync(lessonFile(b, outer), '\nA note from author B.\n');
    const stale = content('push', b);
    expect(stale.status).toBe(1);
    expect(stale.err).toContain('someone else has pushed since');
    expect(stale.err).toContain('Pull their changes into this folder, then push again');
    const afterA = await hashes();
    expect(afterA.inner).not.toBe(seeded.inner);
    expect(afterA.outer).toBe(seeded.outer);

    // Author B pulls A's change (the lesson and the version it made), then pushes both.
    cpSync(lessonFile(a, joins), lessonFile(b, joins));
    cpSync(join(a, '.learnedge'), join(b, '.learnedge'), { recursive: true });
    const pulled = content('push', b, '--wait');
    expect(pulled.status, pulled.err).toBe(0);
    expect(pulled.out).toContain('added 0, changed 1, unchanged 23');
    const afterB = await hashes();
    expect(afterB.inner).toBe(afterA.inner);
    expect(afterB.outer).not.toBe(seeded.outer);

    // The seed folder has not seen either push; --force puts it back for the other tests.
    expect(readFileSync(lessonFile('seeds/course', joins), 'utf8')).not.toContain('author A');
    expect(content('push', 'seeds/course').status).toBe(1);
    const restored = content('push', 'seeds/course', '--force', '--wait');
    expect(restored.status, restored.out + restored.err).toBe(0);
    expect(await hashes()).toEqual(seeded);
  });
});

describe('a push that removes lessons', () => {
  it('asks before removing lessons (and says so without a terminal), then removes them with --yes', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'learnedge-prune-'));
    cpSync('seeds/course', copy, { recursive: true });
    rmSync(join(copy, '03-advanced/08-performance-and-design/03-isolation-and-concurrency.md'));
    const refused = content('push', copy, '--prune');
    expect(refused.status).toBe(1);
    expect(refused.err).toContain('This push removes 1 lesson(s) from the course (isolation-and-concurrency)');
    expect(refused.err).toContain('Run again with --yes to remove them.');
    expect(await lessonCount()).toBe(24);
    // A dry run says the same and changes nothing.
    expect(content('push', copy, '--prune', '--dry-run').out).toContain('This push removes 1 lesson(s)');

    const removed = content('push', copy, '--prune', '--yes');
    expect(removed.status, removed.err).toBe(0);
    expect(removed.out).toContain('removed 1');
    expect(await lessonCount()).toBe(23);
    // The seed folder has not seen that push: --force puts the lesson back.
    const restored = content('push', 'seeds/course', '--force', '--wait');
    expect(restored.status, restored.err).toBe(0);
    expect(await lessonCount()).toBe(24);
  }, 120_000);
});

describe('a catalog of courses from the CLI', () => {
  const catalog = async () =>
    ((await (await fetch(`${baseUrl}/api/courses`)).json()) as { courses: { slug: string }[] }).courses.map((c) => c.slug);

  it('pushes a second course beside the seed course, then removes it only when told to', async () => {
    const pushed = content('push', 'cli/fixtures/native', '--wait');
    expect(pushed.status, pushed.err).toBe(0);
    expect(await catalog()).toEqual(['practical-sql', 'tiny-course']);
    // The seed course is still the default one, with all its lessons.
    expect(await lessonCount()).toBe(24);

    const refused = content('remove', 'tiny-course');
    expect(refused.status).toBe(1);
    // Another e2e file (site.e2e.ts) may have had a learner work in this course before: their records stay, and count.
    expect(refused.err).toMatch(
      /"Tiny course" \(tiny-course, version \d+\) has 2 lessons; (no learner has|\d+ learners? (has|have)) progress in it/,
    );
    expect(refused.err).toContain('Run again with --yes to remove it.');
    expect(await catalog()).toEqual(['practical-sql', 'tiny-course']);

    const unknown = content('remove', 'no-such-course', '--yes');
    expect([unknown.status, unknown.err]).toEqual([1, expect.stringContaining('There is no course "no-such-course"')]);

    const removed = content('remove', 'tiny-course', '--yes');
    expect(removed.status, removed.err).toBe(0);
    expect(removed.out).toContain('Removed "Tiny course" (tiny-course): 2 lessons.');
    expect(await catalog()).toEqual(['practical-sql']);
  }, 120_000);
});
