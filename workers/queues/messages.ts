import { z } from 'zod';
import { HashSchema, SlugSchema } from '../features/content/content.schemas';
import { SourceIdSchema } from '../features/sources/sources.schemas';

/** Queue names, as declared in wrangler.toml. */
export const QUEUES = {
  ingest: 'learnedge-ingest',
  ingestDlq: 'learnedge-ingest-dlq',
  events: 'learnedge-events',
  eventsDlq: 'learnedge-events-dlq',
  aggregates: 'learnedge-aggregates',
  aggregatesDlq: 'learnedge-aggregates-dlq',
} as const;

export const IngestLessonJobSchema = z.object({
  type: z.literal('lesson.ingest'),
  lessonSlug: SlugSchema,
  contentHash: HashSchema,
  requestId: z.string().optional(),
});

export const IngestSourceJobSchema = z.object({
  type: z.literal('source.ingest'),
  sourceId: SourceIdSchema,
  contentHash: HashSchema,
  requestId: z.string().optional(),
});

/** Every message the INGEST queue carries. */
export const IngestJobSchema = z.discriminatedUnion('type', [IngestLessonJobSchema, IngestSourceJobSchema]);
export type IngestLessonJob = z.infer<typeof IngestLessonJobSchema>;
export type IngestSourceJob = z.infer<typeof IngestSourceJobSchema>;
export type IngestJob = z.infer<typeof IngestJobSchema>;

/** Ingest jobs for lessons and sources, with the request id that caused them (for tracing). */
export function ingestJobs(
  items: { kind: 'lesson' | 'source'; id: string; contentHash: string }[],
  requestId?: string,
): IngestJob[] {
  const trace = requestId ? { requestId } : {};
  return items.map((i) =>
    i.kind === 'lesson'
      ? { type: 'lesson.ingest', lessonSlug: i.id, contentHash: i.contentHash, ...trace }
      : { type: 'source.ingest', sourceId: i.id, contentHash: i.contentHash, ...trace },
  );
}

/** Every message any queue of this Worker carries. */
export const JobMessageSchema = IngestJobSchema;
export type JobMessage = z.infer<typeof JobMessageSchema>;
