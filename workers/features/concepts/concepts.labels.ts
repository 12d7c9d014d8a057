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

/** Prose of a markdown text: no front matter or fenced code; inline code keeps its words without the backticks. */
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
  return out.join('\n').replace(/`/g, '');
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The name of concept `id` as `markdown` most often writes it (its last word maybe in
 * the plural), in sentence case; null when the text never names it. Of two writings
 * used equally often, the one with more capitals wins (`NULL` over "null"): a
 * keyword the course writes in capitals stays so.
 */
export function labelFromText(id: string, markdown: string): string | null {
  const words = id.split('-').filter(Boolean);
  if (words.length === 0) return null;
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}_])(${words.map(escape).join('[\\s-]+')})(?:s|es)?(?![\\p{L}\\p{N}_])`, 'giu');
  const counts = new Map<string, number>();
  for (const match of prose(markdown).matchAll(pattern)) {
    const form = (match[1] ?? '').replace(/\s+/g, ' ');
    counts.set(form, (counts.get(form) ?? 0) + 1);
  }
  const capitals = (s: string) => s.replace(/[^\p{Lu}]/gu, '').length;
  const best = [...counts].sort(([a, m], [b, n]) => n - m || capitals(b) - capitals(a) || (a < b ? -1 : 1))[0];
  return best ? sentenceCase(best[0]) : null;
}
