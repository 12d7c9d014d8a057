/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';
import { chunkMarkdown, chunkPlainText, type Chunk } from './search.chunking';

const FENCE = '```';
const SMALL = { targetChars: 200, maxChars: 320, overlapChars: 40 };

/** A paragraph of about `chars` characters of distinct words, so overlaps and offsets are unambiguous. */
function paragraph(label: string, chars = 100): string {
  const words: string[] = [];
  for (let i = 0; words.join(' ').length < chars; i++) words.push(`${label}${i}`);
  return `${words.join(' ')}.`;
}

function fence(lines: number, width = 30): string {
  const body = Array.from({ length: lines }, (_, i) => `SELECT ${i} AS c${'x'.repeat(width)};`);
  return [`${FENCE}sql`, ...body, FENCE].join('\n');
}

/** The chunk's text minus its heading-path line: overlap (if any) and then its own text. */
function body(chunk: Chunk): string {
  const pathLine = chunk.headingPath.join(' > ');
  return pathLine ? chunk.text.slice(pathLine.length + 2) : chunk.text;
}

const HEADINGS_DOC = [
  'Intro before any heading.',
  '## Comparison operators',
  'Compare values.',
  '### NULL in filters',
  'Unknown is not true.',
  '## The `LIKE` *pattern*',
  'Wildcards.',
  '## Comparison operators',
  'Again, on purpose.',
].join('\n\n');

describe('chunkMarkdown: sections', () => {
  const chunks = chunkMarkdown(HEADINGS_DOC);

  it.each([
    { index: 0, headingPath: [], anchor: '', first: 'Intro before any heading.' },
    { index: 1, headingPath: ['Comparison operators'], anchor: 'comparison-operators', first: '## Comparison operators' },
    {
      index: 2,
      headingPath: ['Comparison operators', 'NULL in filters'],
      anchor: 'null-in-filters',
      first: '### NULL in filters',
    },
    { index: 3, headingPath: ['The LIKE pattern'], anchor: 'the-like-pattern', first: '## The `LIKE` *pattern*' },
    { index: 4, headingPath: ['Comparison operators'], anchor: 'comparison-operators-1', first: '## Comparison operators' },
  ])('starts chunk $index at a heading with path $headingPath and anchor "$anchor"', ({ index, headingPath, anchor, first }) => {
    const chunk = chunks[index];
    expect(chunk).toMatchObject({ index, headingPath, anchor, page: null });
    expect(body(chunk!).startsWith(first)).toBe(true);
  });

  it('makes one chunk per section when every section is short', () => {
    expect(chunks).toHaveLength(5);
  });

  it('prefixes each chunk with its heading path as a line', () => {
    expect(chunks[2]?.text).toBe('Comparison operators > NULL in filters\n\n### NULL in filters\n\nUnknown is not true.');
  });

  it('leaves out a heading with no body but keeps its title in the path below it', () => {
    const result = chunkMarkdown('# Course\n\n## Filters\n\nKeep rows.\n\n## Empty\n\n   \n');
    expect(result.map((c) => c.headingPath)).toEqual([['Course', 'Filters']]);
  });

  it('never lets a chunk span two sections, however small they are', () => {
    const sections = chunkMarkdown(`## A\n\n${paragraph('a', 50)}\n\n## B\n\n${paragraph('b', 50)}`, SMALL);
    expect(sections.map((c) => c.anchor)).toEqual(['a', 'b']);
  });
});

describe('chunkMarkdown: long sections', () => {
  const paragraphs = Array.from({ length: 12 }, (_, i) => paragraph(`w${i}x`, 90));
  const markdown = `## Long\n\n${paragraphs.join('\n\n')}`;
  const chunks = chunkMarkdown(markdown, SMALL);

  it('splits at paragraph boundaries near the target size', () => {
    expect(chunks.length).toBeGreaterThan(3);
    chunks.forEach((c) => {
      expect(c.end - c.start).toBeLessThanOrEqual(SMALL.maxChars);
      expect(c.end - c.start).toBeGreaterThan(SMALL.targetChars / 2);
      expect(markdown.slice(c.start, c.end).endsWith('.')).toBe(true);
    });
  });

  it('starts every later chunk with a word-aligned tail of the previous one', () => {
    chunks.slice(1).forEach((chunk, i) => {
      const previous = chunks[i]!;
      const ownText = markdown.slice(chunk.start, chunk.end);
      const overlap = body(chunk).slice(0, -ownText.length - 2);
      expect(overlap.length).toBeGreaterThan(0);
      expect(overlap.length).toBeLessThanOrEqual(SMALL.overlapChars);
      const previousText = markdown.slice(previous.start, previous.end);
      expect(previousText.endsWith(overlap)).toBe(true);
      expect(previousText.charAt(previousText.length - overlap.length - 1)).toMatch(/\s/);
    });
  });

  it('keeps the overlap out of the offsets: own ranges follow each other without sharing text', () => {
    chunks.slice(1).forEach((chunk, i) => expect(chunk.start).toBeGreaterThan(chunks[i]!.end));
  });
});

describe('chunkMarkdown: code fences', () => {
  it.each([
    { name: 'a fence that would straddle the target', fenceLines: 4 },
    { name: 'a fence longer than the target but within maxChars', fenceLines: 6 },
  ])('keeps $name whole in one chunk', ({ fenceLines }) => {
    const code = fence(fenceLines);
    const markdown = `## Code\n\n${paragraph('p', 150)}\n\n${code}\n\n${paragraph('q', 150)}`;
    const at = markdown.indexOf(code);
    const chunks = chunkMarkdown(markdown, SMALL);
    expect(chunks.filter((c) => c.start <= at && at + code.length <= c.end)).toHaveLength(1);
  });

  it('splits a fence larger than maxChars at line boundaries only', () => {
    const code = fence(30);
    const markdown = `## Code\n\n${code}`;
    const chunks = chunkMarkdown(markdown, SMALL);
    expect(chunks.length).toBeGreaterThan(1);
    chunks.forEach((c) => {
      expect(c.end - c.start).toBeLessThanOrEqual(SMALL.maxChars);
      expect(['\n', undefined]).toContain(markdown[c.end]);
    });
  });
});

describe('chunkMarkdown: offsets and edge cases', () => {
  it.each([
    { name: 'headings and paragraphs', markdown: HEADINGS_DOC },
    { name: 'CRLF line ends', markdown: HEADINGS_DOC.replace(/\n/g, '\r\n') },
    { name: 'a list and a table', markdown: `## L\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nEnd.` },
  ])('slices the original to each chunk own text ($name)', ({ markdown }) => {
    const chunks = chunkMarkdown(markdown);
    expect(chunks.length).toBeGreaterThan(0);
    chunks.forEach((c) => expect(c.text.endsWith(markdown.slice(c.start, c.end))).toBe(true));
  });

  it.each(['', '   ', '\n\n\t\n'])('returns no chunks for empty or blank input %j', (input) => {
    expect(chunkMarkdown(input)).toEqual([]);
    expect(chunkPlainText(input)).toEqual([]);
  });

  it('returns the same chunks for the same input', () => {
    const markdown = `${HEADINGS_DOC}\n\n${fence(30)}`;
    expect(chunkMarkdown(markdown, SMALL)).toEqual(chunkMarkdown(markdown, SMALL));
  });

  it.each([{ targetChars: 0 }, { targetChars: 500, maxChars: 400 }, { overlapChars: -1 }, { overlapChars: 1200 }])(
    'rejects inconsistent sizes %j',
    (options) => {
      expect(() => chunkMarkdown('text', options)).toThrow(RangeError);
    },
  );
});

describe('chunkPlainText', () => {
  it('numbers pages from 1 at each form feed, counting empty pages', () => {
    const chunks = chunkPlainText('First page.\n\nStill first.\fSecond page.\f\fFourth page.');
    expect(chunks.map((c) => [c.page, c.text])).toEqual([
      [1, 'First page.\n\nStill first.'],
      [2, 'Second page.'],
      [4, 'Fourth page.'],
    ]);
    chunks.forEach((c) => expect(c).toMatchObject({ headingPath: [], anchor: '' }));
  });

  it('leaves text without page breaks unpaged', () => {
    expect(chunkPlainText('One paragraph.\n\nAnother.').map((c) => c.page)).toEqual([null]);
  });

  it('splits long text at blank lines and honours a custom page break', () => {
    const text = Array.from({ length: 8 }, (_, i) => paragraph(`t${i}x`, 90)).join('\n\n');
    const chunks = chunkPlainText(`${text}<PAGE>${text}`, { ...SMALL, pageBreak: '<PAGE>' });
    expect(new Set(chunks.map((c) => c.page))).toEqual(new Set([1, 2]));
    chunks.forEach((c) => expect(c.end - c.start).toBeLessThanOrEqual(SMALL.maxChars));
  });

  it('cuts a single over-long line at word boundaries', () => {
    const text = paragraph('long', 1000);
    const chunks = chunkPlainText(text, SMALL);
    expect(chunks.length).toBeGreaterThan(2);
    chunks.forEach((c) => expect(text.slice(c.start, c.end)).toMatch(/^\S.*\S$/));
  });
});

/** The seed chapter as an author writes it; the chunker sees the body without frontmatter. */
const SEED_FILES = import.meta.glob<string>('../../../seeds/course/01-foundations/02-querying-one-table/*.md', {
  query: '?raw',
  import: 'default',
  eager: true,
});
const SEED_BODIES = Object.entries(SEED_FILES).map(([path, raw]) => ({
  name: path.split('/').at(-1) ?? path,
  markdown: raw.replace(/^---\r?\n[\s\S]*?\r?\n---\r?\n?/, ''),
}));

describe('chunkMarkdown on the seed lessons', () => {
  it('finds the lessons', () => {
    expect(SEED_BODIES.map((s) => s.name)).toContain('02-filtering-with-where.md');
  });

  it.each(SEED_BODIES)('keeps every chunk of $name within maxChars plus overlap and path line', ({ markdown }) => {
    const maxChars = 2000;
    const overlapChars = 150;
    chunkMarkdown(markdown).forEach((c) => {
      const pathLine = c.headingPath.join(' > ');
      // Two blank-line separators: path line / overlap / own text.
      expect(c.text.length).toBeLessThanOrEqual(maxChars + overlapChars + pathLine.length + 4);
    });
  });

  it.each(SEED_BODIES)('covers every non-whitespace character of $name in some chunk range', ({ markdown }) => {
    const covered = new Uint8Array(markdown.length);
    chunkMarkdown(markdown).forEach((c) => covered.fill(1, c.start, c.end));
    const missed = markdown.split('').filter((ch, i) => /\S/.test(ch) && covered[i] === 0);
    expect(missed.join('')).toBe('');
  });
});
