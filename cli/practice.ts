import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { isSeq, LineCounter, parseDocument } from 'yaml';
import { checkLibrary } from '../workers/features/practice/practice.domain';
import { VariationSchema, type Variation } from '../workers/features/practice/practice.schemas';
import { lineOfPath, type TreeProblem } from './frontmatter';
import type { Api } from './push';

/** Where each variation was read: its file and the line of its first field. */
interface Origin {
  file: string;
  lineOf: (path: (string | number)[]) => number;
}

/**
 * Reads a practice library folder: every `*.yml`/`*.yaml` file is a YAML list of
 * variations. Each problem is reported at its own line (a field's key, or the item),
 * and library-wide rules (unique ids, template fields, completions) are checked too.
 */
export async function loadPracticeLibrary(dir: string): Promise<{ variations: Variation[]; problems: TreeProblem[] }> {
  const names = (await readdir(dir)).filter((f) => /\.ya?ml$/i.test(f)).sort();
  const problems: TreeProblem[] = [];
  const variations: Variation[] = [];
  const origins: Origin[] = [];
  if (names.length === 0)
    problems.push({ file: dir, line: 1, message: 'no .yml files: a practice library is a folder of YAML lists' });
  for (const name of names) {
    const file = relative(process.cwd(), join(dir, name)) || name;
    const lineCounter = new LineCounter();
    const doc = parseDocument(await readFile(join(dir, name), 'utf8'), { lineCounter, prettyErrors: false });
    const lineAt = (offset: number) => lineCounter.linePos(offset).line;
    if (doc.errors.length > 0) {
      for (const error of doc.errors) {
        problems.push({ file, line: lineAt(error.pos[0]), message: `bad YAML: ${error.message.split('\n')[0] ?? ''}` });
      }
      continue;
    }
    if (!isSeq(doc.contents)) {
      problems.push({ file, line: 1, message: 'expected a YAML list of variations (each item starting with "- id:")' });
      continue;
    }
    const items = doc.toJS() as unknown[];
    items.forEach((item, i) => {
      const parsed = VariationSchema.safeParse(item);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
          const field = path.length > 0 ? `${path.join('.')}: ` : '';
          problems.push({
            file,
            line: lineOfPath(doc.contents, lineAt, [i, ...path]),
            message: `variation ${i + 1}: ${field}${issue.message}`,
          });
        }
        return;
      }
      variations.push(parsed.data);
      origins.push({ file, lineOf: (path) => lineOfPath(doc.contents, lineAt, [i, ...path]) });
    });
  }
  // Library rules are checked only on a library whose variations all parsed: a broken file would cause false ones.
  if (problems.length === 0) {
    for (const problem of checkLibrary(variations)) {
      const [, index, ...path] = problem.path;
      const origin = typeof index === 'number' ? origins[index] : undefined;
      const first = problem.also === undefined ? undefined : origins[problem.also];
      const also = first ? ` (also ${first.file}:${first.lineOf([])})` : '';
      problems.push(
        origin
          ? {
              file: origin.file,
              line: origin.lineOf(path),
              message: `${variations[index as number]?.id ?? ''}: ${problem.message}${also}`,
            }
          : { file: dir, line: 1, message: `the library ${problem.message}` },
      );
    }
  }
  return { variations, problems };
}

/** Validates a practice library folder and, unless `dryRun`, replaces the server's library with it. */
export async function pushPracticeLibrary(
  api: Api,
  input: {
    dir: string;
    dryRun: boolean;
    /** The course whose library it is (default: the default course). */
    course?: string | undefined;
    out: { log: (line: string) => void; error: (line: string) => void };
  },
): Promise<boolean> {
  const { variations, problems } = await loadPracticeLibrary(input.dir);
  if (problems.length > 0) {
    for (const p of problems) input.out.error(`${p.file}:${p.line}: ${p.message}`);
    input.out.error(`${problems.length} problem(s); nothing was pushed.`);
    return false;
  }
  const counts = new Map<string, number>();
  for (const v of variations) counts.set(v.category, (counts.get(v.category) ?? 0) + 1);
  input.out.log(`practice library: ${variations.length} variations (${[...counts].map(([k, n]) => `${k} ${n}`).join(', ')})`);
  if (input.dryRun) {
    input.out.log('dry run: nothing pushed');
    return true;
  }
  const path = `/api/admin/practice/library${input.course ? `?course=${encodeURIComponent(input.course)}` : ''}`;
  const stored = (await api('PUT', path, { variations })) as { courseId: string; variations: number };
  input.out.log(`stored ${stored.variations} variations for the course "${stored.courseId}"`);
  return true;
}
