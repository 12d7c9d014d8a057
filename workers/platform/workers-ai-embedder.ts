import { z } from 'zod';
import { normalize, type Embedder } from './embedder';

/** Output dimensions of the Workers AI text-embedding models this adapter knows. */
export const WORKERS_AI_EMBEDDING_DIMENSIONS: Readonly<Record<string, number>> = {
  '@cf/baai/bge-small-en-v1.5': 384,
  '@cf/baai/bge-base-en-v1.5': 768,
  '@cf/baai/bge-large-en-v1.5': 1024,
  '@cf/baai/bge-m3': 1024,
};

export const DEFAULT_WORKERS_AI_EMBEDDING_MODEL = '@cf/baai/bge-base-en-v1.5';
export const DEFAULT_WORKERS_AI_EMBEDDING_DIMENSIONS = 768;

/** Texts per `ai.run` call: the bge models take at most 100 in one `text` array. */
export const WORKERS_AI_MAX_TEXTS = 100;

/**
 * The part of the Workers AI binding (`Ai`) this adapter uses; `env.AI` satisfies it,
 * and so can a test double without Ai's other methods.
 */
export interface WorkersAiRunner {
  run(model: string, inputs: { text: string[] }): Promise<unknown>;
}

/** The synchronous answer of a text-embedding model (an async-queue answer has no data). */
const embeddingOutput = z.object({
  shape: z.array(z.number()).optional(),
  data: z.array(z.array(z.number())),
});

/** Dimensions of a known Workers AI embedding model, or undefined for one this table lacks. */
export function workersAiEmbeddingDimensions(model: string): number | undefined {
  // Own keys only: a model named "constructor" is unknown, not Object's constructor.
  return Object.hasOwn(WORKERS_AI_EMBEDDING_DIMENSIONS, model) ? WORKERS_AI_EMBEDDING_DIMENSIONS[model] : undefined;
}

/**
 * Workers AI text embeddings through the `AI` binding. Texts go in batches of at
 * most 100; every answer is checked for count and dimensions, and vectors are
 * normalized so they compare by dot product like every other embedder's.
 */
export function createWorkersAiEmbedder(
  ai: WorkersAiRunner,
  options: { model: string; dimensions: number; batchSize?: number },
): Embedder {
  const { model, dimensions, batchSize = WORKERS_AI_MAX_TEXTS } = options;
  if (!model) throw new Error('workers-ai embedder: model is required');
  if (!Number.isInteger(dimensions) || dimensions < 1) {
    throw new Error(`workers-ai embedder: dimensions must be a positive integer, got ${dimensions}`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > WORKERS_AI_MAX_TEXTS) {
    throw new Error(`workers-ai embedder: batchSize must be 1 to ${WORKERS_AI_MAX_TEXTS}, got ${batchSize}`);
  }
  const known = workersAiEmbeddingDimensions(model);
  if (known !== undefined && known !== dimensions) {
    throw new Error(`workers-ai embedder: ${model} produces ${known} dimensions, not ${dimensions}`);
  }

  return {
    id: `workers-ai:${model}:${dimensions}`,
    dimensions,
    async embed(texts) {
      const empty = texts.findIndex((text) => text.length === 0);
      // The models refuse an empty string, and would fail the whole batch with it.
      if (empty >= 0) throw new Error(`workers-ai embeddings: text ${empty} is empty`);
      const out: Float32Array[] = [];
      for (let i = 0; i < texts.length; i += batchSize) {
        const batch = texts.slice(i, i + batchSize);
        const parsed = embeddingOutput.safeParse(await ai.run(model, { text: batch }));
        if (!parsed.success) throw new Error(`workers-ai embeddings: ${model} answered without embeddings`);
        // `data` is what gets used, so it is what is checked; `shape` only restates it.
        const { data } = parsed.data;
        if (data.length !== batch.length) {
          throw new Error(`workers-ai embeddings: asked ${model} for ${batch.length} vectors, got ${data.length}`);
        }
        for (const row of data) {
          if (row.length !== dimensions) {
            throw new Error(`workers-ai embeddings: expected ${dimensions} dimensions from ${model}, got ${row.length}`);
          }
          out.push(normalize(Float32Array.from(row)));
        }
      }
      return out;
    },
  };
}
