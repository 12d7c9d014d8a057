import markdownIt, { type MarkdownIt, type Token } from 'markdown-it';

/**
 * The one markdown dialect of the platform, shared by the Worker (ingest stats,
 * outline) and the site (rendering), so heading anchors always agree.
 * Raw HTML is off: markdown can never inject markup, scripts or event handlers.
 */
export function createMarkdown(options: { highlight?: (code: string, lang: string) => string } = {}): MarkdownIt {
  const md = markdownIt({ html: false, linkify: true, typographer: false, highlight: options.highlight ?? null });
  md.core.ruler.push('heading_anchors', (state) => {
    const anchor = createAnchorer();
    state.tokens.forEach((token, i) => {
      if (token.type !== 'heading_open') return;
      const inline = state.tokens[i + 1];
      token.attrSet('id', anchor(inline ? inlineText(inline) : ''));
    });
  });
  return md;
}

/** GitHub-style heading slug: lower case, punctuation dropped, spaces to dashes. */
export function headingSlug(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Slugs for one document: repeats get `-1`, `-2`, ... like GitHub. */
export function createAnchorer(): (text: string) => string {
  const seen = new Map<string, number>();
  return (text) => {
    const base = headingSlug(text) || 'section';
    let slug = base;
    let n = seen.get(base) ?? 0;
    while (seen.has(slug)) slug = `${base}-${++n}`;
    seen.set(base, n);
    seen.set(slug, 0);
    return slug;
  };
}

function inlineText(token: Token): string {
  return (token.children ?? [])
    .filter((child) => child.type === 'text' || child.type === 'code_inline')
    .map((child) => child.content)
    .join('');
}

export interface MarkdownStats {
  wordCount: number;
  readingMinutes: number;
  outline: { depth: number; text: string; anchor: string }[];
}

const WORDS_PER_MINUTE = 220;
const CODE_LINES_PER_MINUTE = 12;

/** Prose words, heading outline and reading time (prose plus a slower pace for code). */
export function markdownStats(markdown: string): MarkdownStats {
  const md = createMarkdown();
  const tokens = md.parse(markdown, {});
  let wordCount = 0;
  let codeLines = 0;
  const outline: MarkdownStats['outline'] = [];
  tokens.forEach((token, i) => {
    if (token.type === 'inline') wordCount += countWords(inlineText(token));
    if (token.type === 'fence' || token.type === 'code_block') codeLines += token.content.split('\n').filter(Boolean).length;
    if (token.type === 'heading_open') {
      const inline = tokens[i + 1];
      outline.push({
        depth: Number(token.tag.slice(1)),
        text: inline ? inlineText(inline) : '',
        anchor: String(token.attrGet('id') ?? ''),
      });
    }
  });
  const readingMinutes = Math.max(1, Math.round(wordCount / WORDS_PER_MINUTE + codeLines / CODE_LINES_PER_MINUTE));
  return { wordCount, readingMinutes, outline };
}

function countWords(text: string): number {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}
