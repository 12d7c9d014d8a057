import { parseArgs } from 'node:util';
import { MoveLearnersResponseSchema } from '../workers/features/learners/learners.schemas';
import { authorTarget, defaultTarget } from './local-env';
import { createClient, runCli, type Api } from './push';

const USAGE = `Usage: npm run learners -- move [--target <url>] [--key <author key>]

  move       move every learner's rows from the shared D1 database into their own
             learner object (safe to rerun: a moved learner is left as it is)
  --target   API origin (default ${defaultTarget()})
  --key      author key with the admin scope (default: $LEARNEDGE_AUTHOR_KEY, or the local dev key for a loopback target)`;

/** Learners per request. */
const PAGE = 100;

/** Asks the Worker to move learners a page at a time until none remain; returns how many moved and were cleaned. */
async function moveLearners(api: Api): Promise<{ moved: number; cleaned: number }> {
  const total = { moved: 0, cleaned: 0 };
  for (let round = 0; round < 100_000; round++) {
    const page = MoveLearnersResponseSchema.parse(await api('POST', '/api/admin/learners/move', { limit: PAGE }));
    total.moved += page.moved;
    total.cleaned += page.cleaned;
    if (page.remaining === 0 || page.moved + page.cleaned === 0) break;
  }
  return total;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { target: { type: 'string' }, key: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help || positionals[0] !== 'move' || positionals.length !== 1) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const author = authorTarget(values);
  if (!author) return 2;
  const { moved, cleaned } = await moveLearners(createClient(author.target, author.key));
  console.log(
    moved + cleaned === 0
      ? 'no learners left in D1: every learner is in their own object'
      : `moved ${moved} learner(s) into their objects${cleaned > 0 ? `; deleted leftover D1 rows of ${cleaned}` : ''}`,
  );
  return 0;
}

runCli(main);
