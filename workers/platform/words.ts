/** "1 lesson", "2 lessons": a count with its noun, for text people read. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
