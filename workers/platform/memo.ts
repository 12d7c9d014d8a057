/**
 * A pure function that remembers its answers in the isolate, at most `limit` of them
 * (all forgotten at once when full: cheaper than tracking use, and the keys that matter
 * come back at once). For work repeated across requests: stems, passages, questions.
 * `keyOf` names an argument by what determines the answer (a chunk by its id, which
 * holds its content's hash); by default the argument is its own key.
 */
export function remembered<A, V>(
  limit: number,
  compute: (arg: A) => V,
  keyOf: (arg: A) => unknown = (arg) => arg,
): (arg: A) => V {
  const memo = new Map<unknown, V>();
  return (arg) => {
    const key = keyOf(arg);
    if (memo.has(key)) return memo.get(key) as V;
    const value = compute(arg);
    if (memo.size >= limit) memo.clear();
    memo.set(key, value);
    return value;
  };
}
