import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * What a copy of a course last pushed to each deployment, kept in the course folder
 * (`.learnedge/push.json`, keyed by the target's origin). A push compares it with the
 * server's version to notice that another author pushed since; commit the file with
 * the course so a copy that pulls their changes also pulls the version they made.
 */
const RECORD_PATH = ['.learnedge', 'push.json'] as const;

const RecordSchema = z.record(
  z.string(),
  z.object({ course: z.string(), version: z.number().int().min(0), pushedAt: z.string() }),
);

export interface PushRecord {
  course: string;
  version: number;
}

/** The last version this folder pushed of `course` to `target`; null when none (or the file is unreadable). */
export async function readPushRecord(dir: string, target: string, course: string): Promise<PushRecord | null> {
  const entry = (await readAll(dir))[new URL(target).origin];
  return entry && entry.course === course ? { course: entry.course, version: entry.version } : null;
}

export async function writePushRecord(dir: string, target: string, record: PushRecord): Promise<void> {
  const all = await readAll(dir);
  all[new URL(target).origin] = { ...record, pushedAt: new Date().toISOString() };
  const file = join(dir, ...RECORD_PATH);
  await mkdir(join(dir, RECORD_PATH[0]), { recursive: true });
  // Write then rename, so an interrupted push never leaves half a file.
  await writeFile(`${file}.tmp`, `${JSON.stringify(all, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}

async function readAll(dir: string): Promise<z.infer<typeof RecordSchema>> {
  let text: string;
  try {
    text = await readFile(join(dir, ...RECORD_PATH), 'utf8');
  } catch {
    return {};
  }
  try {
    const parsed = RecordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}
