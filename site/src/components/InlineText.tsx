import { inlineCodeSegments } from '../lib/inline-code';

/** A quiz text with its `code` spans as <code> elements (never parsed as HTML). */
export default function InlineText({ text }: { text: string }) {
  return <>{inlineCodeSegments(text).map((segment, i) => (segment.code ? <code key={i}>{segment.text}</code> : segment.text))}</>;
}
