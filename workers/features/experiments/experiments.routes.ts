import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Deps } from '../../deps';
import type { AppEnv } from '../../http/app-env';
import { AUTHOR_SECURITY, requireAuthor } from '../../http/author-auth';
import { AppError, problemResponses } from '../../http/problem';
import { validationHook } from '../../http/validation';
import { FreshSchema } from '../analytics/analytics.schemas';
import { resultsRead } from '../analytics/analytics.snapshots';
import { courseQuerySchema } from '../content/content.schemas';
import { forgetPayload } from './experiments.client';
import { collisions, flagProblems, resultsTable, valueProblems } from './experiments.domain';
import {
  ExperimentIdParamSchema,
  ExperimentInputSchema,
  ExperimentResultsSchema,
  ExperimentSchema,
  FlagInputSchema,
  FlagKeyParamSchema,
  FlagSchema,
  type Experiment,
  type ExperimentInput,
} from './experiments.schemas';

/** Publishes the payload and makes this isolate read it anew. */
async function publish(deps: Pick<Deps, 'experiments'>) {
  await deps.experiments.publish();
  forgetPayload();
}

/** An experiment's values must fit its flag's decision, and it must not collide with a running one. */
async function checkExperiment(deps: Pick<Deps, 'experiments'>, input: ExperimentInput, status: Experiment['status']) {
  const problems = input.variants.flatMap((v, i) => valueProblems(input.flagKey, v.value, `json/variants/${i}/value`));
  if (problems.length > 0) throw new AppError('validation_failed', 'A variant value does not fit the flag', { errors: problems });
  if (status !== 'running') return;
  const running = (await deps.experiments.experiments()).filter((e) => e.status === 'running');
  const clash = collisions(input, running);
  if (clash.length > 0) {
    throw new AppError('conflict', `Overlaps running experiment ${clash.map((e) => e.id).join(', ')}`, {
      errors: [
        {
          field: input.namespace ? 'json/namespace/range' : 'json/flagKey',
          message: `overlaps ${clash.map((e) => e.id).join(', ')} (same flag, or the same namespace with overlapping ranges)`,
        },
      ],
    });
  }
}

async function existing(deps: Pick<Deps, 'experiments'>, id: string): Promise<Experiment> {
  const experiment = await deps.experiments.experiment(id);
  if (!experiment) throw new AppError('not_found', `No experiment ${id}`);
  return experiment;
}

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/** `/api/admin/flags`: the flags the platform reads (admin scope). */
export const flagAdminRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
flagAdminRoutes.use('*', requireAuthor('admin'));
flagAdminRoutes
  .openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['Experiments'],
      summary: 'Every flag: its default value and targeting rules',
      security: AUTHOR_SECURITY,
      responses: { 200: json(z.object({ flags: z.array(FlagSchema) }), 'The flags'), ...problemResponses(401, 403, 429) },
    }),
    async (c) => c.json({ flags: await c.get('deps').experiments.flags() }, 200),
  )
  .openapi(
    createRoute({
      method: 'put',
      path: '/{key}',
      tags: ['Experiments'],
      summary: 'Create or replace a flag, and publish it (the Worker serves it within a minute everywhere)',
      description:
        'Values of the flags the platform reads (recs.weights, personalize.engine, answers.engine, plans.dynamic, plans.new_share) must have their shape; 400 names the field otherwise.',
      security: AUTHOR_SECURITY,
      request: {
        params: FlagKeyParamSchema,
        body: { content: { 'application/json': { schema: FlagInputSchema } }, required: true },
      },
      responses: { 200: json(FlagSchema, 'The flag as saved'), ...problemResponses(400, 401, 403, 413, 429) },
    }),
    async (c) => {
      const { key } = c.req.valid('param');
      const input = c.req.valid('json');
      const problems = flagProblems(key, input);
      if (problems.length > 0) throw new AppError('validation_failed', `A value does not fit ${key}`, { errors: problems });
      const flag = await c.get('deps').experiments.putFlag(key, input, new Date().toISOString());
      await publish(c.get('deps'));
      return c.json(flag, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/{key}',
      tags: ['Experiments'],
      summary: 'Delete a flag (the code’s default applies again)',
      security: AUTHOR_SECURITY,
      request: { params: FlagKeyParamSchema },
      responses: { 204: { description: 'Deleted' }, ...problemResponses(400, 401, 403, 404, 429) },
    }),
    async (c) => {
      const { key } = c.req.valid('param');
      if (!(await c.get('deps').experiments.deleteFlag(key))) throw new AppError('not_found', `No flag ${key}`);
      await publish(c.get('deps'));
      return c.body(null, 204);
    },
  );

const ResultsQuerySchema = courseQuerySchema(
  "The metrics from the learners' activity in one course (a course slug); default: every course",
).extend({
  format: z.enum(['json', 'csv', 'markdown']).default('json').openapi({ description: 'json, or the table as CSV or markdown' }),
  fresh: FreshSchema,
});

/** `/api/admin/experiments`: define, start, stop and read experiments (admin scope). */
export const experimentAdminRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
experimentAdminRoutes.use('*', requireAuthor('admin'));
experimentAdminRoutes
  .openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['Experiments'],
      summary: 'Every experiment, newest first',
      security: AUTHOR_SECURITY,
      responses: {
        200: json(z.object({ experiments: z.array(ExperimentSchema) }), 'The experiments'),
        ...problemResponses(401, 403, 429),
      },
    }),
    async (c) => c.json({ experiments: await c.get('deps').experiments.experiments() }, 200),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/',
      tags: ['Experiments'],
      summary: 'Create an experiment (a draft until started)',
      description: 'Variants give values of the flag, the first is the control; weights sum to 100. 409 when the id is taken.',
      security: AUTHOR_SECURITY,
      request: { body: { content: { 'application/json': { schema: ExperimentInputSchema } }, required: true } },
      responses: { 201: json(ExperimentSchema, 'The draft'), ...problemResponses(400, 401, 403, 409, 413, 429) },
    }),
    async (c) => {
      const input = c.req.valid('json');
      if (await c.get('deps').experiments.experiment(input.id)) throw new AppError('conflict', `Experiment ${input.id} exists`);
      await checkExperiment(c.get('deps'), input, 'draft');
      return c.json(await c.get('deps').experiments.saveExperiment(input, new Date().toISOString()), 201);
    },
  )
  .openapi(
    createRoute({
      method: 'put',
      path: '/{id}',
      tags: ['Experiments'],
      summary: 'Edit an experiment',
      description:
        'A running experiment keeps its variants (their keys and values) and flag: its split, coverage, targeting and metrics may change, and learners keep the variant they had (sticky buckets). A stopped one cannot be edited.',
      security: AUTHOR_SECURITY,
      request: {
        params: ExperimentIdParamSchema,
        body: { content: { 'application/json': { schema: ExperimentInputSchema } }, required: true },
      },
      responses: { 200: json(ExperimentSchema, 'The experiment'), ...problemResponses(400, 401, 403, 404, 409, 413, 429) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      if (input.id !== id) {
        throw new AppError('validation_failed', 'The body names another experiment', {
          errors: [{ field: 'json/id', message: `must be ${id}` }],
        });
      }
      const before = await existing(c.get('deps'), id);
      if (before.status === 'stopped') throw new AppError('conflict', `Experiment ${id} is stopped`);
      if (before.status === 'running') {
        const was = before.definition as ExperimentInput;
        const same =
          was.flagKey === input.flagKey &&
          JSON.stringify(was.variants.map((v) => [v.key, v.value])) ===
            JSON.stringify(input.variants.map((v) => [v.key, v.value]));
        if (!same)
          throw new AppError('conflict', 'A running experiment keeps its flag and its variants; stop it and create another');
      }
      await checkExperiment(c.get('deps'), input, before.status);
      const saved = await c.get('deps').experiments.saveExperiment(input, new Date().toISOString());
      if (saved.status === 'running') await publish(c.get('deps'));
      return c.json(saved, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/{id}/start',
      tags: ['Experiments'],
      summary: 'Start an experiment: learners are assigned and exposed from now on',
      security: AUTHOR_SECURITY,
      request: { params: ExperimentIdParamSchema },
      responses: { 200: json(ExperimentSchema, 'The running experiment'), ...problemResponses(400, 401, 403, 404, 409, 429) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const experiment = await existing(c.get('deps'), id);
      if (experiment.status === 'stopped') throw new AppError('conflict', `Experiment ${id} is stopped; create another`);
      await checkExperiment(c.get('deps'), experiment.definition as ExperimentInput, 'running');
      const started = await c.get('deps').experiments.setStatus(id, 'running', new Date().toISOString());
      await publish(c.get('deps'));
      return c.json(started as Experiment, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/{id}/stop',
      tags: ['Experiments'],
      summary: 'Stop an experiment: everyone gets the flag’s value again; its results stay readable',
      security: AUTHOR_SECURITY,
      request: { params: ExperimentIdParamSchema },
      responses: { 200: json(ExperimentSchema, 'The stopped experiment'), ...problemResponses(400, 401, 403, 404, 409, 429) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const experiment = await existing(c.get('deps'), id);
      if (experiment.status !== 'running') throw new AppError('conflict', `Experiment ${id} is not running`);
      const stopped = await c.get('deps').experiments.setStatus(id, 'stopped', new Date().toISOString());
      await publish(c.get('deps'));
      return c.json(stopped as Experiment, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/{id}/results',
      tags: ['Experiments'],
      summary: 'Results per variant: lift with intervals, chance to beat control, the sample-ratio check, guardrails and power',
      description:
        'Served from the snapshot the cron computes every 10 minutes for running experiments (computed now when older than 15 minutes or than the last change, or with `fresh=true`), from the exposures and the learners’ daily rollup (never raw events): CUPED on means with the 14 days before exposure, Welch’s t for means, two proportions for rates, always-valid sequential intervals unless the experiment is fixed-horizon (then `power.lookAt` says when to read it).',
      security: AUTHOR_SECURITY,
      request: { params: ExperimentIdParamSchema, query: ResultsQuerySchema },
      responses: {
        200: {
          description: 'The results',
          content: {
            'application/json': { schema: ExperimentResultsSchema },
            'text/csv': { schema: z.string() },
            'text/markdown': { schema: z.string() },
          },
        },
        ...problemResponses(400, 401, 403, 404, 429),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { format, fresh, course } = c.req.valid('query');
      const results = await resultsRead(c.get('deps'), id, { now: new Date(), fresh, course });
      if (!results) throw new AppError('not_found', `No experiment ${id}`);
      if (format === 'json') return c.json(results, 200);
      const type = format === 'csv' ? 'text/csv' : 'text/markdown';
      return c.body(resultsTable(results, format), 200, { 'Content-Type': `${type}; charset=utf-8` });
    },
  );
