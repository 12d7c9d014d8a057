import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TOPICS = [
  'filtering rows',
  'sorting results',
  'joining tables',
  'grouping rows',
  'window functions',
  'indexes',
  'transactions',
  'constraints',
  'subqueries',
  'common table expressions',
  'set operations',
  'NULL handling',
];
const TABLES = ['orders', 'customers', 'books', 'payments', 'shipments', 'reviews', 'authors', 'stores'];
const VERBS = ['returns', 'keeps', 'counts', 'ranks', 'filters', 'combines', 'compares', 'summarizes'];

/** A small deterministic PRNG, so every run loads the same text. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function section(rand: () => number, lesson: number, n: number): string {
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)] as T;
  const topic = pick(TOPICS);
  const table = pick(TABLES);
  const sentences = Array.from({ length: 9 }, () => {
    const other = pick(TABLES);
    return `When ${topic} on ${table}, a query ${pick(VERBS)} the rows of ${other} that match the ${pick(['price', 'date', 'status', 'region', 'total'])} condition, and the result ${pick(VERBS)} them by ${pick(['id', 'name', 'amount', 'created_at'])}.`;
  });
  return `## Section ${n}: ${topic} with ${table} (${lesson})\n\n${sentences.join(' ')}\n\n\`\`\`sql\nSELECT * FROM ${table} WHERE id > ${n} ORDER BY id LIMIT 10;\n\`\`\`\n`;
}

/**
 * The sample course plus a generated part of `lessons` lessons with `sections`
 * sections each (one chunk per section), for measuring search at scale.
 */
export function writeBulkCourse(lessons: number, sections: number): string {
  const root = mkdtempSync(join(tmpdir(), 'learnedge-bulk-'));
  cpSync('seeds/course', root, { recursive: true });
  const part = join(root, '99-bulk');
  mkdirSync(part);
  writeFileSync(join(part, 'index.md'), '---\ntitle: Bulk practice\nsummary: Generated lessons for the search benchmark.\n---\n');
  const perChapter = 50;
  for (let i = 0; i < lessons; i++) {
    const chapter = join(part, `${String(Math.floor(i / perChapter) + 1).padStart(2, '0')}-bulk`);
    if (i % perChapter === 0) {
      mkdirSync(chapter);
      writeFileSync(join(chapter, 'index.md'), `---\ntitle: Bulk chapter ${Math.floor(i / perChapter) + 1}\n---\n`);
    }
    const rand = random(i + 1);
    const body = Array.from({ length: sections }, (_, n) => section(rand, i, n + 1)).join('\n');
    const slug = `bulk-lesson-${i + 1}`;
    writeFileSync(
      join(chapter, `${String((i % perChapter) + 1).padStart(2, '0')}-${slug}.md`),
      `---\ntitle: Bulk lesson ${i + 1}\nslug: ${slug}\nlayer: L3\nminutes: 30\ndifficulty: 3\nsummary: Generated practice text number ${i + 1}.\n---\n\nGenerated lesson ${i + 1}.\n\n${body}`,
    );
  }
  return root;
}
