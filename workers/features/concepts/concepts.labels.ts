/**
 * One way to write a concept's name, wherever it shows: sentence case (the first
 * letter capital), with each word as the course writes it. "null" is `NULL` in a
 * lesson that always writes it so, "like-pattern" is "LIKE pattern", and a concept
 * no text names yet reads as its id in sentence case ("Join condition").
 */
export function sentenceCase(label: string): string {
  return label.charAt(0).toUpperCase() + label.slice(1);
}

/** A concept's name from its id alone (`like-pattern` → "Like pattern"). */
export const labelOfId = (id: string) => sentenceCase(id.replace(/-/g, ' '));

/** Prose of a markdown text: no front matter or fenced code (inline code stays). */
function prose(markdown: string): string {
  const text = markdown.replace(/\r\n?/g, '\n').replace(/^---\n[\s\S]*?\n---(?:\n|$)/, '');
  const out: string[] = [];
  let fence: string | null = null;
  for (const line of text.split('\n')) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence !== null) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length) fence = null;
    } else if (marker) fence = marker;
    else out.push(line);
  }
  return out.join('\n');
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const capitals = (s: string) => s.replace(/[^\p{Lu}]/gu, '').length;
const allCaps = (s: string) => /\p{Lu}/u.test(s) && s === s.toUpperCase();

/** The most frequent of `counts`' writings; of two as frequent, the one with more capitals. */
function mostFrequent(counts: Map<string, number>): string | null {
  return [...counts].sort(([a, m], [b, n]) => n - m || capitals(b) - capitals(a) || (a < b ? -1 : 1))[0]?.[0] ?? null;
}

/**
 * How often `text` writes each form of `words` (the last maybe in the plural). A form
 * in capitals next to another word in capitals is part of a longer keyword run
 * (`EXPLAIN QUERY PLAN`, `USING COVERING INDEX`) and does not count.
 */
function writings(words: readonly string[], text: string): Map<string, number> {
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}_])(${words.map(escape).join('[\\s-]+')})(?:s|es)?(?![\\p{L}\\p{N}_])`, 'giu');
  const counts = new Map<string, number>();
  for (const match of text.matchAll(pattern)) {
    const form = (match[1] ?? '').replace(/\s+/g, ' ');
    if (allCaps(form)) {
      const before = /(\p{L}+)\s+$/u.exec(text.slice(Math.max(0, match.index - 30), match.index))?.[1] ?? '';
      const after =
        /^\s+(\p{L}+)/u.exec(text.slice(match.index + match[0].length, match.index + match[0].length + 30))?.[1] ?? '';
      if ((before.length > 1 && allCaps(before)) || (after.length > 1 && allCaps(after))) continue;
    }
    counts.set(form, (counts.get(form) ?? 0) + 1);
  }
  return counts;
}

/**
 * The name of concept `id` as `markdown`'s prose (inline code included, fenced code
 * not) most often writes it, in sentence case; null when the text never names it. An
 * id that names keywords the lesson only writes apart (`sum-avg`: `SUM` and `AVG`)
 * reads "SUM / AVG".
 */
export function labelFromText(id: string, markdown: string): string | null {
  const words = id.split('-').filter(Boolean);
  if (words.length === 0) return null;
  const text = prose(markdown).replace(/`/g, '');
  const best = mostFrequent(writings(words, text));
  if (best) return sentenceCase(best);
  if (words.length < 2) return null;
  const apart = words.map((word) => mostFrequent(writings([word], text)));
  return apart.every((w): w is string => w !== null && allCaps(w)) ? apart.join(' / ') : null;
}
