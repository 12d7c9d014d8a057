/**
 * A pure function that remembers its answers in the isolate, at most `limit` of them
 * (all forgotten at once when full: cheaper than tracking use, and the keys that matter
 * come back at once). For work repeated across requests: stems, passages, questions.
 */
export function remembered<K, V>(limit: number, compute: (key: K) => V): (key: K) => V {
  const memo = new Map<K, V>();
  return (key) => {
    if (memo.has(key)) return memo.get(key) as V;
    const value = compute(key);
    if (memo.size >= limit) memo.clear();
    memo.set(key, value);
    return value;
  };
}
