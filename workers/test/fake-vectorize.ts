/**
 * In-memory stand-in for a Vectorize (V2) index behind the Workers binding, keeping
 * the documented limits: at most 1000 vectors per upsert and ids per delete, ids of
 * at most 64 bytes, the index's dimensions on every vector, topK at most 100 (20 when
 * values or all metadata are returned), cosine scores, and metadata filters
 * ($eq implicit or explicit, $ne, $in, $nin, $lt, $lte, $gt, $gte). Errors read like
 * the binding's (`VECTOR_UPSERT_ERROR: ...`). Mutations apply at once, where the real
 * service applies them within seconds. Tests can make the next call of an operation fail.
 */
export class FakeVectorize implements Vectorize {
  static readonly MAX_UPSERT = 1000;
  static readonly MAX_DELETE = 1000;
  static readonly MAX_ID_BYTES = 64;
  static readonly MAX_TOP_K = 100;
  static readonly MAX_TOP_K_WITH_DATA = 20;

  /** Every call, in order, with how many vectors or ids it carried. */
  readonly calls: { operation: Operation; size: number }[] = [];
  /** The options of every query, as given. */
  readonly queries: VectorizeQueryOptions[] = [];
  private readonly vectors = new Map<string, StoredVector>();
  private readonly failures = new Map<Operation, { error: Error; skip: number }>();
  private mutations = 0;

  constructor(readonly dimensions: number) {}

  /**
   * Makes a coming call of `operation` reject with `error`, changing nothing: the
   * next one, or the one after `skip` calls that succeed.
   */
  failNext(operation: Operation, options: { error?: Error; skip?: number } = {}): void {
    const error = options.error ?? new Error(`${errorPrefix(operation)}: internal error`);
    this.failures.set(operation, { error, skip: options.skip ?? 0 });
  }

  /** Ids in the index, sorted. */
  ids(): string[] {
    return [...this.vectors.keys()].sort();
  }

  stored(id: string): VectorizeVector | undefined {
    const vector = this.vectors.get(id);
    return vector && { id, values: [...vector.values], metadata: structuredClone(vector.metadata) };
  }

  describe(): Promise<VectorizeIndexInfo> {
    return this.call('describe', 0, () => ({
      vectorCount: this.vectors.size,
      dimensions: this.dimensions,
      processedUpToDatetime: 0,
      processedUpToMutation: this.mutations,
    }));
  }

  query(vector: VectorFloatArray | number[], options: VectorizeQueryOptions = {}): Promise<VectorizeMatches> {
    return this.call('query', 1, () => {
      this.queries.push(structuredClone(options));
      if (vector.length !== this.dimensions) {
        throw new Error(`VECTOR_QUERY_ERROR: query vector has ${vector.length} dimensions, the index ${this.dimensions}`);
      }
      return this.search(Float32Array.from(vector), options);
    });
  }

  queryById(vectorId: string, options: VectorizeQueryOptions = {}): Promise<VectorizeMatches> {
    return this.call('query', 1, () => {
      this.queries.push(structuredClone(options));
      const stored = this.vectors.get(vectorId);
      if (!stored) throw new Error(`VECTOR_QUERY_ERROR: no vector with id ${vectorId}`);
      return this.search(stored.values, options);
    });
  }

  insert(vectors: VectorizeVector[]): Promise<VectorizeAsyncMutation> {
    return this.call('insert', vectors.length, () => {
      const valid = this.validate('VECTOR_INSERT_ERROR', vectors);
      for (const v of valid) if (!this.vectors.has(v.id)) this.vectors.set(v.id, v.stored);
      return this.mutation();
    });
  }

  upsert(vectors: VectorizeVector[]): Promise<VectorizeAsyncMutation> {
    return this.call('upsert', vectors.length, () => {
      const valid = this.validate('VECTOR_UPSERT_ERROR', vectors);
      for (const v of valid) this.vectors.set(v.id, v.stored);
      return this.mutation();
    });
  }

  deleteByIds(ids: string[]): Promise<VectorizeAsyncMutation> {
    return this.call('deleteByIds', ids.length, () => {
      if (ids.length > FakeVectorize.MAX_DELETE) {
        throw new Error(`VECTOR_DELETE_ERROR: at most ${FakeVectorize.MAX_DELETE} ids per call, got ${ids.length}`);
      }
      for (const id of ids) checkId('VECTOR_DELETE_ERROR', id);
      for (const id of ids) this.vectors.delete(id);
      return this.mutation();
    });
  }

  getByIds(ids: string[]): Promise<VectorizeVector[]> {
    return this.call('getByIds', ids.length, () =>
      ids.flatMap((id) => {
        const vector = this.stored(id);
        return vector ? [vector] : [];
      }),
    );
  }

  private call<T>(operation: Operation, size: number, run: () => T): Promise<T> {
    this.calls.push({ operation, size });
    const failure = this.failures.get(operation);
    if (failure && failure.skip > 0) failure.skip -= 1;
    else if (failure) {
      this.failures.delete(operation);
      return Promise.reject(failure.error);
    }
    try {
      return Promise.resolve(run());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private mutation(): VectorizeAsyncMutation {
    this.mutations += 1;
    return { mutationId: `mutation-${this.mutations}` };
  }

  private validate(prefix: string, vectors: VectorizeVector[]): { id: string; stored: StoredVector }[] {
    if (vectors.length > FakeVectorize.MAX_UPSERT) {
      throw new Error(`${prefix}: at most ${FakeVectorize.MAX_UPSERT} vectors per call, got ${vectors.length}`);
    }
    return vectors.map((vector) => {
      checkId(prefix, vector.id);
      if (vector.values.length !== this.dimensions) {
        throw new Error(`${prefix}: vector ${vector.id} has ${vector.values.length} dimensions, the index ${this.dimensions}`);
      }
      const values = Float32Array.from(vector.values);
      if (values.some((v) => !Number.isFinite(v))) throw new Error(`${prefix}: vector ${vector.id} has a non-finite value`);
      const metadata = vector.metadata ?? {};
      for (const key of Object.keys(metadata)) {
        if (key === '' || key.includes('.') || key.includes('"') || key.startsWith('$')) {
          throw new Error(`${prefix}: invalid metadata key ${JSON.stringify(key)}`);
        }
      }
      if (new TextEncoder().encode(JSON.stringify(metadata)).byteLength > 10 * 1024) {
        throw new Error(`${prefix}: metadata of ${vector.id} is over 10 KiB`);
      }
      return { id: vector.id, stored: { values, metadata: structuredClone(metadata) } };
    });
  }

  private search(query: Float32Array, options: VectorizeQueryOptions): VectorizeMatches {
    const topK = options.topK ?? 5;
    const metadataLevel =
      options.returnMetadata === true ? 'all' : options.returnMetadata === false ? 'none' : (options.returnMetadata ?? 'none');
    const limit = options.returnValues || metadataLevel === 'all' ? FakeVectorize.MAX_TOP_K_WITH_DATA : FakeVectorize.MAX_TOP_K;
    if (!Number.isInteger(topK) || topK < 1 || topK > limit) {
      throw new Error(`VECTOR_QUERY_ERROR: topK must be 1 to ${limit} with these options, got ${topK}`);
    }
    const filter = options.filter ?? {};
    if (new TextEncoder().encode(JSON.stringify(filter)).byteLength > 2048) {
      throw new Error('VECTOR_QUERY_ERROR: filter is over 2048 bytes');
    }
    const matches = [...this.vectors.entries()]
      .filter(([, stored]) => matchesFilter(stored.metadata, filter))
      .map(([id, stored]) => ({ id, stored, score: cosine(query, stored.values) }))
      .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id))
      .slice(0, topK)
      .map(({ id, stored, score }): VectorizeMatch => ({
        id,
        score,
        ...(options.returnValues ? { values: [...stored.values] } : {}),
        ...(metadataLevel === 'none' ? {} : { metadata: structuredClone(stored.metadata) }),
      }));
    return { matches, count: matches.length };
  }
}

export type Operation = 'describe' | 'query' | 'insert' | 'upsert' | 'deleteByIds' | 'getByIds';

interface StoredVector {
  values: Float32Array;
  metadata: Record<string, VectorizeVectorMetadata>;
}

function errorPrefix(operation: Operation): string {
  return {
    describe: 'INDEX_GET_ERROR',
    query: 'VECTOR_QUERY_ERROR',
    insert: 'VECTOR_INSERT_ERROR',
    upsert: 'VECTOR_UPSERT_ERROR',
    deleteByIds: 'VECTOR_DELETE_ERROR',
    getByIds: 'VECTOR_GET_ERROR',
  }[operation];
}

function checkId(prefix: string, id: string): void {
  const bytes = new TextEncoder().encode(id).byteLength;
  if (bytes === 0 || bytes > FakeVectorize.MAX_ID_BYTES) {
    throw new Error(`${prefix}: vector id must be 1 to ${FakeVectorize.MAX_ID_BYTES} bytes, got ${bytes}`);
  }
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  return normA > 0 && normB > 0 ? dot / Math.sqrt(normA * normB) : 0;
}

type Scalar = string | number | boolean | null;

function matchesFilter(metadata: Record<string, VectorizeVectorMetadata>, filter: VectorizeVectorMetadataFilter): boolean {
  return Object.entries(filter).every(([field, condition]) => {
    const value = metadata[field];
    const actual: Scalar | undefined = value === undefined || typeof value === 'object' ? undefined : value;
    if (condition === null || typeof condition !== 'object') return actual === condition;
    return Object.entries(condition).every(([op, operand]) => {
      switch (op) {
        case '$eq':
          return actual === operand;
        case '$ne':
          return actual !== operand;
        case '$in':
          return Array.isArray(operand) && actual !== undefined && (operand as Scalar[]).includes(actual);
        case '$nin':
          return Array.isArray(operand) && (actual === undefined || !(operand as Scalar[]).includes(actual));
        case '$lt':
          return compare(actual, operand) < 0;
        case '$lte':
          return compare(actual, operand) <= 0;
        case '$gt':
          return compare(actual, operand) > 0;
        case '$gte':
          return compare(actual, operand) >= 0;
        default:
          throw new Error(`VECTOR_QUERY_ERROR: unsupported filter operator ${op}`);
      }
    });
  });
}

/** Orders two scalars of the same type; anything else compares as unordered (NaN). */
function compare(actual: Scalar | undefined, operand: unknown): number {
  if (typeof actual === 'number' && typeof operand === 'number') return actual - operand;
  if (typeof actual === 'string' && typeof operand === 'string') return actual < operand ? -1 : actual > operand ? 1 : 0;
  return Number.NaN;
}
