/**
 * `npm run eval -- kt <file.csv>`: how well per-skill BKT predicts learners' next answers on a
 * knowledge-tracing dataset, against a baseline that predicts each skill's average correctness.
 * Users are split 80/20 by a hash of their id; BKT is fitted by EM per skill on the training users,
 * then every attempt of the test users is predicted before it is seen.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { DEFAULT_BKT, bktPredictSequence, fitBkt, type BktParams } from '../workers/features/mastery/mastery.bkt';

/** Accepted header names per role, by preference: ASSISTments first, then the generic layout. */
const COLUMNS = {
  user: ['user_id', 'user'],
  skill: ['skill_id', 'skill_name', 'skill'],
  correct: ['correct'],
  order: ['order_id', 'order', 'timestamp'],
} as const;
type Role = keyof typeof COLUMNS;

interface Attempt {
  order: number;
  /** Row number in the file, to keep the file's order among equal `order` values. */
  row: number;
  correct: boolean;
}

/** Attempts per skill, then per user, oldest first. */
type Attempts = Map<string, Map<string, Attempt[]>>;

interface Scores {
  auc: number;
  rmse: number;
  logLoss: number;
}

/** Evaluates BKT and the skill-average baseline on the CSV; returns the report for the caller to print. */
export async function evaluateKt(csvPath: string): Promise<string> {
  const attempts = await readAttempts(csvPath);
  const isTest = (user: string) => fnv1a(user) % 5 === 0;
  const users = new Set<string>();
  const testUsers = new Set<string>();
  let trainCorrect = 0;
  let trainTotal = 0;
  const skillAverage = new Map<string, number>();
  for (const [skill, byUser] of attempts) {
    let correct = 0;
    let total = 0;
    for (const [user, seq] of byUser) {
      users.add(user);
      if (isTest(user)) {
        testUsers.add(user);
        continue;
      }
      correct += seq.filter((a) => a.correct).length;
      total += seq.length;
    }
    if (total > 0) skillAverage.set(skill, correct / total);
    trainCorrect += correct;
    trainTotal += total;
  }
  const globalAverage = trainTotal > 0 ? trainCorrect / trainTotal : 0.5;

  const labels: boolean[] = [];
  const bkt: number[] = [];
  const baseline: number[] = [];
  let fitted = 0;
  for (const [skill, byUser] of attempts) {
    const train = [...byUser].filter(([user]) => !isTest(user)).map(([, seq]) => seq.map((a) => a.correct));
    // EM on a single learner mostly fits that learner's luck.
    const params: BktParams = train.length >= 2 ? fitBkt(train).params : DEFAULT_BKT;
    if (train.length >= 2) fitted += 1;
    for (const [user, seq] of byUser) {
      if (!isTest(user)) continue;
      const answers = seq.map((a) => a.correct);
      const predicted = bktPredictSequence(answers, params);
      answers.forEach((correct, t) => {
        labels.push(correct);
        bkt.push(predicted[t] ?? NaN);
        baseline.push(skillAverage.get(skill) ?? globalAverage);
      });
    }
  }

  const f = (n: number) => (Number.isFinite(n) ? n.toFixed(4) : 'n/a');
  const row = (model: string, s: Scores) => `| ${model} | ${f(s.auc)} | ${f(s.rmse)} | ${f(s.logLoss)} |`;
  return [
    `Knowledge tracing: ${csvPath}`,
    '',
    '| model | AUC | RMSE | log-loss |',
    '|---|---:|---:|---:|',
    row('BKT (EM per skill)', score(bkt, labels)),
    row('skill average', score(baseline, labels)),
    '',
    `users: ${users.size - testUsers.size} train / ${testUsers.size} test`,
    `skills: ${attempts.size} (${fitted} fitted by EM, ${attempts.size - fitted} on default parameters)`,
    `attempts scored: ${labels.length}`,
  ].join('\n');
}

/** Area under the ROC curve by ranks (Mann–Whitney U); tied scores share their average rank. NaN with one class only. */
export function rocAuc(scores: readonly number[], labels: readonly boolean[]): number {
  const order = scores.map((_, i) => i).sort((a, b) => (scores[a] ?? 0) - (scores[b] ?? 0));
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1] ?? 0] === scores[order[start] ?? 0]) end += 1;
    const averageRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) {
      if (labels[order[k] ?? 0]) {
        positives += 1;
        positiveRankSum += averageRank;
      }
    }
    start = end + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

function score(predictions: readonly number[], labels: readonly boolean[]): Scores {
  // Clipped so a skill whose training answers were all right (or all wrong) costs a large but finite loss.
  const clip = (p: number) => Math.min(Math.max(p, 1e-6), 1 - 1e-6);
  let squared = 0;
  let loss = 0;
  predictions.forEach((p, i) => {
    const y = labels[i] ? 1 : 0;
    squared += (p - y) ** 2;
    loss -= y === 1 ? Math.log(clip(p)) : Math.log(1 - clip(p));
  });
  const n = predictions.length;
  return { auc: rocAuc(predictions, labels), rmse: Math.sqrt(squared / n), logLoss: loss / n };
}

/** 32-bit FNV-1a: a stable hash, so the same users land in the test split on every run and machine. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

async function readAttempts(path: string): Promise<Attempts> {
  const attempts: Attempts = new Map();
  let columns: Record<Role, number> | undefined;
  for await (const { fields, line } of csvRecords(path)) {
    if (!columns) {
      columns = findColumns(fields, path);
      continue;
    }
    if (fields.length === 1 && fields[0] === '') continue;
    const at = columns;
    const value = (role: Role) => (fields[at[role]] ?? '').trim();
    const skill = value('skill');
    if (skill === '') continue;
    const user = value('user');
    if (user === '') throw new Error(`${path}:${line}: empty ${COLUMNS.user.join('/')}`);
    const correct = value('correct');
    if (correct !== '0' && correct !== '1') throw new Error(`${path}:${line}: correct must be 0 or 1, got "${correct}"`);
    const byUser = attempts.get(skill) ?? new Map<string, Attempt[]>();
    attempts.set(skill, byUser);
    const seq = byUser.get(user) ?? [];
    byUser.set(user, seq);
    seq.push({ order: orderOf(value('order'), `${path}:${line}`), row: line, correct: correct === '1' });
  }
  if (!columns) throw new Error(`${path}: empty file, expected a header row`);
  for (const byUser of attempts.values()) {
    for (const seq of byUser.values()) seq.sort((a, b) => a.order - b.order || a.row - b.row);
  }
  return attempts;
}

function findColumns(header: readonly string[], path: string): Record<Role, number> {
  const names = header.map((name) => name.trim().toLowerCase());
  const find = (role: Role) => {
    const candidates: readonly string[] = COLUMNS[role];
    const index = candidates.map((c) => names.indexOf(c)).find((i) => i >= 0);
    if (index === undefined) {
      throw new Error(`${path}: missing ${role} column: expected one of ${candidates.join(', ')} in the header`);
    }
    return index;
  };
  return { user: find('user'), skill: find('skill'), correct: find('correct'), order: find('order') };
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
 * commas, doubled quotes and line breaks; `line` is where the record starts.
 */
async function* csvRecords(path: string): AsyncGenerator<{ fields: string[]; line: number }> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNumber = 0;
  let start = 0;
  let pending: string[] = [];
  let quoteOpen = false;
  for await (const raw of lines) {
    lineNumber += 1;
    const text = lineNumber === 1 ? raw.replace(/^\uFEFF/, '') : raw;
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
