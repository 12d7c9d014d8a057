import { spawnSync } from 'node:child_process';
import { describe, expect, inject, it } from 'vitest';

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

  it('shows every seed lesson ingested with its chunks, and has nothing failed to retry', () => {
    const status = content('ingest');
    expect(status.status).toBe(0);
    expect(status.out).toMatch(/^ingested +\d+ chunks {2}filtering-with-where$/m);
    expect(status.out).toMatch(/24 ingested, 0 pending, 0 failed; embedder hash-v2-384/);
    const retry = content('ingest', '--retry-failed');
    expect(retry.out).toContain('nothing failed; nothing queued');
  });

  it('validates first and pushes nothing from a tree with errors', async () => {
    const run = content('push', 'cli/fixtures/errors');
    expect(run.status).toBe(1);
    expect(run.err).toMatch(
      /cli\/fixtures\/errors\/01-part\/01-chapter\/05-unknown-prereq\.md:5: unknown prerequisite "does-not-exist"/,
    );
    expect(run.err).toContain('8 problem(s); nothing was pushed.');
    expect(await lessonCount()).toBe(24);
  });

  it('shows what a Docusaurus tree would change on a dry run, and changes nothing', async () => {
    const run = content('push', 'cli/fixtures/docusaurus', '--dry-run', '--prune');
    expect(run.status).toBe(0);
    expect(run.out).toContain('docusaurus course "My Site": 5 lessons');
    expect(run.out).toContain('added 5, changed 0, unchanged 0, removed 24');
    expect(run.out).toContain('dry run: would upload 6 file(s)');
    expect(await lessonCount()).toBe(24);
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

describe('same-origin serving', () => {
  it('serves lesson URLs through the site page and unknown pages with 404', async () => {
    const lesson = await fetch(`${baseUrl}/lessons/transactions`);
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
