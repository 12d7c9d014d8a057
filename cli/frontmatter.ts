import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';

export interface TreeProblem {
  file: string;
  line: number;
  message: string;
}

export interface Frontmatter {
  data: Record<string, unknown>;
  /** Markdown after the frontmatter block. */
  body: string;
  /** 1-based line of the body's first line in the file. */
  bodyLine: number;
  /** 1-based line of a top-level key, for error messages (falls back to 1). */
  lineOf: (key: string) => number;
  problems: TreeProblem[];
}

const FENCE = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

/** Splits `---` YAML frontmatter from markdown, keeping line numbers for every key and error. */
export function parseFrontmatter(file: string, text: string): Frontmatter {
  const source = text.replace(/^\uFEFF/, '');
  const match = FENCE.exec(source);
  if (!match) return { data: {}, body: source, bodyLine: 1, lineOf: () => 1, problems: [] };
  const yamlText = match[1] ?? '';
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter, prettyErrors: false });
  const problems: TreeProblem[] = doc.errors.map((error) => ({
    file,
    line: (error.linePos?.[0]?.line ?? 0) + 1,
    message: `bad frontmatter: ${error.message.split('\n')[0] ?? 'invalid YAML'}`,
  }));
  const lines = new Map<string, number>();
  if (isMap(doc.contents)) {
    for (const pair of doc.contents.items) {
      if (isScalar(pair.key) && pair.key.range)
        lines.set(String(pair.key.value), lineCounter.linePos(pair.key.range[0]).line + 1);
    }
  }
  let data: Record<string, unknown> = {};
  if (problems.length === 0) {
    const value: unknown = doc.toJS();
    if (value && typeof value === 'object' && !Array.isArray(value)) data = value as Record<string, unknown>;
    else if (value !== null && value !== undefined)
      problems.push({ file, line: 2, message: 'bad frontmatter: expected key: value pairs' });
  }
  const bodyLine = source.slice(0, match[0].length).split('\n').length;
  return { data, body: source.slice(match[0].length), bodyLine, lineOf: (key) => lines.get(key) ?? 1, problems };
}
