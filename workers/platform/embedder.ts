import OpenAI from 'openai';

/** Turns texts into unit-length vectors. `id` names the model and dimensions together. */
export interface Embedder {
  readonly id: string;
  readonly dimensions: number;
  embed(texts: string[]): Promise<Float32Array[]>;
}

const HASH_DIMENSIONS = 384;

/**
 * Deterministic feature-hashing embedder (words, word pairs and character
 * trigrams, lightly stemmed). No model and no network: it runs in workerd and in
 * tests. It matches shared vocabulary, not meaning; a semantic model is configured
 * through the OpenAI-compatible adapter.
 */
export function createHashingEmbedder(dimensions = HASH_DIMENSIONS): Embedder {
  return {
    id: `hash-v2-${dimensions}`,
    dimensions,
    embed(texts) {
      return Promise.resolve(texts.map((text) => hashVector(text, dimensions)));
    },
  };
}

function hashVector(text: string, dimensions: number): Float32Array {
  const vector = new Float32Array(dimensions);
  const words = (text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? []).map(stem);
  const add = (feature: string, weight: number) => {
    const h = fnv1a(feature);
    vector[h % dimensions] = (vector[h % dimensions] ?? 0) + ((h >>> 31) & 1 ? weight : -weight);
  };
  words.forEach((word, i) => {
    add(`w:${word}`, 1);
    if (i > 0) add(`b:${words[i - 1]} ${word}`, 0.5);
    const padded = `#${word}#`;
    for (let j = 0; j + 3 <= padded.length; j++) add(`c:${padded.slice(j, j + 3)}`, 0.25);
  });
  return normalize(vector);
}

/** Crude suffix stripping, enough to join "filters", "filtered" and "filtering". */
function stem(word: string): string {
  return word.replace(/(?:ing|ed|es|s)$/u, '') || word;
}

/** 32-bit FNV-1a of a string's UTF-16 code units. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function normalize(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const v of vector) norm += v * v;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] ?? 0) / norm;
  return vector;
}

/**
 * Any OpenAI-compatible `/v1/embeddings` endpoint (OpenAI, Workers AI's /v1, a
 * local embedding server). Requests are batched; vectors are normalized here so
 * every embedder's output compares by dot product.
 */
export function createOpenAiEmbedder(options: {
  apiKey: string;
  baseURL?: string | undefined;
  model: string;
  dimensions: number;
  batchSize?: number;
}): Embedder {
  // Built on first use: deps are made per request, and most requests embed nothing.
  let client: OpenAI | undefined;
  const openai = () =>
    (client ??= new OpenAI({ apiKey: options.apiKey, baseURL: options.baseURL ?? null, maxRetries: 2, logLevel: 'off' }));
  const batchSize = options.batchSize ?? 64;
  return {
    id: `openai:${options.model}:${options.dimensions}`,
    dimensions: options.dimensions,
    async embed(texts) {
      const out: Float32Array[] = [];
      for (let i = 0; i < texts.length; i += batchSize) {
        const batch = texts.slice(i, i + batchSize);
        const response = await openai().embeddings.create({ model: options.model, input: batch, encoding_format: 'float' });
        const rows = [...response.data].sort((a, b) => a.index - b.index);
        if (rows.length !== batch.length) throw new Error(`embeddings: asked for ${batch.length}, got ${rows.length}`);
        for (const row of rows) {
          if (row.embedding.length !== options.dimensions) {
            throw new Error(`embeddings: expected ${options.dimensions} dimensions, got ${row.embedding.length}`);
          }
          out.push(normalize(Float32Array.from(row.embedding)));
        }
      }
      return out;
    },
  };
}
