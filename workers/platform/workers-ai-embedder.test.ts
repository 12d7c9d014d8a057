import { describe, expect, expectTypeOf, it } from 'vitest';
import { FakeWorkersAi, seededVector } from '../test/fake-workers-ai';
import { normalize } from './embedder';
import {
  createWorkersAiEmbedder,
  DEFAULT_WORKERS_AI_EMBEDDING_DIMENSIONS,
  DEFAULT_WORKERS_AI_EMBEDDING_MODEL,
  workersAiEmbeddingDimensions,
  type WorkersAiRunner,
} from './workers-ai-embedder';

function givenEmbedder(options: { batchSize?: number } = {}) {
  const ai = new FakeWorkersAi();
  const embedder = createWorkersAiEmbedder(ai, {
    model: DEFAULT_WORKERS_AI_EMBEDDING_MODEL,
    dimensions: DEFAULT_WORKERS_AI_EMBEDDING_DIMENSIONS,
    ...options,
  });
  return { ai, embedder };
}

const texts = (count: number) => Array.from({ length: count }, (_, i) => `passage number ${i + 1}`);

function length(vector: Float32Array): number {
  return Math.sqrt(vector.reduce((sum, v) => sum + v * v, 0));
}

describe('Workers AI embedder', () => {
  it('takes the Workers AI binding', () => {
    expectTypeOf<Ai>().toExtend<WorkersAiRunner>();
  });

  it('defaults to bge-base with 768 dimensions and names both in its id', () => {
    const { embedder } = givenEmbedder();
    expect(embedder.id).toBe('workers-ai:@cf/baai/bge-base-en-v1.5:768');
    expect(embedder.dimensions).toBe(768);
  });

  it.each([
    ['@cf/baai/bge-small-en-v1.5', 384],
    ['@cf/baai/bge-base-en-v1.5', 768],
    ['@cf/baai/bge-large-en-v1.5', 1024],
    ['@cf/baai/bge-m3', 1024],
    ['@cf/some/unknown-model', undefined],
  ])('knows the dimensions of %s', (model, dimensions) => {
    expect(workersAiEmbeddingDimensions(model)).toBe(dimensions);
  });

  it('embeds 250 texts in three calls of at most 100, as unit vectors in input order', async () => {
    const { ai, embedder } = givenEmbedder();
    const input = texts(250);

    const vectors = await embedder.embed(input);

    expect(ai.calls.map((c) => c.texts.length)).toEqual([100, 100, 50]);
    expect(ai.calls.flatMap((c) => c.texts)).toEqual(input);
    expect(vectors).toHaveLength(250);
    vectors.forEach((vector, i) => {
      expect(vector).toHaveLength(768);
      expect(length(vector)).toBeCloseTo(1, 5);
      const expected = normalize(Float32Array.from(seededVector(input[i] ?? '', 768)));
      expect(Array.from(vector.subarray(0, 4))).toEqual(Array.from(expected.subarray(0, 4)));
    });
  });

  it('uses a smaller batch size when given one', async () => {
    const { ai, embedder } = givenEmbedder({ batchSize: 40 });
    await embedder.embed(texts(90));
    expect(ai.calls.map((c) => c.texts.length)).toEqual([40, 40, 10]);
  });

  it('makes no call for no texts', async () => {
    const { ai, embedder } = givenEmbedder();
    expect(await embedder.embed([])).toEqual([]);
    expect(ai.calls).toEqual([]);
  });

  it('refuses an answer with other dimensions', async () => {
    const { ai, embedder } = givenEmbedder();
    ai.answerNextWithDimensions(384);
    await expect(embedder.embed(texts(3))).rejects.toThrow(
      'workers-ai embeddings: expected 768 dimensions from @cf/baai/bge-base-en-v1.5, got 384',
    );
  });

  it('refuses an answer with fewer vectors than texts', async () => {
    const { ai, embedder } = givenEmbedder();
    ai.dropOneVectorNext();
    await expect(embedder.embed(texts(3))).rejects.toThrow(
      'workers-ai embeddings: asked @cf/baai/bge-base-en-v1.5 for 3 vectors, got 2',
    );
  });

  it('passes a failure of the model on', async () => {
    const { ai, embedder } = givenEmbedder();
    const failure = new Error('InferenceUpstreamError: capacity');
    ai.failNext(failure);
    await expect(embedder.embed(texts(3))).rejects.toBe(failure);
  });

  it('refuses an empty text before calling the model', async () => {
    const { ai, embedder } = givenEmbedder();
    await expect(embedder.embed(['a passage', ''])).rejects.toThrow('workers-ai embeddings: text 1 is empty');
    expect(ai.calls).toEqual([]);
  });

  it.each([
    [
      'dimensions other than the model’s',
      { model: '@cf/baai/bge-small-en-v1.5', dimensions: 768 },
      '@cf/baai/bge-small-en-v1.5 produces 384 dimensions, not 768',
    ],
    [
      'a batch over the model’s limit',
      { model: '@cf/baai/bge-base-en-v1.5', dimensions: 768, batchSize: 101 },
      'batchSize must be 1 to 100, got 101',
    ],
    ['zero dimensions', { model: '@cf/baai/bge-base-en-v1.5', dimensions: 0 }, 'dimensions must be a positive integer, got 0'],
    ['no model', { model: '', dimensions: 768 }, 'model is required'],
  ])('refuses a configuration with %s', (_case, options, message) => {
    expect(() => createWorkersAiEmbedder(new FakeWorkersAi(), options)).toThrow(message);
  });
});
