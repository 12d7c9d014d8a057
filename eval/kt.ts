/**
 * `npm run eval -- kt <file>`: how well each knowledge-tracing model predicts learners' next
 * answers on a log of attempts, with a 5-fold split by learner (every learner is in exactly one
 * test fold; the models are fitted on the other four). Reported per model: AUC, RMSE and
 * log-loss, as the mean over the folds ± their standard deviation.
 *
 * Models: per-skill BKT fitted by EM; PFA with best-LR's learner-level counts (logistic over prior
 * successes and failures), without and, when the file names items, with item difficulties; and
 * the baseline that predicts each skill's average correctness.
 *
 * Layouts read (the delimiter, comma or tab, is taken from the header row; names are matched
 * without regard to case):
 * - ASSISTments skill builder 2009-2010 and 2012: `user_id`, `skill_id` or `skill_name` (or
 *   `skill`), `correct`, `order_id` (or `start_time`), items from `problem_id`.
 * - PSLC DataShop exports, KDD Cup 2010 and OLI Statics: tab-separated `Anon Student Id`,
 *   `KC(...)` (several KCs joined by `~~` count as one attempt each), `Correct First Attempt` (or
 *   `First Attempt`: correct / incorrect / hint, a hint counting as wrong), `First Transaction Time`
 *   (or `Row`), items from `Problem Name` + `Step Name`.
 * - ASSISTments 2015 (`user_id,log_id,sequence_id,correct`): the problem set stands for the skill;
 *   answers with partial credit (0 < correct < 1) are left out and counted, as the benchmarks do.
 * - Deep Knowledge Tracing's preprocessed files (ASSISTments 2009 `builder_train.csv`, and the
 *   same three-line records in AKT's and DKVMN's `assist2009`, `assist2015`, `statics`): no header,
 *   per learner a line with the answer count, one with the skill ids, one with the 0/1 answers.
 * - The generic layout this project writes: `user,skill,correct,order` (or `timestamp`), optional `item`.
 * Rows without a skill are skipped (as the published ASSISTments benchmarks do).
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { DEFAULT_BKT, bktPredictSequence, fitBkt } from '../workers/features/mastery/mastery.bkt';
import { fitPfa, pfaPredictAll, type PfaAttempt } from '../workers/features/mastery/mastery.pfa';
import { predictionScores as score, type PredictionScores as Scores } from '../workers/features/mastery/mastery.scores';
import { fnv1a } from '../workers/platform/embedder';

export { rocAuc } from '../workers/features/mastery/mastery.scores';

/** Accepted header names per role, by preference. A `*` ends a prefix (DataShop's `KC(<model>)`). */
const COLUMNS = {
  user: ['user_id', 'user', 'anon student id', 'student_id', 'studentid'],
  skill: ['skill_id', 'skill_name', 'skill', 'kc(default)', 'kc(*', 'kc (*', 'kc', 'knowledge_component', 'sequence_id'],
  correct: ['correct', 'correct first attempt', 'first attempt'],
  order: ['order_id', 'order', 'timestamp', 'start_time', 'first transaction time', 'time', 'row', 'log_id'],
  item: ['problem_id', 'item_id', 'item', 'problem name'],
  step: ['step name'],
} as const;
type Role = keyof typeof COLUMNS;
const OPTIONAL: readonly Role[] = ['item', 'step'];

/** One attempt as read: the file's row keeps the file's order among equal `order` values. */
interface Attempt {
  user: string;
  skill: string;
  item?: string;
  correct: boolean;
  order: number;
  row: number;
}

export interface KtEvalOptions {
  /** Folds of the split by learner (default 5). */
  folds?: number;
}

/** Evaluates every model on the file with a k-fold split by learner; returns the report for the caller to print. */
export async function evaluateKt(path: string, options: KtEvalOptions = {}): Promise<string> {
  const folds = options.folds ?? 5;
  if (!Number.isInteger(folds) || folds < 2) throw new RangeError('folds must be an integer of at least 2');
  const { attempts, partialCredit } = await readAttempts(path);
  const users = [...new Set(attempts.map((a) => a.user))];
  if (users.length < folds)
    throw new Error(`${path}: ${users.length} learner(s); the ${folds}-fold split needs at least ${folds}`);
  // Learners are dealt to folds in the order of a stable hash, so every fold gets its share.
  const foldOf = new Map(
    users
      .map((u) => ({ u, h: fnv1a(u) }))
      .sort((a, b) => a.h - b.h || (a.u < b.u ? -1 : 1))
      .map(({ u }, i) => [u, i % folds]),
  );
  const hasItems = attempts.some((a) => a.item !== undefined);
  const models = ['BKT (EM per skill)', 'PFA (best-LR counts)', ...(hasItems ? ['PFA + item difficulty'] : []), 'skill average'];
  const results = new Map<string, Scores[]>(models.map((m) => [m, []]));
  let bktFitted = 0;
  let bktDefault = 0;
  let scored = 0;
  for (let k = 0; k < folds; k++) {
    const train = attempts.filter((a) => foldOf.get(a.user) !== k);
    const test = attempts.filter((a) => foldOf.get(a.user) === k);
    const labels = test.map((a) => a.correct);
    scored += test.length;
    const predictions = new Map<string, number[]>();

    // Skill average (and the overall average for a skill no training learner answered).
    const sums = new Map<string, { right: number; total: number }>();
    for (const a of train) {
      const s = sums.get(a.skill) ?? { right: 0, total: 0 };
      s.right += a.correct ? 1 : 0;
      s.total += 1;
      sums.set(a.skill, s);
    }
    const overall = train.length ? train.filter((a) => a.correct).length / train.length : 0.5;
    predictions.set(
      'skill average',
      test.map((a) => {
        const s = sums.get(a.skill);
        return s ? s.right / s.total : overall;
      }),
    );

    // BKT: each skill fitted by EM on its training learners' sequences.
    const sequences = (rows: readonly Attempt[]) => {
      const bySkill = new Map<string, Map<string, number[]>>();
      rows.forEach((a, i) => {
        const byUser = bySkill.get(a.skill) ?? new Map<string, number[]>();
        bySkill.set(a.skill, byUser);
        byUser.set(a.user, [...(byUser.get(a.user) ?? []), i]);
      });
      return bySkill;
    };
    const bkt = new Array<number>(test.length).fill(NaN);
    const trainSeqs = sequences(train);
    for (const [skill, byUser] of sequences(test)) {
      const trainUsers = [...(trainSeqs.get(skill)?.values() ?? [])].map((idx) => idx.map((i) => train[i]?.correct === true));
      // EM on a single learner mostly fits that learner's luck.
      const params = trainUsers.length >= 2 ? fitBkt(trainUsers).params : DEFAULT_BKT;
      if (trainUsers.length >= 2) bktFitted += 1;
      else bktDefault += 1;
      for (const idx of byUser.values()) {
        const predicted = bktPredictSequence(
          idx.map((i) => test[i]?.correct === true),
          params,
        );
        idx.forEach((i, t) => (bkt[i] = predicted[t] ?? NaN));
      }
    }
    predictions.set('BKT (EM per skill)', bkt);

    // PFA, fitted on the training learners' answers in their order.
    const pfa = (withItems: boolean) => {
      const asPfa = (rows: readonly Attempt[]): PfaAttempt[] =>
        rows.map((a) => ({
          learner: a.user,
          concept: a.skill,
          correct: a.correct,
          ...(withItems && a.item ? { item: a.item } : {}),
        }));
      return pfaPredictAll(fitPfa(asPfa(train)).model, asPfa(test));
    };
    predictions.set('PFA (best-LR counts)', pfa(false));
    if (hasItems) predictions.set('PFA + item difficulty', pfa(true));

    for (const model of models) results.get(model)?.push(score(predictions.get(model) ?? [], labels));
  }

  const f = (n: number) => (Number.isFinite(n) ? n.toFixed(4) : 'n/a');
  const stat = (values: number[]) => {
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, values.length - 1));
    return `${f(mean)} ± ${f(sd)}`;
  };
  const row = (model: string) => {
    const s = results.get(model) ?? [];
    return `| ${model} | ${stat(s.map((x) => x.auc))} | ${stat(s.map((x) => x.rmse))} | ${stat(s.map((x) => x.logLoss))} |`;
  };
  const skills = new Set(attempts.map((a) => a.skill)).size;
  const items = new Set(attempts.flatMap((a) => (a.item ? [a.item] : []))).size;
  return [
    `Knowledge tracing: ${path}`,
    '',
    `| model (${folds}-fold split by learner, mean ± sd over folds) | AUC | RMSE | log-loss |`,
    '|---|---:|---:|---:|',
    ...models.map(row),
    '',
    `learners: ${users.length} (${folds} folds)`,
    `skills: ${skills}${items ? `, items: ${items}` : ''}`,
    `BKT per skill and fold: ${bktFitted} fitted by EM, ${bktDefault} on default parameters (fewer than 2 training learners)`,
    `attempts scored: ${scored}`,
    ...(partialCredit ? [`rows left out for partial credit (0 < correct < 1): ${partialCredit}`] : []),
  ].join('\n');
}

/** The attempts of a file, in each learner's order, and how many rows were left out for partial credit. */
async function readAttempts(path: string): Promise<{ attempts: Attempt[]; partialCredit: number }> {
  const attempts: Attempt[] = [];
  let partialCredit = 0;
  let columns: Partial<Record<Role, number>> | undefined;
  const records = csvRecords(path);
  for await (const { fields, line } of records) {
    if (!columns) {
      // A first line that is a single count: the Deep Knowledge Tracing layout.
      if (fields.length === 1 && /^\d+$/.test(fields[0]?.trim() ?? '')) {
        return { attempts: await readDktRecords(path, Number(fields[0]), records), partialCredit };
      }
      columns = findColumns(fields, path);
      continue;
    }
    if (fields.length === 1 && fields[0] === '') continue;
    const at = columns;
    const value = (role: Role) => {
      const i = at[role];
      return i === undefined ? '' : (fields[i] ?? '').trim();
    };
    const skills = value('skill')
      .split('~~')
      .map((s) => s.trim())
      .filter(Boolean);
    if (skills.length === 0) continue;
    const user = value('user');
    if (user === '') throw new Error(`${path}:${line}: empty ${COLUMNS.user.join('/')}`);
    const correct = correctness(value('correct'), `${path}:${line}`);
    if (correct === 'partial') {
      partialCredit += 1;
      continue;
    }
    const order = orderOf(value('order'), `${path}:${line}`);
    const item = [value('item'), value('step')].filter(Boolean).join(' / ') || undefined;
    for (const skill of skills) attempts.push({ user, skill, correct, order, row: line, ...(item ? { item } : {}) });
  }
  if (!columns) throw new Error(`${path}: empty file, expected a header row`);
  attempts.sort((a, b) => (a.user < b.user ? -1 : a.user > b.user ? 1 : a.order - b.order || a.row - b.row));
  return { attempts, partialCredit };
}

/**
 * The Deep Knowledge Tracing layout (Piech et al., 2015, and the repositories that followed it):
 * no header, three lines per learner (the number of answers, the skill ids, the 0/1 answers, comma
 * separated, a trailing comma allowed). Learners are numbered by their record.
 */
async function readDktRecords(
  path: string,
  firstCount: number,
  rest: AsyncGenerator<{ fields: string[]; line: number }>,
): Promise<Attempt[]> {
  const attempts: Attempt[] = [];
  const values = (fields: string[]) => fields.map((f) => f.trim()).filter((f) => f !== '');
  let count: number | null = firstCount;
  let countLine = 1;
  let skills: string[] | null = null;
  let learner = 0;
  for await (const { fields, line } of rest) {
    if (count === null) {
      if (values(fields).length === 0) continue;
      const text = values(fields)[0] ?? '';
      if (!/^\d+$/.test(text) || values(fields).length !== 1)
        throw new Error(`${path}:${line}: expected a learner's answer count, got "${fields.join(',')}"`);
      count = Number(text);
      countLine = line;
    } else if (skills === null) {
      skills = values(fields);
    } else {
      const answers = values(fields);
      if (skills.length !== count || answers.length !== count) {
        throw new Error(
          `${path}:${countLine}: the record says ${count} answers but lists ${skills.length} skills and ${answers.length} answers`,
        );
      }
      learner += 1;
      const user = `learner-${learner}`;
      answers.forEach((a, i) => {
        const correct = correctness(a, `${path}:${line}`);
        if (correct !== 'partial') attempts.push({ user, skill: skills?.[i] ?? '', correct, order: i, row: line });
      });
      count = null;
      skills = null;
    }
  }
  if (count !== null) throw new Error(`${path}:${countLine}: the last record is cut short`);
  return attempts;
}

/** 0/1, true/false, or DataShop's correct / incorrect / hint (a hint counts as wrong); a fraction is partial credit. */
function correctness(text: string, where: string): boolean | 'partial' {
  const v = text.toLowerCase();
  if (v === '1' || v === 'true' || v === 'correct') return true;
  if (v === '0' || v === 'false' || v === 'incorrect' || v === 'hint') return false;
  // ASSISTments 2015 gives partial credit on some answers; the published benchmarks leave those out.
  const n = Number(v);
  if (v !== '' && Number.isFinite(n) && n > 0 && n < 1) return 'partial';
  throw new Error(`${where}: correct must be 0 or 1, got "${text}"`);
}

function findColumns(header: readonly string[], path: string): Partial<Record<Role, number>> {
  const names = header.map((name) => name.trim().toLowerCase());
  const find = (role: Role) => {
    const candidates: readonly string[] = COLUMNS[role];
    const index = candidates
      .map((c) => (c.endsWith('*') ? names.findIndex((n) => n.startsWith(c.slice(0, -1))) : names.indexOf(c)))
      .find((i) => i >= 0);
    if (index === undefined && !OPTIONAL.includes(role)) {
      throw new Error(`${path}: missing ${role} column: expected one of ${candidates.join(', ')} in the header`);
    }
    return index;
  };
  const found: Partial<Record<Role, number>> = {};
  for (const role of Object.keys(COLUMNS) as Role[]) {
    const index = find(role);
    if (index !== undefined) found[role] = index;
  }
  return found;
}

/** A number (order id, epoch time) or a date string, as both appear in public datasets. */
function orderOf(text: string, where: string): number {
  const n = text === '' ? NaN : Number(text);
  if (Number.isFinite(n)) return n;
  const time = Date.parse(text);
  if (Number.isFinite(time)) return time;
  throw new Error(`${where}: order/timestamp must be a number or a date, got "${text}"`);
}

/**
 * CSV records read line by line, so large files are never held whole. A quoted field may hold
 * commas, doubled quotes and line breaks; `line` is where the record starts. A header with a tab
 * in it makes the file tab-separated, as DataShop exports are: fields are split on tabs, with no quoting.
 */
async function* csvRecords(path: string): AsyncGenerator<{ fields: string[]; line: number }> {
  let tabs = false;
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNumber = 0;
  let start = 0;
  let pending: string[] = [];
  let quoteOpen = false;
  for await (const raw of lines) {
    lineNumber += 1;
    const text = lineNumber === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (lineNumber === 1) tabs = text.includes('\t');
    if (tabs) {
      yield { fields: text.split('\t'), line: lineNumber };
      continue;
    }
    if (pending.length === 0) start = lineNumber;
    pending.push(text);
    // An odd number of quotes leaves a quoted field open across the line break.
    for (let i = text.indexOf('"'); i >= 0; i = text.indexOf('"', i + 1)) quoteOpen = !quoteOpen;
    if (quoteOpen) continue;
    const record = pending.join('\n');
    pending = [];
    yield { fields: record.includes('"') ? splitQuoted(record) : record.split(','), line: start };
  }
  if (quoteOpen) throw new Error(`${path}:${start}: unterminated quoted field`);
}

function splitQuoted(record: string): string[] {
  const fields: string[] = [];
  let field = '';
  let inQuotes = false;
  for (let i = 0; i < record.length; i++) {
    const ch = record[i];
    if (inQuotes) {
      if (ch !== '"') field += ch;
      else if (record[i + 1] === '"') {
        field += '"';
        i += 1;
      } else inQuotes = false;
    } else if (ch === '"') inQuotes = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  fields.push(field);
  return fields;
}
