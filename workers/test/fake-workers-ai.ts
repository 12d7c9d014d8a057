import { WORKERS_AI_EMBEDDING_DIMENSIONS, WORKERS_AI_MAX_TEXTS, type WorkersAiRunner } from '../platform/workers-ai-embedder';

/**
 * In-memory stand-in for the Workers AI binding's text-embedding models, keeping
 * their documented contract: `run(model, { text })` answers `{ shape: [n, dims], data }`,
 * refuses more than 100 texts, an empty text and an unknown model. Vectors are
 * deterministic per text and deliberately not unit length. Tests can make the next
 * call fail, answer with other dimensions, or drop a vector.
 */
export class FakeWorkersAi implements WorkersAiRunner {
  /** Texts per call, in call order. */
  readonly calls: { model: string; texts: string[] }[] = [];
  private next: { fail?: Error; dimensions?: number; dropOne?: boolean } = {};

  failNext(error = new Error('InferenceUpstreamError: upstream model unavailable')): void {
    this.next = { ...this.next, fail: error };
  }

  answerNextWithDimensions(dimensions: number): void {
    this.next = { ...this.next, dimensions };
  }

  dropOneVectorNext(): void {
    this.next = { ...this.next, dropOne: true };
  }

  run(model: string, inputs: { text: string | string[] }): Promise<{ shape: number[]; data: number[][] }> {
    const next = this.next;
    this.next = {};
    const texts = typeof inputs.text === 'string' ? [inputs.text] : inputs.text;
    this.calls.push({ model, texts });
    const known = WORKERS_AI_EMBEDDING_DIMENSIONS[model];
    if (known === undefined) return Promise.reject(new Error(`AiError: No such model ${model} or task`));
    if (texts.length > WORKERS_AI_MAX_TEXTS) {
      return Promise.reject(new Error(`AiError: text must NOT have more than ${WORKERS_AI_MAX_TEXTS} items`));
    }
    if (texts.some((t) => t.length === 0))
      return Promise.reject(new Error('AiError: text must NOT have fewer than 1 characters'));
    if (next.fail) return Promise.reject(next.fail);
    const dimensions = next.dimensions ?? known;
    const data = texts.map((text) => seededVector(text, dimensions));
    if (next.dropOne) data.pop();
    return Promise.resolve({ shape: [data.length, dimensions], data });
  }
}

/** A vector of `dimensions` values in [-1, 1), the same for the same text. */
export function seededVector(text: string, dimensions: number): number[] {
  let state = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) state = Math.imul(state ^ text.charCodeAt(i), 0x01000193);
  state ||= 1;
  const out: number[] = [];
  for (let d = 0; d < dimensions; d++) {
    // xorshift32: cheap and deterministic.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out.push(((state >>> 0) / 0x100000000) * 2 - 1);
  }
  return out;
}
