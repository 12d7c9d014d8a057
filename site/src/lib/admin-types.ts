/** The admin API's shapes, from the Worker's schemas (types only: nothing of the Worker ships to the browser). */
import type { z } from 'zod';
import type {
  ExperimentInputSchema,
  ExperimentResultsSchema,
  ExperimentSchema,
} from '../../../workers/features/experiments/experiments.schemas';
import type { UsageReportSchema } from '../../../workers/features/usage/usage.schemas';
import type {
  EngagementSchema,
  ItemAnalysisSchema,
  ModelHealthSchema,
  LessonFiguresSchema,
  OverviewSchema,
} from '../../../workers/features/analytics/analytics.schemas';
import type { RankerWeightsSchema } from '../../../workers/features/recommendations/recommend.schemas';

export type Experiment = z.infer<typeof ExperimentSchema>;
export type ExperimentInput = z.input<typeof ExperimentInputSchema>;
export type ExperimentResults = z.infer<typeof ExperimentResultsSchema>;
export type UsageReportShape = z.infer<typeof UsageReportSchema>;
export type Overview = z.infer<typeof OverviewSchema>;
export type LessonFigures = z.infer<typeof LessonFiguresSchema>;
export type ItemAnalysis = z.infer<typeof ItemAnalysisSchema>;
export type ModelHealth = z.infer<typeof ModelHealthSchema>;
export type Engagement = z.infer<typeof EngagementSchema>;
export type RankerWeights = z.infer<typeof RankerWeightsSchema>;
