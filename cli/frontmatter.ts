import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';

export interface TreeProblem {
  file: string;
  line: number;
  message: string;
}

/** A place in a YAML document: keys and list indexes, e.g. `quiz, 2, answer`. */
export type FieldPath = readonly (string | number)[];

export interface Frontmatter {
  data: Record<string, unknown>;
  /**
   * What YAML could still read of a block with errors (equal to `data` without them).
   * Only for guesses that keep one broken file from causing problems in others, never for content.
   */
  partial: Record<string, unknown>;
  /** Markdown after the frontmatter block. */
  body: string;
  /** 1-based line of the body's first line in the file. */
  bodyLine: number;
  /** 1-based file line of the deepest part of `path` the frontmatter has: a key's own line, a list item's first line (falls back to 1). */
  lineOf: (...path: FieldPath) => number;
  problems: TreeProblem[];
}

const FENCE = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;
// The YAML starts on the line after the opening `---`.
const FENCE_LINES = 1;

/** Splits `---` YAML frontmatter from markdown, keeping line numbers for every key and error. */
export function parseFrontmatter(file: string, text: string): Frontmatter {
  const source = text.replace(/^\uFEFF/, '');
  const match = FENCE.exec(source);
  if (!match) return { data: {}, partial: {}, body: source, bodyLine: 1, lineOf: () => 1, problems: [] };
  const yamlText = match[1] ?? '';
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter, prettyErrors: false });
  const lineAt = (offset: number) => lineCounter.linePos(offset).line + FENCE_LINES;
  const problems: TreeProblem[] = doc.errors.map((error) => ({
    file,
    line: lineAt(error.pos[0]),
    message: `bad frontmatter: ${error.message.split('\n')[0] ?? 'invalid YAML'}`,
  }));
  let partial: Record<string, unknown> = {};
  try {
    const value: unknown = doc.toJS();
    if (value && typeof value === 'object' && !Array.isArray(value)) partial = value as Record<string, unknown>;
    else if (value !== null && value !== undefined && problems.length === 0)
      problems.push({ file, line: 1 + FENCE_LINES, message: 'bad frontmatter: expected key: value pairs' });
  } catch {
    // A document with errors may not convert (an alias to nothing); the errors above already say why.
  }
  const data = problems.length === 0 ? partial : {};

  const lineOf = (...path: FieldPath): number => lineOfPath(doc.contents, lineAt, path);
  const bodyLine = source.slice(0, match[0].length).split('\n').length;
  return { data, partial, body: source.slice(match[0].length), bodyLine, lineOf, problems };
}

/**
 * The 1-based line of the deepest part of `path` a YAML node has: a key's own line, a
 * list item's first line (1 when not even the first part is there). `lineAt` turns an
 * offset in the YAML text into a line of the file.
 */
export function lineOfPath(root: unknown, lineAt: (offset: number) => number, path: FieldPath): number {
  let node: unknown = root;
  let line = 1;
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(part));
      if (!pair) break;
      if (isScalar(pair.key) && pair.key.range) line = lineAt(pair.key.range[0]);
      node = pair.value;
    } else if (isSeq(node) && typeof part === 'number') {
      const item = node.items[part];
      if (!isNode(item)) break;
      if (item.range) line = lineAt(item.range[0]);
      node = item;
    } else break;
  }
  return line;
}
