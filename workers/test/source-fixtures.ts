import JSZip from 'jszip';

/**
 * Documents made for the tests, byte by byte, so each one's content is known: PDFs
 * with real text objects (one per page), an encrypted PDF, a PDF whose only page
 * draws no text, a truncated PDF, and a DOCX with headings. Shared by the Worker
 * tests and the CLI tests.
 */

import { assemblePdf, pdfDocument } from '../../scripts/documents';

export { docxDocument as docxFixture, pdfDocument as pdfFixture, type DocxParagraph } from '../../scripts/documents';

/** A PDF that declares standard encryption whose user password is not empty. */
export function encryptedPdfFixture(): Uint8Array {
  const hex = (seed: number) =>
    Array.from({ length: 32 }, (_, i) => ((i * 37 + seed) % 256).toString(16).padStart(2, '0')).join('');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>',
    '<< /Length 20 >>\nstream\nBT (secret text) ET\nendstream',
    `<< /Filter /Standard /V 1 /R 2 /O <${hex(11)}> /U <${hex(91)}> /P -44 >>`,
  ];
  return assemblePdf(objects, ` /Encrypt 5 0 R /ID [<${hex(3).slice(0, 32)}> <${hex(3).slice(0, 32)}>]`);
}

/** A PDF whose page only fills a rectangle: no text to extract (like a scan). */
export function imageOnlyPdfFixture(): Uint8Array {
  return pdfDocument([[]]);
}

/** The first 60% of a real PDF: the header is right, the rest is cut off. */
export function corruptPdfFixture(): Uint8Array {
  const whole = pdfDocument([['This file was cut short in transit.']]);
  return whole.slice(0, Math.floor(whole.length * 0.6));
}

/** A ZIP that is not a Word document (right magic bytes, wrong contents). */
export async function notADocxFixture(): Promise<Uint8Array> {
  const zip = new JSZip();
  zip.file('hello.txt', 'not a document');
  return zip.generateAsync({ type: 'uint8array' });
}
