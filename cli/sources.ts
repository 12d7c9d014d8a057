import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { z } from 'zod';
import { SourceSchema } from '../workers/features/sources/sources.schemas';
import { ApiError, type Api } from './push';

type Source = z.infer<typeof SourceSchema>;
export interface SourcesOut {
  log(line: string): void;
  error(line: string): void;
}

const line = (s: Source) =>
  `${s.status.padEnd(8)} ${String(s.chunks).padStart(4)} chunks  ${s.id}  ${s.sourceType.padEnd(8)} ${s.title}${s.error ? `  (${s.error})` : ''}`;

/**
 * Uploads each file as a knowledge source (one request per file, so one bad file
 * does not stop the rest) and, with `wait`, waits until each is ingested or
 * failed. Returns false if any file was refused or failed.
 */
export async function addSources(
  api: Api,
  files: string[],
  options: { title?: string | undefined; wait: boolean; out: SourcesOut; timeoutMs?: number },
): Promise<boolean> {
  const { out } = options;
  let ok = true;
  const added: Source[] = [];
  for (const file of files) {
    try {
      if (!(await stat(file)).isFile()) throw new Error('not a file');
      const form = new FormData();
      form.set('file', new File([await readFile(file)], basename(file)));
      if (options.title) form.set('title', options.title);
      const source = SourceSchema.parse(await api('POST', '/api/admin/sources', form));
      out.log(`${file}: ${source.status === 'pending' ? 'added' : 'already added'} as ${source.id} (${source.sourceType})`);
      added.push(source);
    } catch (error) {
      ok = false;
      out.error(`${file}: ${describeFailure(error)}`);
    }
  }
  if (!options.wait) return ok;
  const started = Date.now();
  for (const source of added) {
    let current = source;
    while (current.status === 'pending') {
      if (Date.now() - started > (options.timeoutMs ?? 120_000)) throw new Error(`${source.id} still pending after waiting`);
      await new Promise((r) => setTimeout(r, 250));
      current = SourceSchema.parse(await api('GET', `/api/admin/sources/${source.id}`));
    }
    if (current.status === 'failed') ok = false;
    if (current.status === 'failed') out.error(line(current));
    else out.log(line(current));
  }
  return ok;
}

export async function listSources(api: Api, out: SourcesOut): Promise<void> {
  const { sources } = z.object({ sources: z.array(SourceSchema) }).parse(await api('GET', '/api/admin/sources'));
  for (const source of sources) out.log(line(source));
  out.log(`${sources.length} source(s)`);
}

export async function deleteSource(api: Api, id: string, out: SourcesOut): Promise<void> {
  await api('DELETE', `/api/admin/sources/${id}`);
  out.log(`deleted ${id} with its chunks and vectors`);
}

function describeFailure(error: unknown): string {
  if (error instanceof ApiError) {
    const fields = (error.problem?.errors ?? []).map((e) => `${e.field}: ${e.message}`).join('; ');
    return `${error.status} ${error.message}${fields ? ` (${fields})` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}
