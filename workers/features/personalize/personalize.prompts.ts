import type { ChatMessage } from '../../platform/text-generator';
import type { LessonContext, Preferences } from './personalize.domain';

/**
 * Prompt templates by version. The version is part of every cache key, so editing
 * a template means adding a new version: cached text from the old one is never
 * served as if the new one had produced it.
 */
export const PROMPT_VERSION = 'personalize-v1';

const EXPERIENCE = {
  none: 'has never used the subject: define every term, go slowly, recap prerequisites',
  basic: 'has tried the subject a little: brief definitions, one recap line per prerequisite',
  working: 'uses the subject at work: skip basics, focus on pitfalls and practice',
  expert: 'knows the subject well: be concise, add depth and edge cases, mark what they can skim',
} as const;

const STYLE = {
  visual: 'likes structure they can see: outlines, tables, step lists, ASCII diagrams where useful',
  analytical: 'likes reasons: explain why each rule holds and state the rules precisely',
  'hands-on': 'learns by doing: add short "Try it" tasks after the examples',
  mixed: 'likes a balanced mix of explanation, structure and practice',
} as const;

const SYSTEM = `You adapt one lesson of an online course to one learner. Output the adapted lesson as GitHub-flavoured markdown and nothing else: no preamble, no closing remarks, no wrapping code fence.
Hard rules, checked by a program before the learner sees your text:
1. Keep every heading of the lesson, with exactly the same words. You may add headings.
2. Keep every code block exactly as written, byte for byte, with its language tag. You may add new code blocks.
3. Do not drop any section and do not invent facts; stay correct about the subject.
Within those rules: reword, reorder explanations inside a section, add short recaps, definitions, examples from the learner's domain, notes and exercises that suit the learner.`;

/** The chat messages for one lesson and one learner profile (already canonical). */
export function personalizeMessages(lesson: LessonContext, preferences: Preferences): ChatMessage[] {
  const prerequisites = lesson.prerequisites.map((p) => `- ${p.title}: ${p.summary}`).join('\n') || '- none';
  const user = `Learner:
- experience: ${EXPERIENCE[preferences.experience]}
- background: ${preferences.background}
- learning style: ${STYLE[preferences.style]}
- time per session: about ${preferences.sessionMinutes} minutes (the lesson takes about ${lesson.minutes})
- examples: ${preferences.exampleDomain === 'general' ? 'any domain' : `prefer the ${preferences.exampleDomain} domain`}

Lesson "${lesson.title}" (difficulty ${lesson.difficulty} of 5). Summary: ${lesson.summary}
Key concepts: ${lesson.concepts.map((c) => c.label).join(', ') || 'none listed'}
Prerequisite lessons:
${prerequisites}

The lesson as written:
<<<LESSON
${lesson.markdown}
LESSON>>>`;
  return [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: user },
  ];
}
