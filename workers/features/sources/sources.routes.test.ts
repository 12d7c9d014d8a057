import { env } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Problem } from '../../http/problem';
import { api, buildCourse, givenAuthorKey, push, uploadSource, waitForIngest, waitForSource } from '../../test/builders';
import { corruptPdfFixture, docxFixture, encryptedPdfFixture, imageOnlyPdfFixture, pdfFixture } from '../../test/source-fixtures';
import type { SearchResponse } from '../search/search.schemas';
import { MAX_SOURCE_BYTES } from './sources.schemas';

interface Source {
  id: string;
  title: string;
  filename: string;
  sourceType: string;
  mediaType: string;
  status: string;
  error: string | null;
  pages: number | null;
  characters: number | null;
  chunks: number;
  embedders: string[];
  fileUrl: string;
}

const GUIDE_PAGES = [
  ['Spreadsheet pivots summarise a sheet of sales by region.'],
  ['Histograms bucket continuous measurements into equal bins.', 'Each bin counts the values that fall inside it.'],
];

let key: string;
beforeEach(async () => {
  key = await givenAuthorKey();
});

async function added(response: Response): Promise<Source> {
  expect(response.status).toBe(201);
  return response.json<Source>();
}

async function search(json: unknown): Promise<SearchResponse> {
  const response = await api('/api/search', { method: 'POST', json });
  expect(response.status).toBe(200);
  return response.json<SearchResponse>();
}

async function count(sql: string, ...binds: string[]): Promise<number> {
  return (
    (await env.DB.prepare(sql)
      .bind(...binds)
      .first<{ n: number }>()) ?? { n: -1 }
  ).n;
}

describe('adding knowledge sources', () => {
  it('stores a PDF, ingests it page by page and makes it searchable with a link to the page', async () => {
    const response = await uploadSource(key, {
      name: 'stats-guide.pdf',
      bytes: pdfFixture(GUIDE_PAGES),
      type: 'application/pdf',
    });
    const source = await added(response);
    expect(response.headers.get('location')).toBe(`/api/admin/sources/${source.id}`);
    expect(source).toMatchObject({ title: 'stats guide', filename: 'stats-guide.pdf', sourceType: 'pdf', status: 'pending' });
    expect(await waitForSource(source.id)).toEqual({ status: 'ingested', error: null });

    const stored = await (await api(`/api/admin/sources/${source.id}`, { key })).json<Source>();
    expect(stored).toMatchObject({ status: 'ingested', pages: 2, embedders: [expect.stringMatching(/^hash-v2-/)] });
    expect(stored.chunks).toBe(2);

    const { hits } = await search({ query: 'histogram bins' });
    expect(hits[0]).toMatchObject({ kind: 'source', itemId: source.id, title: 'stats guide', page: 2 });
    expect(hits[0]?.href).toBe(`/api/sources/${source.id}/file#page=2`);
    // Extraction and ingestion of a PDF take seconds on a loaded 2-core machine.
  }, 30_000);

  it('keeps DOCX headings as the heading path of the chunks', async () => {
    const docx = await docxFixture([
      { text: 'Joins', style: 'Heading1' },
      { text: 'A join combines rows from two tables.' },
      { text: 'Anti joins', style: 'Heading2' },
      { text: 'An anti join keeps the rows without any partner row.' },
    ]);
    const source = await added(await uploadSource(key, { name: 'joins.docx', bytes: docx }, { title: 'Join handbook' }));
    expect(source.title).toBe('Join handbook');
    expect((await waitForSource(source.id)).status).toBe('ingested');
    const { hits } = await search({ query: 'anti join partner', filters: { sourceType: 'docx' } });
    expect(hits[0]).toMatchObject({ itemId: source.id, headingPath: ['Joins', 'Anti joins'], title: 'Join handbook' });
  });

  it('ingests plain text and Markdown, and a sourceType filter keeps to one kind', async () => {
    await push(await buildCourse(1), key);
    const txt = await added(
      await uploadSource(key, { name: 'notes.txt', bytes: 'Quartiles split sorted data into four parts.' }),
    );
    const md = await added(
      await uploadSource(key, { name: 'glossary.md', bytes: '# Glossary\n\n## Median\n\nThe median is the middle value.' }),
    );
    expect([(await waitForSource(txt.id)).status, (await waitForSource(md.id)).status]).toEqual(['ingested', 'ingested']);
    await waitForIngest(['lesson-1']);
    const only = await search({ query: 'median middle value', filters: { sourceType: 'markdown' } });
    expect(only.hits.map((h) => h.itemId)).toEqual([md.id]);
    expect(only.hits[0]).toMatchObject({ headingPath: ['Glossary', 'Median'], href: `/api/sources/${md.id}/file` });
    const lessons = await search({ query: 'median middle value quartiles', filters: { sourceType: 'lesson' } });
    expect(lessons.hits.every((h) => h.kind === 'lesson')).toBe(true);
  });

  it('treats the same bytes uploaded again as the same source, queueing nothing new', async () => {
    const first = await added(await uploadSource(key, { name: 'a.txt', bytes: 'Same words twice.' }));
    await waitForSource(first.id);
    const again = await uploadSource(key, { name: 'b.txt', bytes: 'Same words twice.' });
    expect(again.status).toBe(200);
    expect(await again.json<Source>()).toMatchObject({ id: first.id, filename: 'a.txt', status: 'ingested' });
    expect(await count('SELECT count(*) AS n FROM sources')).toBe(1);
  });

  it('serves the original file to learners', async () => {
    const bytes = pdfFixture(GUIDE_PAGES);
    const source = await added(await uploadSource(key, { name: 'guide.pdf', bytes }));
    await waitForSource(source.id);
    const file = await api(`/api/sources/${source.id}/file`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('application/pdf');
    expect(file.headers.get('content-disposition')).toBe("inline; filename*=UTF-8''guide.pdf");
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(bytes);
    expect((await api('/api/sources/src_aaaaaaaaaaaaaaaa/file')).status).toBe(404);
    expect((await api('/api/sources/not-an-id/file')).status).toBe(400);
  });
});

describe('unreadable sources', () => {
  it.each([
    ['a truncated PDF', 'broken.pdf', corruptPdfFixture(), /corrupt|no extractable text/],
    ['an encrypted PDF', 'locked.pdf', encryptedPdfFixture(), /encrypted with a password/],
    ['a PDF without text', 'scan.pdf', imageOnlyPdfFixture(), /no extractable text/],
    ['a file named .pdf that is not one', 'fake.pdf', new TextEncoder().encode('hello'), /not a PDF/],
    ['a .docx that is not a ZIP', 'fake.docx', new TextEncoder().encode('hello'), /not a DOCX/],
    ['text that is not UTF-8', 'latin1.txt', new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a]), /not UTF-8/],
  ])('records %s as failed with the reason, and the consumer carries on', async (_case, name, bytes, reason) => {
    const bad = await added(await uploadSource(key, { name, bytes }));
    const good = await added(await uploadSource(key, { name: 'fine.txt', bytes: 'Readable words about variance.' }));
    const state = await waitForSource(bad.id);
    expect(state.status).toBe('failed');
    expect(state.error).toMatch(reason);
    expect((await waitForSource(good.id)).status).toBe('ingested');
    expect(await count('SELECT count(*) AS n FROM chunks WHERE item_id = ?', bad.id)).toBe(0);
    const status = await (
      await api('/api/admin/ingest/status', { key })
    ).json<{ items: { kind: string; id: string; status: string }[] }>();
    expect(status.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'source', id: bad.id, status: 'failed' }),
        expect.objectContaining({ kind: 'source', id: good.id, status: 'ingested' }),
      ]),
    );
  });
});

describe('upload errors', () => {
  async function problem(response: Response, status: number): Promise<Problem> {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    return response.json<Problem>();
  }

  it('answers 415 for a type it cannot read, naming the file field, and stores nothing', async () => {
    const body = await problem(
      await uploadSource(key, { name: 'slides.pptx', bytes: 'x', type: 'application/vnd.ms-powerpoint' }),
      415,
    );
    expect(body.errors?.map((e) => e.field)).toEqual(['form/file']);
    expect(await count('SELECT count(*) AS n FROM sources')).toBe(0);
  });

  it('answers 415 for a body that is not multipart, and stores nothing', async () => {
    const body = await problem(await api('/api/admin/sources', { method: 'POST', key, json: { file: 'x' } }), 415);
    expect(body.errors?.map((e) => e.field)).toEqual(['header/content-type']);
    expect(await count('SELECT count(*) AS n FROM sources')).toBe(0);
  });

  it('answers 413 for a file over the limit, and stores nothing', async () => {
    const big = new Uint8Array(MAX_SOURCE_BYTES + 1).fill(0x61);
    const body = await problem(await uploadSource(key, { name: 'huge.txt', bytes: big }), 413);
    expect(body.errors?.map((e) => e.field)).toEqual(['form/file']);
    expect(await count('SELECT count(*) AS n FROM sources')).toBe(0);
    expect((await env.CONTENT.list()).objects).toHaveLength(0);
  });

  it.each([
    [
      'no file part',
      () => {
        const f = new FormData();
        f.set('title', 'x');
        return f;
      },
      'form/file',
    ],
    [
      'an empty file',
      () => {
        const f = new FormData();
        f.set('file', new File([], 'empty.txt'));
        return f;
      },
      'form/file',
    ],
    [
      'an unknown field',
      () => {
        const f = new FormData();
        f.set('file', new File(['a'], 'a.txt'));
        f.set('colour', 'red');
        return f;
      },
      'form/colour',
    ],
    [
      'an overlong title',
      () => {
        const f = new FormData();
        f.set('file', new File(['a'], 'a.txt'));
        f.set('title', 't'.repeat(201));
        return f;
      },
      'form/title',
    ],
  ])('answers 400 for %s, naming the field', async (_case, form, field) => {
    const body = await problem(await api('/api/admin/sources', { method: 'POST', key, body: form() }), 400);
    expect(body.errors?.map((e) => e.field)).toContain(field);
    expect(await count('SELECT count(*) AS n FROM sources')).toBe(0);
  });

  it('needs an author key on every admin route', async () => {
    expect((await uploadSource(undefined, { name: 'a.txt', bytes: 'a' })).status).toBe(401);
    expect((await api('/api/admin/sources')).status).toBe(401);
    expect((await api('/api/admin/sources/src_aaaaaaaaaaaaaaaa')).status).toBe(401);
    expect((await api('/api/admin/sources/src_aaaaaaaaaaaaaaaa', { method: 'DELETE' })).status).toBe(401);
    expect(await count('SELECT count(*) AS n FROM sources')).toBe(0);
  });
});

describe('listing and deleting sources', () => {
  it('lists sources newest first with their state', async () => {
    const a = await added(await uploadSource(key, { name: 'a.txt', bytes: 'Alpha words about sampling.' }));
    await new Promise((r) => setTimeout(r, 5));
    const b = await added(await uploadSource(key, { name: 'b.txt', bytes: 'Beta words about bias.' }));
    await Promise.all([waitForSource(a.id), waitForSource(b.id)]);
    const { sources } = await (await api('/api/admin/sources', { key })).json<{ sources: Source[] }>();
    expect(sources.map((s) => [s.id, s.status, s.chunks])).toEqual([
      [b.id, 'ingested', 1],
      [a.id, 'ingested', 1],
    ]);
  });

  it('deletes a source with its file, chunks, vectors and concept links', async () => {
    const source = await added(await uploadSource(key, { name: 'guide.pdf', bytes: pdfFixture(GUIDE_PAGES) }));
    await waitForSource(source.id);
    expect(await count('SELECT count(*) AS n FROM chunks WHERE item_id = ?', source.id)).toBe(2);
    expect(await count("SELECT count(*) AS n FROM item_concepts WHERE item_kind = 'source'")).toBeGreaterThan(0);

    const deleted = await api(`/api/admin/sources/${source.id}`, { method: 'DELETE', key });
    expect(deleted.status).toBe(204);
    expect(await count('SELECT count(*) AS n FROM chunks WHERE item_id = ?', source.id)).toBe(0);
    expect(await count('SELECT count(*) AS n FROM chunk_vectors')).toBe(0);
    expect(await count('SELECT count(*) AS n FROM vector_deletions')).toBe(0);
    expect(await count("SELECT count(*) AS n FROM item_concepts WHERE item_kind = 'source'")).toBe(0);
    expect((await env.CONTENT.list()).objects).toHaveLength(0);
    expect((await search({ query: 'histogram bins' })).hits).toEqual([]);
    expect((await api(`/api/admin/sources/${source.id}`, { key })).status).toBe(404);
    expect((await api(`/api/admin/sources/${source.id}`, { method: 'DELETE', key })).status).toBe(404);
    expect((await api(`/api/sources/${source.id}/file`)).status).toBe(404);
  });

  it('answers 400 for a malformed id and 404 for an unknown one', async () => {
    const bad = await api('/api/admin/sources/123', { key });
    expect(bad.status).toBe(400);
    expect((await bad.json<Problem>()).errors?.map((e) => e.field)).toEqual(['param/id']);
    expect((await api('/api/admin/sources/src_aaaaaaaaaaaaaaaa', { key })).status).toBe(404);
  });

  it('requeues a failed source with the failed lessons', async () => {
    const source = await added(await uploadSource(key, { name: 'notes.txt', bytes: 'Words on spread and centre.' }));
    await waitForSource(source.id);
    await env.DB.prepare("UPDATE sources SET status = 'failed', error = 'gave up after retries: boom' WHERE id = ?")
      .bind(source.id)
      .run();
    const retried = await api('/api/admin/ingest/retry-failed', { method: 'POST', key });
    expect(await retried.json()).toEqual({ requeued: [source.id] });
    expect(await waitForSource(source.id)).toEqual({ status: 'ingested', error: null });
  });
});
