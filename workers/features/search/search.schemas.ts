import { z } from '@hono/zod-openapi';
import { LayerSchema, SlugSchema } from '../content/content.schemas';
import { MAX_QUERY_CHARS } from './search.domain';
import { plainText } from '../../platform/words';

export const SearchRequestSchema = z
  .strictObject({
    query: z
      .string()
      .overwrite(plainText)
      .trim()
      .min(1, 'must not be empty')
      .max(MAX_QUERY_CHARS, `must be at most ${MAX_QUERY_CHARS} characters`),
    limit: z.number().int().min(1).max(20).default(10),
    mode: z
      .enum(['hybrid', 'lexical', 'vector'])
      .default('hybrid')
      .openapi({ description: 'hybrid fuses both rankings; the others use one (for evaluation and debugging)' }),
    group: z
      .enum(['item', 'chunk'])
      .default('item')
      .openapi({
        description:
          'item (the default): one hit per lesson or source, its best-ranked chunk, with `moreMatches` counting its other ' +
          'matching chunks; chunk: every matching chunk as a hit of its own',
      }),
    filters: z
      .strictObject({
        course: SlugSchema.optional().openapi({
          description:
            "A course slug of GET /api/courses: that course's lessons only (uploaded sources belong to no course). Without it, every course of the catalog and the sources",
        }),
        part: SlugSchema.optional().openapi({
          description: 'A part slug, as in `parts[].slug` of GET /api/content/book (e.g. `foundations`)',
        }),
        chapter: SlugSchema.optional().openapi({
          description: 'A chapter slug, as in `parts[].chapters[].slug` of GET /api/content/book',
        }),
        layer: LayerSchema.optional(),
        sourceType: z.enum(['lesson', 'pdf', 'docx', 'txt', 'markdown']).optional(),
      })
      .default({}),
  })
  .openapi('SearchRequest');

export const SearchHitSchema = z
  .object({
    chunkId: z.string(),
    kind: z.enum(['lesson', 'source']),
    itemId: z.string(),
    title: z.string(),
    headingPath: z.array(z.string()),
    anchor: z.string(),
    href: z.string().openapi({ description: 'Deep link to the heading (lessons) or the source' }),
    snippet: z.string(),
    highlights: z.array(z.tuple([z.number().int(), z.number().int()])).openapi({ description: '[start, end) ranges in snippet' }),
    page: z.number().int().nullable(),
    score: z.number(),
    matchedBy: z.array(z.enum(['lexical', 'vector'])),
    moreMatches: z.number().int().min(0).openapi({
      description:
        'Other matching chunks (sections, pages) of the same lesson or source folded into this hit; 0 with `group: chunk`',
    }),
  })
  .openapi('SearchHit');

export const SearchResponseSchema = z
  .object({
    query: z.string(),
    embedder: z.string(),
    hits: z.array(SearchHitSchema),
    suggestions: z.array(z.object({ lessonSlug: z.string(), title: z.string(), href: z.string() })).openapi({
      description:
        'When nothing matched: lessons whose title is one typo away from a word of the query, else the first lesson of each part',
    }),
  })
  .openapi('SearchResults');
export type SearchResponse = z.infer<typeof SearchResponseSchema>;

export const IngestItemSchema = z
  .object({
    kind: z.enum(['lesson', 'source']),
    id: z.string().openapi({ description: 'Lesson slug or source id' }),
    contentHash: z.string(),
    status: z.enum(['pending', 'ingested', 'failed']),
    error: z.string().nullable(),
    chunks: z.number().int(),
    embedders: z.array(z.string()),
    updatedAt: z.string(),
  })
  .openapi('IngestItem');

export const IngestStatusSchema = z
  .object({
    embedder: z.string().openapi({ description: 'The embedder this Worker indexes and searches with' }),
    counts: z.object({ pending: z.number().int(), ingested: z.number().int(), failed: z.number().int() }),
    items: z.array(IngestItemSchema),
  })
  .openapi('IngestStatus');
