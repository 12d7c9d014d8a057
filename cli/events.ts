import { parseArgs } from 'node:util';
import { z } from 'zod';
import { authorTarget, defaultTarget } from './local-env';
import { createClient, runCli } from './push';

const USAGE = `Usage: npm run events -- replay-dlq [--target <url>] [--key <author key>]

  replay-dlq   send every dead-lettered learner event back to the EVENTS queue
               (each is still applied once, by its eventId)
  --target     API origin (default ${defaultTarget()})
  --key        author key (default: $LEARNEDGE_AUTHOR_KEY, or the local dev key for a loopback target)`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { target: { type: 'string' }, key: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help || positionals[0] !== 'replay-dlq' || positionals.length !== 1) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const author = authorTarget(values);
  if (!author) return 2;
  const { target, key } = author;
  const api = createClient(target, key);
  const Page = z.object({ replayed: z.number(), remaining: z.number() });
  let total = 0;
  for (let round = 0; round < 1000; round++) {
    const page = Page.parse(await api('POST', '/api/admin/events/replay-dlq'));
    total += page.replayed;
    if (page.remaining === 0 || page.replayed === 0) break;
  }
  console.log(total === 0 ? 'no dead-lettered events' : `sent ${total} dead-lettered event(s) back to the queue`);
  return 0;
}

runCli(main);
