import { describe, expect, it } from 'vitest';
import {
  corruptPdfFixture,
  docxFixture,
  encryptedPdfFixture,
  imageOnlyPdfFixture,
  notADocxFixture,
  pdfFixture,
} from '../../test/source-fixtures';
import { ExtractionError, extractText, htmlToMarkdown, MAX_TEXT_CHARS, sourceTypeOf } from './sources.extract';

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('sourceTypeOf', () => {
  it('reads the extension first, then the declared media type', () => {
    expect(sourceTypeOf('Guide.PDF', 'application/octet-stream')).toBe('pdf');
    expect(sourceTypeOf('notes.md', '')).toBe('markdown');
    expect(sourceTypeOf('notes.markdown', '')).toBe('markdown');
    expect(sourceTypeOf('report.docx', '')).toBe('docx');
    expect(sourceTypeOf('readme.txt', '')).toBe('txt');
    expect(sourceTypeOf('upload', 'text/plain; charset=utf-8')).toBe('txt');
    expect(sourceTypeOf('upload', 'application/pdf')).toBe('pdf');
  });

  it('knows nothing of other types', () => {
    expect(sourceTypeOf('slides.pptx', 'application/vnd.ms-powerpoint')).toBeNull();
    expect(sourceTypeOf('photo.png', 'image/png')).toBeNull();
    expect(sourceTypeOf('legacy.doc', 'application/msword')).toBeNull();
    expect(sourceTypeOf('upload', '')).toBeNull();
    expect(sourceTypeOf('file.constructor', '')).toBeNull();
    expect(sourceTypeOf('upload', 'toString')).toBeNull();
  });
});

describe('extractText', () => {
  it('reads each page of a PDF, separated by form feeds, and counts pages', async () => {
    const pdf = pdfFixture([['Window functions compute over a frame.'], ['Ranking rows with ROW_NUMBER.', 'Second line.']]);
    const out = await extractText('pdf', pdf);
    expect(out.pages).toBe(2);
    expect(out.format).toBe('plain');
    const pages = out.text.split('\f').map((p) => p.trim());
    expect(pages[0]).toContain('Window functions compute over a frame.');
    expect(pages[1]).toContain('Ranking rows with ROW_NUMBER.');
    expect(pages[1]).toContain('Second line.');
  });

  it('refuses an encrypted PDF with that reason', async () => {
    await expect(extractText('pdf', encryptedPdfFixture())).rejects.toThrow(/encrypted/);
  });

  it('refuses a truncated PDF as corrupt', async () => {
    const error = await extractText('pdf', corruptPdfFixture()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExtractionError);
    expect((error as Error).message).toMatch(/corrupt|no extractable text/);
  });

  it('refuses a PDF without text, naming OCR', async () => {
    await expect(extractText('pdf', imageOnlyPdfFixture())).rejects.toThrow(/no extractable text.*OCR/);
  });

  it('refuses bytes that are not a PDF at all', async () => {
    await expect(extractText('pdf', utf8('hello'))).rejects.toThrow(/not a PDF/);
  });

  it('turns DOCX headings into markdown headings', async () => {
    const docx = await docxFixture([
      { text: 'Joins', style: 'Heading1' },
      { text: 'A join combines rows from two tables & more.' },
      { text: 'Inner joins', style: 'Heading2' },
      { text: 'Only matching rows <survive>.' },
    ]);
    const out = await extractText('docx', docx);
    expect(out).toEqual({
      text: '# Joins\n\nA join combines rows from two tables & more.\n\n## Inner joins\n\nOnly matching rows <survive>.',
      format: 'markdown',
      pages: null,
    });
  });

  it('refuses a ZIP that is not a Word document, and bytes that are not a ZIP', async () => {
    await expect(extractText('docx', await notADocxFixture())).rejects.toThrow(ExtractionError);
    await expect(extractText('docx', utf8('plain words'))).rejects.toThrow(/not a DOCX/);
  });

  it('reads UTF-8 text and markdown, dropping a BOM, CRLF and markdown frontmatter', async () => {
    expect((await extractText('txt', utf8('\uFEFFline one\r\nline two'))).text).toBe('line one\nline two');
    const md = await extractText('markdown', utf8('---\ntitle: x\n---\n# Heading\n\nBody.'));
    expect(md).toEqual({ text: '# Heading\n\nBody.', format: 'markdown', pages: null });
  });

  it('refuses a document with more text than one source may hold', async () => {
    const words = 'word '.repeat(MAX_TEXT_CHARS / 5 + 1);
    await expect(extractText('txt', utf8(words))).rejects.toThrow(/more than the 2000000 one source may have; split it/);
  });

  it('refuses text that is not UTF-8, binary text, and files with no words', async () => {
    await expect(extractText('txt', new Uint8Array([0xff, 0xfe, 0x41, 0xc3]))).rejects.toThrow(/not UTF-8/);
    await expect(extractText('txt', utf8('abc\u0000def'))).rejects.toThrow(/binary/);
    await expect(extractText('markdown', utf8('  \n\n --- \n'))).rejects.toThrow(/no text/);
  });
});

describe('htmlToMarkdown', () => {
  it('keeps list items and table cells readable and decodes entities', () => {
    expect(htmlToMarkdown('<ul><li>one</li><li>two &gt; one</li></ul><table><tr><td>a</td><td>b&#39;s</td></tr></table>')).toBe(
      "- one\n\n- two > one\n\na | b's |",
    );
  });
});
