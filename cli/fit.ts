import { parseArgs } from 'node:util';
import { BktFitResponseSchema } from '../workers/features/mastery/mastery.schemas';
import { authorTarget, defaultTarget } from './local-env';
import { createClient, runCli } from './push';

const USAGE = `Usage: npm run fit -- bkt [--forget] [--dry-run] [--target <url>] [--key <author key>]

  bkt          refit each concept's BKT parameters (prior, learn, guess, slip) by EM
               from the graded answers logged so far; concepts with too few answers
               keep the defaults
  --forget     fit the forget probability too (classic BKT keeps it at 0)
  --dry-run    print the fit without storing it
  --target     API origin (default ${defaultTarget()})
  --key        author key (default: $LEARNEDGE_AUTHOR_KEY, or the local dev key for a loopback target)`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      target: { type: 'string' },
      key: { type: 'string' },
      forget: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || positionals[0] !== 'bkt' || positionals.length !== 1) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const author = authorTarget(values);
  if (!author) return 2;
  const api = createClient(author.target, author.key);
  const fit = BktFitResponseSchema.parse(
    await api('POST', '/api/admin/mastery/fit-bkt', { fitForget: values.forget, dryRun: values['dry-run'] }),
  );
  const f = (n: number) => n.toFixed(3);
  console.log('concept                          learners  answers  prior  learn  guess  slip   forget  log-lik');
  for (const r of fit.fitted) {
    console.log(
      `${r.concept.padEnd(32)} ${String(r.learners).padStart(8)} ${String(r.attempts).padStart(8)}  ${f(r.prior)}  ${f(r.learn)}  ${f(r.guess)}  ${f(r.slip)}  ${f(r.forget)}   ${r.logLikelihood.toFixed(1)}`,
    );
  }
  const list = (reason: string) => fit.skipped.filter((s) => s.reason === reason).map((s) => `${s.concept} (${s.attempts})`);
  const few = list('too_few_answers');
  const broken = list('not_finite');
  if (few.length > 0) console.log(`kept the defaults for ${few.length} concept(s) with too few answers: ${few.join(', ')}`);
  if (broken.length > 0)
    console.log(`kept the defaults for ${broken.length} concept(s) whose fit was not finite: ${broken.join(', ')}`);
  console.log(fit.stored ? `stored ${fit.fitted.length} fit(s)` : 'dry run: nothing stored');
  return 0;
}

runCli(main);
