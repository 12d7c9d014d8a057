import { z } from '@hono/zod-openapi';
import { SHA256_HEX } from '../../platform/sha256';

export const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** A language code as BCP 47 writes the common ones, in lower case: en, pt-br, zh-hans, es-419. */
export const LanguageSchema = z
  .string()
  .max(35)
  .regex(/^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$/, 'must be a lower-case language code such as en, de, pt-br or zh-cn');

export const SlugSchema = z.string().min(1).max(120).regex(SLUG, 'must be kebab-case: a-z, 0-9 and single dashes');
export const HashSchema = z.string().regex(SHA256_HEX, 'must be a lower-case hex SHA-256');
export const LayerSchema = z.enum(['L1', 'L2', 'L3']).openapi({ description: 'L1 foundations, L2 applied, L3 advanced' });

export const MAX_BLOB_BYTES = 25 * 1024 * 1024;
export const MAX_LESSONS = 2000;

/** File types a course may carry. Anything else is refused with 415 at upload. */
export const ALLOWED_CONTENT_TYPES = [
  'text/markdown',
  'text/plain',
  'text/csv',
  'application/json',
  'application/pdf',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/avif',
  'image/svg+xml',
  'audio/mpeg',
  'video/mp4',
] as const;

export const QuizItemInputSchema = z.object({
  id: SlugSchema.optional().openapi({ description: 'Stable id; defaults to `<lesson>-q<n>`' }),
  question: z.string().min(1).max(2000),
  choices: z.array(z.string().min(1).max(500)).min(2).max(8),
  answer: z.number().int().min(0).openapi({ description: 'Zero-based index of the correct choice' }),
  explanation: z.string().max(4000).default(''),
  concept: SlugSchema.optional(),
  difficulty: z
    .number()
    .int()
    .min(1)
    .max(5)
    .optional()
    .openapi({ description: "1 (easiest) to 5; defaults to the lesson's difficulty. Sets the item's IRT difficulty" }),
});

export const LessonInputSchema = z.object({
  slug: SlugSchema,
  title: z.string().min(1).max(200),
  partSlug: SlugSchema,
  chapterSlug: SlugSchema,
  position: z.number().int().min(0),
  layer: LayerSchema,
  prerequisites: z.array(SlugSchema).max(50).default([]),
  concepts: z.array(SlugSchema).max(50).default([]),
  minutes: z.number().int().min(1).max(600),
  difficulty: z.number().int().min(1).max(5),
  summary: z.string().max(2000).default(''),
  objectives: z.array(z.string().min(1).max(500)).max(20).default([]),
  quiz: z.array(QuizItemInputSchema).max(50).default([]),
  sourcePath: z.string().min(1).max(500),
  contentHash: HashSchema,
});

export const SectionInputSchema = z.object({
  slug: SlugSchema,
  title: z.string().min(1).max(200),
  summary: z.string().max(2000).default(''),
  position: z.number().int().min(0),
});

export const BlobRefSchema = z.object({
  hash: HashSchema,
  size: z.number().int().min(0).max(MAX_BLOB_BYTES),
  contentType: z.enum(ALLOWED_CONTENT_TYPES),
});

export const MAX_CONCEPT_LINKS = 1000;

export const ConceptLinkSchema = z
  .object({
    concept: SlugSchema.openapi({ description: "One of this course's concepts (a lesson's or a quiz item's)" }),
    course: SlugSchema.openapi({
      description: 'The other course (it may be pushed later: the link holds once it has the concept)',
    }),
    courseConcept: SlugSchema.optional().openapi({ description: "The other course's concept; defaults to the same slug" }),
  })
  .openapi('ConceptLink');

export const ManifestSchema = z
  .object({
    course: z.object({
      slug: SlugSchema,
      title: z.string().min(1).max(200),
      summary: z.string().max(4000).default(''),
      language: LanguageSchema.optional().openapi({
        description: "The course's language (a BCP 47 code such as en, de or zh-cn)",
      }),
      conceptLinks: z.array(ConceptLinkSchema).max(MAX_CONCEPT_LINKS).optional().openapi({
        description:
          "Concepts of this course that are the same as another course's: a learner's graded answers on either move both. Without a link, a concept slug two courses use is two concepts. The push replaces the course's links.",
      }),
    }),
    parts: z.array(SectionInputSchema).min(1).max(100),
    chapters: z
      .array(SectionInputSchema.extend({ partSlug: SlugSchema }))
      .min(1)
      .max(1000),
    lessons: z.array(LessonInputSchema).min(1).max(MAX_LESSONS),
    blobs: z.array(BlobRefSchema).max(MAX_LESSONS * 10),
    prune: z.boolean().default(false).openapi({ description: 'Remove lessons the manifest no longer lists' }),
    baseVersion: z.number().int().min(0).max(2_147_483_647).optional().openapi({
      description:
        'The course version this push was planned against (the `version` of the plan, 0 when the deployment has no course). A commit refuses with 409 stale_push when another push has moved the course since.',
    }),
  })
  .openapi('Manifest');

export type Manifest = z.infer<typeof ManifestSchema>;
export type ConceptLink = z.infer<typeof ConceptLinkSchema>;
export type LessonInput = z.infer<typeof LessonInputSchema>;
export type QuizItemInput = z.infer<typeof QuizItemInputSchema>;

export const PlanSummarySchema = z
  .object({
    added: z.array(SlugSchema),
    changed: z.array(SlugSchema),
    unchanged: z.array(SlugSchema),
    removed: z.array(SlugSchema),
    kept: z.array(SlugSchema).openapi({ description: 'On the server but not in the manifest; kept because prune is off' }),
  })
  .openapi('PlanSummary');

export type PlanSummary = z.infer<typeof PlanSummarySchema>;

export const PlanResponseSchema = z
  .object({
    missing: z.array(HashSchema).openapi({ description: 'Blobs the server lacks; upload these, then commit' }),
    summary: PlanSummarySchema,
    version: z
      .number()
      .int()
      .openapi({ description: 'The course version this plan was made against (0: no course yet); send it as baseVersion' }),
    learnersWithProgress: z.number().int().openapi({
      description: 'How many learners completed a lesson this push would remove (the CLI asks before removing them)',
    }),
  })
  .openapi('Plan');

export const CommitResponseSchema = z
  .object({
    version: z.number().int(),
    summary: PlanSummarySchema,
    enqueued: z.number().int().openapi({ description: 'Ingest jobs queued for added or changed lessons' }),
  })
  .openapi('CommitResult');

export const BlobUploadResponseSchema = z
  .object({ hash: HashSchema, size: z.number().int(), created: z.boolean() })
  .openapi('BlobUpload');

export const OutlineEntrySchema = z.object({ depth: z.number().int(), text: z.string(), anchor: z.string() });

export const BookLessonSchema = z
  .object({
    slug: SlugSchema,
    title: z.string(),
    layer: LayerSchema,
    prerequisites: z.array(SlugSchema),
    concepts: z.array(SlugSchema),
    minutes: z.number().int(),
    difficulty: z.number().int(),
    summary: z.string(),
    contentHash: HashSchema,
  })
  .openapi('BookLesson');

export const BookChapterSchema = z
  .object({ slug: SlugSchema, title: z.string(), summary: z.string(), lessons: z.array(BookLessonSchema) })
  .openapi('BookChapter');

export const BookPartSchema = z
  .object({ slug: SlugSchema, title: z.string(), summary: z.string(), chapters: z.array(BookChapterSchema) })
  .openapi('BookPart');

export const BookSchema = z
  .object({
    course: z.object({
      slug: SlugSchema,
      title: z.string(),
      summary: z.string(),
      language: z.string().nullable().optional().openapi({ description: 'Null when the push did not say' }),
    }),
    version: z.number().int(),
    lessonCount: z.number().int(),
    parts: z.array(BookPartSchema),
  })
  .openapi('Book');

export type Book = z.infer<typeof BookSchema>;
export type BookLesson = z.infer<typeof BookLessonSchema>;

/** What the cache holds: the book plus the ETag computed once when it was built. */
export const CachedBookSchema = z.object({ etag: z.string(), book: BookSchema });
export type CachedBook = z.infer<typeof CachedBookSchema>;

export const LessonLinkSchema = z.object({ slug: SlugSchema, title: z.string() }).openapi('LessonLink');

export const IngestStateSchema = z
  .object({
    status: z.enum(['pending', 'ingested', 'failed']),
    error: z.string().nullable(),
    wordCount: z.number().int().nullable(),
    readingMinutes: z.number().int().nullable(),
    outline: z.array(OutlineEntrySchema),
  })
  .openapi('IngestState');

export const LessonDetailSchema = z
  .object({
    slug: SlugSchema,
    title: z.string(),
    layer: LayerSchema,
    minutes: z.number().int(),
    difficulty: z.number().int(),
    summary: z.string(),
    objectives: z.array(z.string()),
    concepts: z.array(SlugSchema),
    contentHash: HashSchema,
    course: LessonLinkSchema.openapi({
      description: 'The course the lesson is in; its page is `/courses/<slug>/lessons/<lesson>`',
    }),
    part: LessonLinkSchema,
    chapter: LessonLinkSchema,
    prerequisites: z.array(LessonLinkSchema),
    prev: z.union([LessonLinkSchema, z.null()]),
    next: z.union([LessonLinkSchema, z.null()]),
    quiz: z.array(
      z.object({ id: z.string(), question: z.string(), choices: z.array(z.string()), concept: z.string().nullable() }),
    ),
    ingest: IngestStateSchema,
    updatedAt: z.string(),
  })
  .openapi('LessonDetail');

export type LessonDetail = z.infer<typeof LessonDetailSchema>;

export const SlugParamSchema = z.object({
  slug: SlugSchema.openapi({ param: { name: 'slug', in: 'path' }, example: 'filtering-with-where' }),
});
export const HashParamSchema = z.object({
  hash: HashSchema.openapi({ param: { name: 'hash', in: 'path' } }),
});

export const CourseCardSchema = z
  .object({
    slug: SlugSchema,
    title: z.string(),
    summary: z.string(),
    languages: z.array(z.string()).openapi({ description: 'Language codes of the course (empty when its push did not say)' }),
    version: z.number().int(),
    parts: z.number().int(),
    outline: z
      .array(z.object({ slug: SlugSchema, title: z.string() }))
      .openapi({ description: "The course's parts in order (the goals its onboarding offers)" }),
    lessonCount: z.number().int(),
    minutes: z.number().int().openapi({ description: "The lessons' reading minutes together" }),
    layers: z.array(LayerSchema).openapi({ description: 'The layers its lessons cover' }),
    links: z.object({ book: z.string(), lessons: z.string() }),
  })
  .openapi('CourseCard');
export type CourseCard = z.infer<typeof CourseCardSchema>;

export const CatalogSchema = z.object({ courses: z.array(CourseCardSchema) }).openapi('Catalog');

/** `?course=`: a course of the catalog by slug, with what it narrows on the route that takes it. */
export const courseQuerySchema = (description: string) =>
  z.object({ course: SlugSchema.optional().openapi({ description, example: 'sql' }) });

export const CourseParamSchema = z.object({
  course: SlugSchema.openapi({ param: { name: 'course', in: 'path' }, example: 'sql' }),
});

/** What removing a course would remove, and what it did. */
export const CourseRemovalSchema = z
  .object({
    slug: SlugSchema,
    title: z.string(),
    version: z.number().int(),
    lessons: z.number().int(),
    learnersWithProgress: z
      .number()
      .int()
      .openapi({ description: 'Learners with any activity or completion in the course (their own records stay theirs)' }),
    removed: z.boolean(),
  })
  .openapi('CourseRemoval');

export const RemoveCourseQuerySchema = z.object({
  confirm: SlugSchema.openapi({ description: "The course's slug again: what makes a removal deliberate" }),
});
