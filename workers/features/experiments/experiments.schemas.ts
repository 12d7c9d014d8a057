import { z } from '@hono/zod-openapi';
import { SlugSchema } from '../content/content.schemas';
import { WEIGHTS } from '../recommendations/recommend.domain';
import type { DECISION_KEYS } from './experiments.catalog';
import { METRICS, type MetricKey } from './experiments.catalog';

/**
 * The decisions the platform reads from flags, each with the shape of its value: a flag
 * or an experiment on one of these keys must give values of that shape. Other keys
 * (for the site or later features) take any JSON value.
 */
export const DECISIONS = {
  'recs.weights': z
    .object({
      goal: z.number().min(0).max(1),
      goalPath: z.number().min(0).max(1),
      layer: z.number().min(0).max(1),
      gap: z.number().min(0).max(1),
      collaborative: z.number().min(0).max(1),
      similar: z.number().min(0).max(1),
      order: z.number().min(0).max(1),
      /** Added after the others: a flag set before it ranks with its hand-set weight. */
      engagement: z.number().min(0).max(1).default(WEIGHTS.engagement),
    })
    .strict()
    .openapi({ description: "The recommendation ranker's signal weights" }),
  'personalize.engine': z
    .enum(['auto', 'offline'])
    .openapi({ description: 'auto: the model when one is configured and consented to; offline: the offline engine' }),
  'answers.engine': z.enum(['auto', 'offline']).openapi({ description: 'The same choice for answers' }),
  'recs.learned': z.boolean().openapi({
    description:
      "Rank with the course's weights learned from learners' choices (true, the default; the hand-set weights before the first refit) or with `recs.weights`",
  }),
  'plans.dynamic': z.boolean().openapi({ description: 'Composed daily plans (true) or the fixed plan (false)' }),
  'plans.new_share': z
    .object({
      discovery: z.number().min(0).max(1),
      establishment: z.number().min(0).max(1),
      mastery: z.number().min(0).max(1),
    })
    .strict()
    .openapi({ description: "Share of a plan's tasks that are new variations, per phase" }),
} as const satisfies Record<(typeof DECISION_KEYS)[number], z.ZodType>;
export type DecisionKey = keyof typeof DECISIONS;
export type DecisionValue<K extends DecisionKey> = z.infer<(typeof DECISIONS)[K]>;

export { METRICS, type MetricKey };
const METRIC_KEYS = Object.keys(METRICS) as [MetricKey, ...MetricKey[]];
export const MetricSchema = z.enum(METRIC_KEYS).openapi({ description: 'A metric defined over the learners’ daily rollup' });

const FlagKeySchema = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/, 'must be lower-case words joined by dots or underscores')
  .openapi({ description: `A flag key; the platform reads ${Object.keys(DECISIONS).join(', ')}`, example: 'plans.dynamic' });

/** A GrowthBook targeting condition (MongoDB-style) on the learner's attributes. */
const ConditionSchema = z.record(z.string().max(80), z.unknown()).openapi({
  description:
    'A condition on the learner attributes id, background, experience, goal, consentModel (MongoDB-style operators, as GrowthBook evaluates them)',
  example: { experience: { $in: ['new', 'some'] } },
});

const JsonValueSchema = z
  .unknown()
  .refine((v) => v !== undefined, 'required')
  .openapi({ description: 'Any JSON value' });

export const FlagInputSchema = z
  .object({
    description: z.string().max(500).default(''),
    defaultValue: JsonValueSchema,
    rules: z
      .array(z.object({ condition: ConditionSchema, value: JsonValueSchema }).strict())
      .max(20)
      .default([])
      .openapi({ description: 'Targeting rules, the first whose condition holds gives the value' }),
  })
  .strict()
  .openapi('FlagInput');
export type FlagInput = z.infer<typeof FlagInputSchema>;

export const FlagSchema = FlagInputSchema.extend({ key: FlagKeySchema, updatedAt: z.string() }).openapi('Flag');
export type Flag = z.infer<typeof FlagSchema>;
export const FlagKeyParamSchema = z.object({ key: FlagKeySchema });

const VariantSchema = z
  .object({
    key: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'must be 1-40 of a-z, 0-9, _ and -')
      .openapi({ example: 'control' }),
    name: z.string().max(120).optional(),
    weight: z.number().min(0).max(100).openapi({ description: 'Percent of the traffic; the variants sum to 100' }),
    value: JsonValueSchema,
  })
  .strict();

export const ExperimentInputSchema = z
  .object({
    id: SlugSchema.openapi({ description: 'The experiment key (kebab-case), also its GrowthBook key' }),
    name: z.string().min(1).max(200),
    hypothesis: z.string().max(2000).default(''),
    flagKey: FlagKeySchema,
    variants: z
      .array(VariantSchema)
      .min(2)
      .max(6)
      .openapi({ description: 'The first is the control; at least two, weights summing to 100' }),
    coverage: z.number().gt(0).max(1).default(1).openapi({ description: 'Share of eligible learners included' }),
    namespace: z
      .object({
        name: z
          .string()
          .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/)
          .openapi({ example: 'planner' }),
        range: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]),
      })
      .strict()
      .optional()
      .openapi({ description: 'Experiments of one namespace with overlapping ranges cannot run together' }),
    condition: ConditionSchema.optional(),
    primaryMetric: MetricSchema,
    guardrailMetrics: z.array(MetricSchema).max(8).default([]),
    kind: z.enum(['ab', 'bandit']).default('ab').openapi({ description: 'bandit: Thompson sampling moves the weights' }),
    banditPeriodHours: z
      .number()
      .int()
      .min(1)
      .max(168)
      .default(24)
      .openapi({ description: 'How often the cron reweights a bandit from its primary metric' }),
    alpha: z.number().min(0.001).max(0.2).default(0.05),
    power: z.number().min(0.5).max(0.99).default(0.8),
    minimumEffect: z
      .number()
      .gt(0)
      .max(10)
      .default(0.05)
      .openapi({ description: 'Smallest relative change worth detecting (0.05 = 5%), for the power calculator' }),
    sequential: z
      .boolean()
      .default(true)
      .openapi({ description: 'Always-valid intervals (safe to look every day); false: fixed horizon, look once' }),
  })
  .strict()
  .superRefine((e, ctx) => {
    const total = e.variants.reduce((s, v) => s + v.weight, 0);
    if (Math.abs(total - 100) > 1e-6) {
      ctx.addIssue({ code: 'custom', path: ['variants'], message: `weights must sum to 100 (they sum to ${total})` });
    }
    const keys = new Set(e.variants.map((v) => v.key));
    if (keys.size !== e.variants.length)
      ctx.addIssue({ code: 'custom', path: ['variants'], message: 'variant keys must differ' });
    if (e.namespace && e.namespace.range[0] >= e.namespace.range[1]) {
      ctx.addIssue({ code: 'custom', path: ['namespace', 'range'], message: 'must be [start, end] with start < end' });
    }
    if (e.guardrailMetrics.includes(e.primaryMetric)) {
      ctx.addIssue({ code: 'custom', path: ['guardrailMetrics'], message: 'must not repeat the primary metric' });
    }
  })
  .openapi('ExperimentInput');
export type ExperimentInput = z.infer<typeof ExperimentInputSchema>;

export const EXPERIMENT_STATUSES = ['draft', 'running', 'stopped'] as const;
export const ExperimentSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    hypothesis: z.string(),
    flagKey: z.string(),
    status: z.enum(EXPERIMENT_STATUSES),
    kind: z.enum(['ab', 'bandit']),
    definition: z.record(z.string(), z.unknown()).openapi({ description: 'The ExperimentInput as last saved' }),
    weights: z.array(z.number()).openapi({ description: 'Traffic weights in force (0-1), the bandit’s latest for bandits' }),
    bucketVersion: z.number().int(),
    startedAt: z.string().nullable(),
    stoppedAt: z.string().nullable(),
    weightsUpdatedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Experiment');
export type Experiment = z.infer<typeof ExperimentSchema>;
export const ExperimentIdParamSchema = z.object({ id: SlugSchema });

const IntervalSchema = z.object({ estimate: z.number(), lower: z.number(), upper: z.number() });
export const VariantResultSchema = z
  .object({
    variant: z.string(),
    learners: z.number().int(),
    mean: z.number().openapi({ description: 'Mean (a rate for rate metrics), CUPED-adjusted when pre-exposure data exist' }),
    unadjustedMean: z.number(),
    difference: IntervalSchema.nullable().openapi({ description: 'Against the control; null for the control' }),
    lift: IntervalSchema.nullable().openapi({ description: 'Relative to the control, with its interval' }),
    pValue: z.number().nullable(),
    chanceToBeatControl: z.number().nullable(),
    significant: z.boolean().openapi({ description: 'The interval of the difference excludes 0' }),
  })
  .openapi('VariantResult');

export const MetricResultSchema = z
  .object({
    metric: MetricSchema,
    kind: z.enum(['rate', 'mean']),
    role: z.enum(['primary', 'guardrail']),
    test: z.string().openapi({ description: 'The test used: Welch t (means) or two proportions (rates), sequential or fixed' }),
    varianceReduction: z.number().openapi({ description: 'Share of variance CUPED removed (0 when not applied)' }),
    variants: z.array(VariantResultSchema),
    /** For a guardrail: a variant is significantly worse than the control. */
    harmed: z.array(z.string()),
  })
  .openapi('MetricResult');

export const ExperimentResultsSchema = z
  .object({
    experiment: ExperimentSchema,
    computedAt: z.string(),
    alpha: z.number(),
    exposures: z.array(z.object({ variant: z.string(), learners: z.number().int(), weight: z.number() })),
    sampleRatio: z.object({
      chiSquare: z.number(),
      pValue: z.number(),
      mismatch: z.boolean().openapi({ description: 'p < 0.001: the split is broken, do not trust the results' }),
    }),
    power: z.object({
      learnersPerVariantNeeded: z.number().nullable().openapi({ description: 'For the minimum effect on the primary metric' }),
      learnersPerVariantNow: z.number().int(),
      daysToGo: z.number().nullable().openapi({ description: 'At the exposure rate so far; null when unknown' }),
      lookAt: z.string().nullable().openapi({ description: 'Fixed horizon: the date to read the results, once' }),
    }),
    metrics: z.array(MetricResultSchema),
    verdict: z.string().openapi({ description: 'One sentence a reader can act on' }),
  })
  .openapi('ExperimentResults');
export type ExperimentResults = z.infer<typeof ExperimentResultsSchema>;
