import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { flagProblems, valueProblems } from '../workers/features/experiments/experiments.domain';
import {
  ExperimentInputSchema,
  FlagInputSchema,
  type ExperimentInput,
  type FlagInput,
} from '../workers/features/experiments/experiments.schemas';
import { lineOfPath, type TreeProblem } from './frontmatter';

const FileSchema = z
  .object({
    flags: z.record(z.string(), z.unknown()).default({}),
    experiments: z.array(z.unknown()).default([]),
  })
  .strict();

/** Reads and checks an experiments file; every problem names its line. */
export function loadExperimentsFile(file: string): {
  flags: [string, FlagInput][];
  experiments: { input: ExperimentInput; start: boolean }[];
  problems: TreeProblem[];
} {
  const lineCounter = new LineCounter();
  const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter });
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;
  const at = (path: (string | number)[]) => lineOfPath(doc.contents, lineAt, path);
  const problems: TreeProblem[] = doc.errors.map((e) => ({
    file,
    line: lineAt(e.pos[0]),
    message: `bad YAML: ${e.message.split('\n')[0] ?? ''}`,
  }));
  if (problems.length > 0) return { flags: [], experiments: [], problems };
  const top = FileSchema.safeParse(doc.toJS() ?? {});
  if (!top.success) {
    return {
      flags: [],
      experiments: [],
      problems: top.error.issues.map((i) => ({
        file,
        line: at(i.path.map(String)),
        message: `${i.path.join('.')}: ${i.message}`,
      })),
    };
  }
  /** Each zod issue at the line of its field under `under`. */
  const issuesAt = (issues: z.core.$ZodIssue[], under: (string | number)[], prefix: string): TreeProblem[] =>
    issues.map((i) => ({
      file,
      line: at([...under, ...i.path.map(String)]),
      message: `${prefix}${i.path.join('.') || 'entry'}: ${i.message}`,
    }));
  const flags: [string, FlagInput][] = [];
  for (const [key, raw] of Object.entries(top.data.flags)) {
    const parsed = FlagInputSchema.safeParse(raw);
    if (!parsed.success) {
      problems.push(...issuesAt(parsed.error.issues, ['flags', key], `flag ${key}: `));
      continue;
    }
    for (const p of flagProblems(key, parsed.data)) {
      const path = p.field.split('/').slice(1);
      problems.push({ file, line: at(['flags', key, ...path]), message: `flag ${key}: ${path.join('.')}: ${p.message}` });
    }
    flags.push([key, parsed.data]);
  }
  const experiments: { input: ExperimentInput; start: boolean }[] = [];
  top.data.experiments.forEach((raw, index) => {
    const { start, ...rest } = (raw ?? {}) as { start?: unknown };
    const parsed = ExperimentInputSchema.safeParse(rest);
    if (!parsed.success) {
      problems.push(...issuesAt(parsed.error.issues, ['experiments', index], ''));
      return;
    }
    parsed.data.variants.forEach((v, i) => {
      for (const p of valueProblems(parsed.data.flagKey, v.value, 'value')) {
        problems.push({ file, line: at(['experiments', index, 'variants', i, 'value']), message: p.message });
      }
    });
    experiments.push({ input: parsed.data, start: start === true });
  });
  return { flags, experiments, problems };
}
