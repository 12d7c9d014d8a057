import { parseArgs } from 'node:util';
import {
  BktFitResponseSchema,
  FsrsFitResponseSchema,
  IrtFitResponseSchema,
  KtFitResponseSchema,
} from '../workers/features/mastery/mastery.schemas';
import { authorTarget, defaultTarget } from './local-env';
import { createClient, runCli } from './push';

const USAGE = `Usage: npm run fit -- bkt [--forget] [--dry-run] [--target <url>] [--key <author key>]
       npm run fit -- kt [--dry-run] [--target <url>] [--key <author key>]
       npm run fit -- irt [--dry-run] [--target <url>] [--key <author key>]
       npm run fit -- fsrs [--dry-run] [--target <url>] [--key <author key>]

  bkt          refit each concept's BKT parameters (prior, learn, guess, slip) by EM
               from the graded answers logged so far, in each course apart; concepts
               with too few answers keep the defaults
  kt           choose each course's knowledge-tracing model: BKT and PFA are fitted on
               four learners in five and predict the fifth's answers; the lower
               log-loss updates mastery from then on
  irt          calibrate each quiz item's difficulty (and discrimination, from 100
               answers) from learners' first answers, the author's difficulty as the
               prior; items everyone gets right or wrong, or that stronger learners
               miss more, are flagged; the adaptive quiz uses the calibration
  fsrs         fit FSRS's 21 weights to the review log per course (and per learner
               with enough reviews, from the course's), evaluated forward in time:
               fitted on the earlier 80% of reviews, scored (log-loss, binned RMSE)
               on the later ones against the weights they started from; winners are
               refitted on everything and schedule the next reviews
  --forget     fit the forget probability too (classic BKT keeps it at 0, bkt only)
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
  const what = positionals[0];
  if (values.help || !['bkt', 'kt', 'irt', 'fsrs'].includes(what ?? '') || positionals.length !== 1) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const author = authorTarget(values);
  if (!author) return 2;
  const api = createClient(author.target, author.key);
  if (what === 'irt') {
    const fit = IrtFitResponseSchema.parse(await api('POST', '/api/admin/mastery/fit-irt', { dryRun: values['dry-run'] }));
    const f = (n: number | null) => (n === null ? 'n/a' : n.toFixed(2));
    console.log('| course | item | answers | right | author b | fitted b | a | point-biserial | flags |');
    console.log('|---|---|---:|---:|---:|---:|---:|---:|---|');
    for (const c of fit.courses) {
      for (const i of c.items) {
        console.log(
          `| ${c.course} | ${i.item} | ${i.answers} | ${(i.pCorrect * 100).toFixed(0)}% | ${f(i.priorB)} | ${f(i.b)} | ${i.discriminationFitted ? f(i.a) : '1 (kept)'} | ${f(i.pointBiserial)} | ${i.flags.join(', ')} |`,
        );
      }
    }
    if (fit.courses.length === 0) console.log('no graded answers logged yet');
    const flagged = fit.courses.flatMap((c) => c.items).filter((i) => i.flags.some((f) => f !== 'too_few_answers')).length;
    console.log(
      `${flagged} item(s) flagged; ${fit.stored ? 'stored: the adaptive quiz uses the calibration' : 'dry run: nothing stored'}`,
    );
    return 0;
  }
  if (what === 'fsrs') {
    const fit = FsrsFitResponseSchema.parse(await api('POST', '/api/admin/mastery/fit-fsrs', { dryRun: values['dry-run'] }));
    const f = (n: number | null | undefined) => (n === null || n === undefined ? 'n/a' : n.toFixed(4));
    console.log(
      '| course | reviews | learners | predicted | fitted on / scored on | default log-loss | fitted log-loss | default RMSE (bins) | fitted RMSE (bins) | weights |',
    );
    console.log('|---|---:|---:|---:|---|---:|---:|---:|---:|---|');
    for (const c of fit.courses) {
      const weights =
        c.reason === 'too_few_reviews' ? 'defaults (too few reviews)' : c.weights ? 'fitted' : 'defaults (predicted better)';
      console.log(
        `| ${c.course} | ${c.reviews} | ${c.learners} | ${c.predictedReviews} | ${c.trainReviews} / ${c.testReviews} | ${f(c.prior?.logLoss)} | ${f(c.fitted?.logLoss)} | ${f(c.prior?.rmseBins)} | ${f(c.fitted?.rmseBins)} | ${weights} |`,
      );
    }
    for (const c of fit.courses) {
      const l = c.learnerFits;
      if (l.eligible === 0) continue;
      console.log(
        `${c.course}: ${l.eligible} learner(s) with enough reviews, ${l.evaluated} evaluated, ${l.improved} beat the course's weights on their later reviews (log-loss ${f(l.prior?.logLoss)} -> ${f(l.fitted?.logLoss)}, RMSE (bins) ${f(l.prior?.rmseBins)} -> ${f(l.fitted?.rmseBins)} over ${l.testReviews} reviews)${l.leftForLater > 0 ? `; ${l.leftForLater} left for the next run` : ''}`,
      );
    }
    if (fit.courses.length === 0) console.log('no reviews logged yet');
    console.log(fit.stored ? 'stored: the next reviews schedule with the fitted weights' : 'dry run: nothing stored');
    return 0;
  }
  if (what === 'kt') {
    const fit = KtFitResponseSchema.parse(await api('POST', '/api/admin/mastery/fit-kt', { dryRun: values['dry-run'] }));
    const f = (n: number | null | undefined) => (n === null || n === undefined ? '   n/a' : n.toFixed(4));
    console.log('| course | answers | learners | held out | BKT AUC | BKT log-loss | PFA AUC | PFA log-loss | chosen |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---|');
    for (const c of fit.courses) {
      const why = c.reason === 'too_few_answers' ? 'bkt (too few answers to measure)' : c.chosen;
      console.log(
        `| ${c.course} | ${c.attempts} | ${c.learners} | ${c.heldOutLearners} | ${f(c.bkt?.auc)} | ${f(c.bkt?.logLoss)} | ${f(c.pfa?.auc)} | ${f(c.pfa?.logLoss)} | ${why} |`,
      );
    }
    if (fit.courses.length === 0) console.log('no graded answers logged yet');
    console.log(fit.stored ? 'stored: new answers update mastery with the chosen model' : 'dry run: nothing stored');
    return 0;
  }
  const fit = BktFitResponseSchema.parse(
    await api('POST', '/api/admin/mastery/fit-bkt', { fitForget: values.forget, dryRun: values['dry-run'] }),
  );
  const f = (n: number) => n.toFixed(3);
  // A concept slug two courses use is fitted apart in each.
  console.log(
    'course               concept                          learners  answers  prior  learn  guess  slip   forget  log-lik',
  );
  for (const r of fit.fitted) {
    console.log(
      `${r.course.padEnd(20)} ${r.concept.padEnd(32)} ${String(r.learners).padStart(8)} ${String(r.attempts).padStart(8)}  ${f(r.prior)}  ${f(r.learn)}  ${f(r.guess)}  ${f(r.slip)}  ${f(r.forget)}   ${r.logLikelihood.toFixed(1)}`,
    );
  }
  const list = (reason: string) =>
    fit.skipped.filter((s) => s.reason === reason).map((s) => `${s.concept} in ${s.course} (${s.attempts})`);
  const few = list('too_few_answers');
  const broken = list('not_finite');
  if (few.length > 0) console.log(`kept the defaults for ${few.length} concept(s) with too few answers: ${few.join(', ')}`);
  if (broken.length > 0)
    console.log(`kept the defaults for ${broken.length} concept(s) whose fit was not finite: ${broken.join(', ')}`);
  console.log(fit.stored ? `stored ${fit.fitted.length} fit(s)` : 'dry run: nothing stored');
  return 0;
}

runCli(main);
