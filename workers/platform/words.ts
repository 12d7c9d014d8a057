/** A share (0..1) as a whole percentage: 0.345 -> "35%". */
export function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/** "1 lesson", "2 lessons": a count with its noun, for text people read. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * Text as a person typed it, in one canonical form: compatibility forms folded (NFKC:
 * full-width "ｗｈｅｒｅ" is "where", "ﬁ" is "fi"), invisible format characters removed
 * (zero-width spaces and joiners, byte-order marks, direction marks), control characters
 * (NUL, escape) read as space, and runs of white space made one space. What is matched,
 * cached and answered is then the same text.
 */
export function plainText(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/\p{Cf}/gu, '')
    .replace(/[\p{Cc}\s]+/gu, ' ');
}
