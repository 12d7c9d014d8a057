import { extractText as extractPdfText, getDocumentProxy } from 'unpdf';
import mammoth from 'mammoth';
import type { SourceType } from './sources.domain';

/** Media type each source type is stored and served with. */
export const MEDIA_TYPES: Record<SourceType, string> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  txt: 'text/plain; charset=utf-8',
  markdown: 'text/markdown; charset=utf-8',
};

const EXTENSIONS: Record<string, SourceType> = {
  pdf: 'pdf',
  docx: 'docx',
  txt: 'txt',
  text: 'txt',
  md: 'markdown',
  markdown: 'markdown',
};

const DECLARED: Record<string, SourceType> = {
  'application/pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'text/plain': 'txt',
  'text/markdown': 'markdown',
  'text/x-markdown': 'markdown',
};

/**
 * A file's source type from its name's extension, else its declared media type;
 * null when neither is one the platform reads (the upload gets 415). The bytes are
 * checked by extraction, so a mislabelled file fails there with a reason.
 */
export function sourceTypeOf(filename: string, declaredType: string): SourceType | null {
  // Own keys only: "file.constructor" must not find Object's constructor.
  const extension = /\.([a-z0-9]+)$/i.exec(filename)?.[1]?.toLowerCase();
  if (extension && Object.hasOwn(EXTENSIONS, extension)) return EXTENSIONS[extension] ?? null;
  const media = declaredType.split(';')[0]?.trim().toLowerCase() ?? '';
  return Object.hasOwn(DECLARED, media) ? (DECLARED[media] ?? null) : null;
}

/**
 * Most text one source may hold (about 1,700 chunks): its chunks are embedded and
 * written in one queue job, which has a bounded time and memory.
 */
export const MAX_TEXT_CHARS = 2_000_000;

/** A document whose text cannot be read: retrying will not help, the source is failed. */
export class ExtractionError extends Error {
  override readonly name = 'ExtractionError';
}

export interface Extracted {
  /** Markdown (headings kept) for DOCX and Markdown; plain text for TXT and PDF, pages separated by \f. */
  text: string;
  format: 'markdown' | 'plain';
  pages: number | null;
}

/** Extracts a document's text inside the Worker. Unreadable input throws ExtractionError. */
export async function extractText(type: SourceType, bytes: Uint8Array): Promise<Extracted> {
  const extracted = await extractByType(type, bytes);
  if (extracted.text.length > MAX_TEXT_CHARS) {
    throw new ExtractionError(
      `the document has ${extracted.text.length} characters of text, more than the ${MAX_TEXT_CHARS} one source may have; split it`,
    );
  }
  if (!/[\p{L}\p{N}]/u.test(extracted.text)) {
    throw new ExtractionError(
      type === 'pdf'
        ? 'the PDF has no extractable text (scanned pages need OCR before upload)'
        : `the ${type === 'docx' ? 'document' : 'file'} has no text`,
    );
  }
  return extracted;
}

async function extractByType(type: SourceType, bytes: Uint8Array): Promise<Extracted> {
  switch (type) {
    case 'pdf':
      return extractPdf(bytes);
    case 'docx':
      return { text: await extractDocx(bytes), format: 'markdown', pages: null };
    case 'txt':
      return { text: decodeUtf8(bytes), format: 'plain', pages: null };
    case 'markdown':
      return { text: stripFrontmatter(decodeUtf8(bytes)), format: 'markdown', pages: null };
  }
}

async function extractPdf(bytes: Uint8Array): Promise<Extracted> {
  if (!startsWith(bytes, '%PDF-')) throw new ExtractionError('not a PDF file (no %PDF- header)');
  let pages: string[];
  try {
    // pdf.js takes ownership of the buffer it is given: pass a copy.
    const pdf = await getDocumentProxy(bytes.slice());
    pages = (await extractPdfText(pdf, { mergePages: false })).text;
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (name === 'PasswordException') throw new ExtractionError('the PDF is encrypted with a password');
    const detail = error instanceof Error ? error.message : String(error);
    throw new ExtractionError(`the PDF is corrupt or unreadable (${detail})`);
  }
  return { text: pages.map((p) => p.trim()).join('\n\f\n'), format: 'plain', pages: pages.length };
}

async function extractDocx(bytes: Uint8Array): Promise<string> {
  if (!startsWith(bytes, 'PK\u0003\u0004')) throw new ExtractionError('not a DOCX file (not a ZIP archive)');
  let html: string;
  try {
    const arrayBuffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    // Mammoth's browser build reads `arrayBuffer`, its Node build `buffer` (JSZip takes either): which
    // build a bundler picks depends on its conditions, so both are given.
    const input = { arrayBuffer, buffer: bytes } as unknown as { arrayBuffer: ArrayBuffer };
    html = (await mammoth.convertToHtml(input)).value;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new ExtractionError(`the DOCX is corrupt or unreadable (${detail})`);
  }
  return htmlToMarkdown(html);
}

/** Strict UTF-8 (a BOM is dropped); binary or mis-encoded bytes are refused, not garbled into chunks. */
function decodeUtf8(bytes: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ExtractionError('the file is not UTF-8 text');
  }
  if (text.includes('\u0000')) throw new ExtractionError('the file is binary, not text');
  return text.replace(/\r\n?/g, '\n');
}

function stripFrontmatter(markdown: string): string {
  return markdown.replace(/^---\n[\s\S]*?\n---\n/, '');
}

function startsWith(bytes: Uint8Array, prefix: string): boolean {
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix.charCodeAt(i)) return false;
  return true;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'", nbsp: ' ' };

/**
 * Mammoth's HTML is a small, regular vocabulary (h1-h6, p, ul/ol/li, table, strong,
 * em, a, img): headings become markdown headings so chunks carry their heading
 * path; every other tag is dropped, keeping its text.
 */
export function htmlToMarkdown(html: string): string {
  return html
    .replace(
      /<h([1-6])[^>]*>([\s\S]*?)<\/h\1>/g,
      (_, level: string, inner: string) => `\n\n${'#'.repeat(Number(level))} ${inline(inner)}\n\n`,
    )
    .replace(/<li[^>]*>([\s\S]*?)<\/li>/g, (_, inner: string) => `\n- ${inline(inner)}\n`)
    .replace(/<\/(?:td|th)>/g, ' | ')
    .replace(/<\/(?:p|tr|table|ul|ol)>/g, '\n\n')
    .replace(/<br\s*\/?>/g, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&(#?\w+);/g, (whole, name: string) => ENTITIES[name] ?? decodeNumeric(name) ?? whole)
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function inline(html: string): string {
  return html
    .replace(/<[^>]+>/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function decodeNumeric(name: string): string | undefined {
  const code = name.startsWith('#x') ? parseInt(name.slice(2), 16) : name.startsWith('#') ? Number(name.slice(1)) : NaN;
  return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : undefined;
}
