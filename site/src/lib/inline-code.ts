/** A piece of a quiz text: plain words, or code the author put between backticks. */
export interface TextSegment {
  text: string;
  code: boolean;
}

/**
 * Splits a quiz question, choice or explanation into text and `code` spans, so it
 * renders as elements (no HTML is ever parsed). An unpaired backtick stays as text.
 */
export function inlineCodeSegments(text: string): TextSegment[] {
  const segments: TextSegment[] = [];
  const push = (piece: string, code: boolean) => {
    if (piece) segments.push({ text: piece, code });
  };
  const pattern = /`([^`]+)`/g;
  let from = 0;
  for (const match of text.matchAll(pattern)) {
    push(text.slice(from, match.index), false);
    push(match[1] ?? '', true);
    from = match.index + match[0].length;
  }
  push(text.slice(from), false);
  return segments;
}
