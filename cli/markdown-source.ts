/**
 * Turns markdown written for other doc tools into this platform's plain
 * CommonMark, outside code blocks and line for line: MDX imports/exports and component tags go;
 * `:::` blocks (Docusaurus admonitions, Pandoc fenced divs) become a bold label;
 * kramdown attribute lines (`{: .callout}`) and Liquid tags go; the raw HTML docs
 * commonly use for layout (`<img>`, `<kbd>`, wrapper `<div>`/`<p>`) becomes
 * markdown. Any other raw HTML stays, and the renderer shows it as text.
 */
export function normalizeMarkdown(body: string, options: { mdx: boolean }): string {
  const out: string[] = [];
  let inFence: string | null = null;
  for (const line of body.split(/\r?\n/)) {
    const fence = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence?.[1]) {
      if (inFence === null) inFence = fence[1];
      else if (fence[1].startsWith(inFence)) inFence = null;
      out.push(line.replace(/^(\s*`{3,})\{(\w+)[^}]*\}/, '$1$2'));
      continue;
    }
    if (inFence !== null) {
      out.push(line);
      continue;
    }
    if (dropped(line, options.mdx)) {
      out.push('');
      continue;
    }
    const div = /^\s*:{3,}\s*\{?\s*\.?([A-Za-z][\w-]*)?\s*\}?\s*(.*)$/.exec(line);
    if (div) {
      const name = div[1];
      const title = div[2]?.trim();
      out.push(name ? `**${title || name.charAt(0).toUpperCase() + name.slice(1)}**` : '');
      continue;
    }
    out.push(inlineHtmlToMarkdown(line));
  }
  return out.join('\n');
}

/** Lines that carry no content of their own; each becomes blank, so line numbers hold. */
function dropped(line: string, mdx: boolean): boolean {
  return (
    (mdx && /^(import|export)\s.+/.test(line)) ||
    (mdx && /^\s*<\/?[A-Z][\w.]*(\s[^>]*)?\/?>\s*$/.test(line)) ||
    /^\s*(?:>\s*)*\{:[^}]*\}\s*$/.test(line) ||
    /^\s*\{%.*%\}\s*$/.test(line) ||
    /^\s*<\/?(?:p|div|center|span|section|figure|details)(?:\s[^>]*)?>\s*$/i.test(line)
  );
}

function attribute(tag: string, name: string): string {
  return (
    new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'i')
      .exec(tag)
      ?.slice(1)
      .find((v) => v !== undefined) ?? ''
  );
}

function inlineHtmlToMarkdown(line: string): string {
  return line
    .replace(/<img\b[^>]*>/gi, (tag) => (attribute(tag, 'src') ? `![${attribute(tag, 'alt')}](${attribute(tag, 'src')})` : ''))
    .replace(/<kbd>([^<]*)<\/kbd>/gi, '`$1`')
    .replace(/<summary>([^<]*)<\/summary>/gi, '**$1**')
    .replace(/<br\s*\/?>/gi, '')
    .replace(/\{\{[^}]*\}\}/g, '');
}

/** The first `# ` heading, if the body opens with one (blank lines aside). */
export function leadingH1(body: string): { title: string; rest: string } | null {
  const match = /^\s*#\s+(.+?)\s*#*\s*(?:\r?\n|$)/.exec(body);
  if (!match?.[1]) return null;
  return { title: match[1].trim(), rest: body.slice(match[0].length) };
}

/** First paragraph of prose, flattened and cut to a summary length. */
export function firstParagraph(body: string, max = 280): string {
  const paragraphs = body.split(/\r?\n\s*\r?\n/).map((p) => p.trim());
  const prose = paragraphs.find((p) => p && !/^(#|```|~~~|\||>|-\s|\*\s|\d+\.\s|!\[|<|\*\*[^*]+\*\*$)/.test(p));
  if (!prose) return '';
  const flat = prose
    .replace(/\s+/g, ' ')
    .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*_`]/g, '');
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).replace(/\s+\S*$/, '')}…`;
}

/** Bullets of a Carpentries `::: objectives` block, read before the block is flattened. */
export function fencedDivBullets(body: string, name: string): string[] {
  const re = new RegExp(`^\\s*:{3,}\\s*\\{?\\s*\\.?${name}\\b[^\\n]*\\n([\\s\\S]*?)^\\s*:{3,}\\s*$`, 'm');
  const block = re.exec(body)?.[1] ?? '';
  return [...block.matchAll(/^\s*[-*]\s+(.+)$/gm)].map((m) => (m[1] ?? '').trim()).filter(Boolean);
}

export function countWords(markdown: string): number {
  return markdown
    .replace(/```[\s\S]*?```/g, ' ')
    .split(/\s+/)
    .filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

/** kebab-case id from any label: "Tutorial - Basics" -> "tutorial-basics". */
export function toSlug(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 120)
    .replace(/-+$/g, '');
}

/** Title from a file or folder name: "02-outer-joins.md" -> "Outer joins". */
export function titleFromName(name: string): string {
  const bare = stripOrderPrefix(name.replace(/\.(md|mdx|rmd)$/i, ''))
    .replace(/[-_]+/g, ' ')
    .trim();
  return bare ? bare.charAt(0).toUpperCase() + bare.slice(1) : name;
}

const ORDER_PREFIX = /^(\d+)[-_. ]+(?=.)/;

export function orderPrefix(name: string): number | null {
  const m = ORDER_PREFIX.exec(name);
  return m?.[1] ? Number(m[1]) : null;
}

export function stripOrderPrefix(name: string): string {
  return name.replace(ORDER_PREFIX, '');
}
