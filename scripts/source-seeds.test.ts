import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extractText } from '../workers/features/sources/sources.extract';
import { docxDocument, pdfDocument } from './documents';
import { QUICK_REFERENCE_PAGES, STYLE_GUIDE } from './source-seeds';

const seed = (name: string) => new Uint8Array(readFileSync(`seeds/sources/${name}`));

describe('seed sources', () => {
  it('are the documents scripts/source-seeds.ts writes from its text (rerun it after editing the text)', async () => {
    expect(seed('sqlite-quick-reference.pdf')).toEqual(pdfDocument(QUICK_REFERENCE_PAGES));
    expect(seed('query-style-guide.docx')).toEqual(await docxDocument(STYLE_GUIDE));
  });

  it('are read by the Worker’s own extraction: the PDF page by page, the DOCX with its headings', async () => {
    const pdf = await extractText('pdf', seed('sqlite-quick-reference.pdf'));
    expect(pdf.pages).toBe(3);
    const pages = pdf.text.split('\f');
    QUICK_REFERENCE_PAGES.forEach((lines, i) => expect(pages[i]).toContain(lines[0]));
    expect(pages[2]).toContain('PRAGMA foreign_keys = ON;');

    const docx = await extractText('docx', seed('query-style-guide.docx'));
    expect(docx.format).toBe('markdown');
    expect(docx.text).toMatch(/^# SQL Query Style Guide$/m);
    expect(docx.text).toMatch(/^## Aliases$/m);
    expect(docx.text).toContain('Always write AS before a column alias');

    const glossary = await extractText('txt', seed('sql-glossary.txt'));
    expect(glossary.text).toContain('Sargable: a condition the database can answer with an index');
  });
});
