import { z } from '@hono/zod-openapi';
import { SOURCE_TYPES } from './sources.domain';

/** Largest document accepted (Workers take request bodies of 100 MB; extraction needs memory for the file and its text). */
export const MAX_SOURCE_BYTES = 20 * 1024 * 1024;
/** Multipart framing around the file: boundaries, part headers and the title field. */
export const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

export const SourceIdSchema = z
  .string()
  .regex(/^src_[a-z2-7]{16}$/, 'must be a source id like src_abcdefghijklmnop')
  .openapi({ example: 'src_k3j5m2n7p4q6r2s3' });

export const SourceParamSchema = z.object({ id: SourceIdSchema.openapi({ param: { name: 'id', in: 'path' } }) });

export const SourceSchema = z
  .object({
    id: SourceIdSchema,
    title: z.string(),
    filename: z.string(),
    mediaType: z.string(),
    sourceType: z.enum(SOURCE_TYPES),
    byteSize: z.number().int(),
    contentHash: z.string(),
    status: z.enum(['pending', 'ingested', 'failed']),
    error: z.string().nullable().openapi({ description: 'Why ingestion failed (or the last retry’s reason while pending)' }),
    pages: z.number().int().nullable(),
    characters: z.number().int().nullable(),
    chunks: z.number().int(),
    embedders: z.array(z.string()),
    fileUrl: z.string().openapi({ description: 'Where learners open the original file' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Source');

export const SourceUploadSchema = z
  .object({
    file: z
      .custom<File>((v) => v instanceof File, { message: 'must be a file part' })
      .openapi({ type: 'string', format: 'binary', description: 'PDF, DOCX, TXT or Markdown' }),
    title: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .openapi({ description: 'Shown in search results; defaults to the file name without extension' }),
  })
  .strict();
