/** A share (0..1) as a whole percentage: 0.345 -> "35%". */
export function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/** "1 lesson", "2 lessons": a count with its noun, for text people read. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
