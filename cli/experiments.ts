import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ExperimentSchema } from '../workers/features/experiments/experiments.schemas';
import { loadExperimentsFile } from './experiments-file';
import { authorTarget, defaultTarget } from './local-env';
import { ApiError, createClient, runCli, type Api } from './push';

const USAGE = `Usage: npm run experiments -- push <file.yaml> [--target <url>] [--key <author key>]
       npm run experiments -- list | start <id> | stop <id>

  push   sends the flags and experiments of a YAML file (see seeds/experiments.yaml):
           flags:        { <key>: { description, defaultValue, rules: [{ condition, value }] } }
           experiments:  [ { id, name, flagKey, variants: [{ key, weight, value }], primaryMetric, ..., start: true } ]
         the file is checked first; a problem prints file:line: message and nothing is sent
  list   the experiments, their status and weights
  start / stop   one experiment
  --target  API origin (default ${defaultTarget()})
  --key     author key with the admin scope (default: $LEARNEDGE_AUTHOR_KEY, or the local dev key for a loopback target)`;

async function push(api: Api, { flags, experiments }: ReturnType<typeof loadExperimentsFile>): Promise<number> {
  for (const [key, flag] of flags) {
    await api('PUT', `/api/admin/flags/${encodeURIComponent(key)}`, flag);
    console.log(`flag ${key}: saved`);
  }
  for (const { input, start } of experiments) {
    try {
      await api('POST', '/api/admin/experiments', input);
      console.log(`experiment ${input.id}: created`);
    } catch (error) {
      // It exists: edit it (a running one keeps its variants).
      if (!(error instanceof ApiError) || error.status !== 409) throw error;
      await api('PUT', `/api/admin/experiments/${input.id}`, input);
      console.log(`experiment ${input.id}: updated`);
    }
    if (start) {
      try {
        await api('POST', `/api/admin/experiments/${input.id}/start`);
        console.log(`experiment ${input.id}: started`);
      } catch (error) {
        // Already running (or stopped, which the server says): nothing to start.
        if (!(error instanceof ApiError) || error.status !== 409) throw error;
        console.log(`experiment ${input.id}: ${error.message}`);
      }
    }
  }
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { target: { type: 'string' }, key: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
  });
  const [command, arg] = positionals;
  const needsArg = command === 'push' || command === 'start' || command === 'stop';
  if (values.help || !command || !['push', 'list', 'start', 'stop'].includes(command) || (needsArg && !arg)) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  // Checked before anything is sent, so a bad file needs no server.
  const loaded = command === 'push' && arg ? loadExperimentsFile(arg) : null;
  for (const p of loaded?.problems ?? []) console.error(`${p.file}:${p.line}: ${p.message}`);
  if (loaded && loaded.problems.length > 0) return 1;
  const author = authorTarget(values);
  if (!author) return 2;
  const api = createClient(author.target, author.key);
  if (loaded) return push(api, loaded);
  if (command === 'list') {
    const { experiments } = z
      .object({ experiments: z.array(ExperimentSchema) })
      .parse(await api('GET', '/api/admin/experiments'));
    for (const e of experiments) {
      console.log(`${e.id}\t${e.status}\t${e.kind}\t${e.flagKey}\t${e.weights.map((w) => `${(w * 100).toFixed(0)}%`).join('/')}`);
    }
    if (experiments.length === 0) console.log('no experiments');
    return 0;
  }
  const done = ExperimentSchema.parse(await api('POST', `/api/admin/experiments/${arg ?? ''}/${command}`));
  console.log(`experiment ${done.id}: ${done.status}`);
  return 0;
}

runCli(main);
