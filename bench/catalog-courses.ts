/**
 * The catalog bench's load: small courses written as folders of the platform's own
 * format and pushed with the author CLI's push, beside the sample course, so the
 * catalog and a course's book are measured with 50 courses in the deployment.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pushCourse } from '../cli/push';

const LESSONS_PER_COURSE = 3;

/** A course folder with one part, one chapter and three short lessons; slugs carry `n` so none clash. */
function writeCourse(root: string, n: number): string {
  const dir = join(root, `course-${n}`);
  const chapter = join(dir, '01-part', '01-chapter');
  mkdirSync(chapter, { recursive: true });
  writeFileSync(
    join(dir, 'index.md'),
    `---\ntitle: Catalog course ${n}\nslug: catalog-course-${n}\nsummary: Course ${n} of the catalog bench.\n---\n`,
  );
  writeFileSync(join(dir, '01-part', 'index.md'), `---\ntitle: Part one\n---\n`);
  writeFileSync(join(chapter, 'index.md'), `---\ntitle: Chapter one\n---\n`);
  for (let k = 1; k <= LESSONS_PER_COURSE; k++) {
    writeFileSync(
      join(chapter, `0${k}-lesson.md`),
      [
        '---',
        `title: Lesson ${k} of course ${n}`,
        `slug: catalog-${n}-lesson-${k}`,
        `order: ${k}`,
        `layer: L${Math.min(3, k)}`,
        `concepts: [catalog-${n}-topic-${k}]`,
        'minutes: 8',
        'difficulty: 2',
        `summary: Lesson ${k} of catalog course ${n}.`,
        '---',
        '',
        `A short lesson ${k} for course ${n}: it reads a table, filters its rows and sorts what is left.`,
        '',
      ].join('\n'),
    );
  }
  return dir;
}

/** Pushes `count` courses to the server at `url` (waiting for their lessons to be ingested); how many went in. */
export async function pushCatalogCourses(url: string, key: string, count: number): Promise<number> {
  const root = mkdtempSync(join(tmpdir(), 'learnedge-catalog-'));
  const quiet = { log: () => {}, error: (line: string) => console.error(line), progress: null };
  let pushed = 0;
  try {
    for (let n = 1; n <= count; n++) {
      const result = await pushCourse({
        dir: writeCourse(root, n),
        target: url,
        key,
        dryRun: false,
        prune: false,
        wait: n === count,
        out: quiet,
      });
      if (!result.ok) throw new Error(`catalog course ${n} was not pushed`);
      pushed += 1;
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return pushed;
}
