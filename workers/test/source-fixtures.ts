import JSZip from 'jszip';

/**
 * Documents made for the tests, byte by byte, so each one's content is known: PDFs
 * with real text objects (one per page), an encrypted PDF, a PDF whose only page
 * draws no text, a truncated PDF, and a DOCX with headings. Shared by the Worker
 * tests and the CLI tests.
 */

const encoder = new TextEncoder();

function pdfString(text: string): string {
  return `(${text.replace(/[\\()]/g, (c) => `\\${c}`)})`;
}

/** Assembles numbered PDF objects with a correct cross-reference table. */
function assemblePdf(objects: string[], trailerExtra = ''): Uint8Array {
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(encoder.encode(body).length);
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = encoder.encode(body).length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R${trailerExtra} >>\nstartxref\n${xref}\n%%EOF\n`;
  return encoder.encode(body);
}

/** A PDF with one page per entry, each page showing its lines of text (Helvetica). */
export function pdfFixture(pages: string[][]): Uint8Array {
  const pageCount = pages.length;
  // 1 catalog, 2 pages, 3 font, then per page: page object and content stream.
  const kids = pages.map((_, i) => `${4 + i * 2} 0 R`).join(' ');
  const objects = ['<< /Type /Catalog /Pages 2 0 R >>', `<< /Type /Pages /Kids [${kids}] /Count ${pageCount} >>`];
  objects.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  pages.forEach((lines, i) => {
    const stream = lines.length
      ? `BT /F1 12 Tf 72 720 Td 16 TL ${lines.map((l) => `${pdfString(l)} '`).join(' ')} ET`
      : '0 0 1 rg 72 600 200 100 re f';
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents ${5 + i * 2} 0 R >>`,
    );
    objects.push(`<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`);
  });
  return assemblePdf(objects);
}

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
  return pdfFixture([[]]);
}

/** The first 60% of a real PDF: the header is right, the rest is cut off. */
export function corruptPdfFixture(): Uint8Array {
  const whole = pdfFixture([['This file was cut short in transit.']]);
  return whole.slice(0, Math.floor(whole.length * 0.6));
}

export interface DocxParagraph {
  text: string;
  /** A Word paragraph style, e.g. Heading1; plain paragraph when absent. */
  style?: 'Heading1' | 'Heading2' | 'Heading3';
}

/** A minimal but valid Word document (the parts Word itself requires). */
export async function docxFixture(paragraphs: DocxParagraph[]): Promise<Uint8Array> {
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const body = paragraphs
    .map(
      (p) =>
        `<w:p>${p.style ? `<w:pPr><w:pStyle w:val="${p.style}"/></w:pPr>` : ''}<w:r><w:t xml:space="preserve">${escape(p.text)}</w:t></w:r></w:p>`,
    )
    .join('');
  const headingStyles = [1, 2, 3]
    .map(
      (n) =>
        `<w:style w:type="paragraph" w:styleId="Heading${n}"><w:name w:val="heading ${n}"/><w:basedOn w:val="Normal"/><w:pPr><w:outlineLvl w:val="${n - 1}"/></w:pPr></w:style>`,
    )
    .join('');
  const zip = new JSZip();
  zip.file(
    '[Content_Types].xml',
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/></Types>',
  );
  zip.file(
    '_rels/.rels',
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
  );
  zip.file(
    'word/_rels/document.xml.rels',
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>',
  );
  zip.file(
    'word/styles.xml',
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>${headingStyles}</w:styles>`,
  );
  zip.file(
    'word/document.xml',
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`,
  );
  return zip.generateAsync({ type: 'uint8array' });
}

/** A ZIP that is not a Word document (right magic bytes, wrong contents). */
export async function notADocxFixture(): Promise<Uint8Array> {
  const zip = new JSZip();
  zip.file('hello.txt', 'not a document');
  return zip.generateAsync({ type: 'uint8array' });
}
