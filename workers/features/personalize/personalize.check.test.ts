import { describe, expect, it } from 'vitest';
import { checkAdaptation, unwrapModelMarkdown } from './personalize.check';

const FENCE = '```';

/** A small lesson in the course's style: intro, two sections, three code blocks. */
const LESSON = `Every question starts with \`SELECT\`. This lesson covers its simplest form, which reads one table and returns the columns you choose.

## The shape of a SELECT

${FENCE}sql
SELECT title, price
FROM books;
${FENCE}

\`FROM\` names the table to read. Choosing columns like this is called **projection**: you keep only the columns you care about.

## Expressions in the select list

An item in the select list can be any expression, computed separately for each row. Two details often catch people out.

${FENCE}sql
SELECT 7 / 2, 7 / 2.0;
${FENCE}

### Integer division

If both sides of \`/\` are integers, SQLite discards the fractional part.

${FENCE}sql
SELECT title, price
FROM books;
${FENCE}
`;

/** Builds a variant of LESSON by replacing one piece of text (which must exist). */
function edited(from: string, to: string): string {
  expect(LESSON).toContain(from);
  return LESSON.replace(from, to);
}

describe('checkAdaptation', () => {
  it.each([
    ['the lesson unchanged', LESSON],
    [
      'an added section with prose and a new code block',
      `${LESSON}\n## Recap\n\nA new paragraph.\n\n${FENCE}sql\nSELECT 1;\n${FENCE}\n`,
    ],
    ['reworded prose', edited('names the table to read', 'says which table the query reads from')],
    ['a heading with different case and spacing', edited('## The shape of a SELECT', '##   the SHAPE of a   select  ')],
    ['a heading that gained inline formatting', edited('### Integer division', '### *Integer* division')],
    [
      'a callout added above the lesson',
      `> **Before you start**\n>\n> - [Thinking in relations](/lessons/relational-model)\n\n${LESSON}`,
    ],
    [
      'a code block moved into a blockquote',
      edited(`${FENCE}sql\nSELECT 7 / 2, 7 / 2.0;\n${FENCE}`, `> ${FENCE}sql\n> SELECT 7 / 2, 7 / 2.0;\n> ${FENCE}`),
    ],
    ['a code block with another language tag', edited(`${FENCE}sql\nSELECT 7 / 2`, `${FENCE}sqlite\nSELECT 7 / 2`)],
  ])('accepts %s', (_case, adapted) => {
    expect(checkAdaptation(LESSON, adapted)).toEqual({ ok: true });
  });

  it.each([
    [
      'a changed code block',
      edited('SELECT 7 / 2, 7 / 2.0;', 'SELECT 7 / 2.0;'),
      'code block 2 ("SELECT 7 / 2, 7 / 2.0;") was changed or dropped',
    ],
    [
      'a dropped code block',
      edited(`${FENCE}sql\nSELECT 7 / 2, 7 / 2.0;\n${FENCE}\n`, ''),
      'code block 2 ("SELECT 7 / 2, 7 / 2.0;") was changed or dropped',
    ],
    [
      'one of two identical code blocks dropped',
      LESSON.slice(0, LESSON.lastIndexOf(`${FENCE}sql`)),
      'code block 3 ("SELECT title, price") was changed or dropped',
    ],
    [
      'a code block with changed whitespace',
      edited('SELECT 7 / 2, 7 / 2.0;', 'SELECT 7 / 2,  7 / 2.0;'),
      'code block 2 ("SELECT 7 / 2, 7 / 2.0;") was changed or dropped',
    ],
    [
      'a dropped heading',
      edited('## Expressions in the select list\n', ''),
      'section "Expressions in the select list" was dropped',
    ],
    ['a dropped subheading', edited('### Integer division\n', ''), 'section "Integer division" was dropped'],
    [
      'a heading turned into bold text',
      edited('### Integer division', '**Integer division**'),
      'section "Integer division" was dropped',
    ],
    [
      'a renamed heading',
      edited('## The shape of a SELECT', '## How SELECT looks'),
      'section "The shape of a SELECT" was dropped',
    ],
    ['an empty text', '', 'the text is empty'],
    ['whitespace only', ' \n\n\t\n', 'the text is empty'],
  ])('rejects %s', (_case, adapted, reason) => {
    expect(checkAdaptation(LESSON, adapted)).toEqual({ ok: false, reason });
  });

  it('rejects a text cut to a stub of headings and code, and says how much is left', () => {
    const stub = LESSON.split('\n')
      .filter((line) => !/^[A-Z`]/.test(line) || /^(SELECT|FROM|```)/.test(line))
      .join('\n');
    expect(checkAdaptation(LESSON, `${stub}\nOnly this.\n`)).toEqual({
      ok: false,
      reason: 'the text was cut to 3% of the original',
    });
  });

  it('truncates a long first line in the reason', () => {
    const long = `SELECT ${'a_rather_long_column_name, '.repeat(4)}x FROM t;`;
    const original = `## Query\n\n${FENCE}sql\n\n${long}\n${FENCE}\n`;
    const result = checkAdaptation(original, '## Query\n\nNo code here.\n');
    expect(result).toEqual({
      ok: false,
      reason: 'code block 1 ("SELECT a_rather_long_column_name, a_rat…") was changed or dropped',
    });
  });
});

describe('unwrapModelMarkdown', () => {
  it.each([
    ['a ```markdown wrapper', `${FENCE}markdown\n## Title\n\nText.\n${FENCE}`, '## Title\n\nText.'],
    ['a ```md wrapper with whitespace around it', `\n\n  ${FENCE}md\n## Title\n${FENCE}\n\n`, '## Title'],
    ['a wrapper in upper case', `${FENCE}Markdown\nText.\n${FENCE}`, 'Text.'],
    [
      'a wrapper around code blocks',
      `${FENCE}markdown\n## A\n\n${FENCE}sql\nSELECT 1;\n${FENCE}\n\nEnd.\n${FENCE}\n`,
      `## A\n\n${FENCE}sql\nSELECT 1;\n${FENCE}\n\nEnd.`,
    ],
  ])('strips %s', (_case, text, expected) => {
    expect(unwrapModelMarkdown(text)).toBe(expected);
  });

  it.each([
    ['plain markdown', '## Title\n\nText.\n'],
    [
      'a lesson that starts and ends with sql blocks',
      `${FENCE}sql\nSELECT 1;\n${FENCE}\n\nText.\n\n${FENCE}sql\nSELECT 2;\n${FENCE}`,
    ],
    ['two separate markdown blocks', `${FENCE}md\nA\n${FENCE}\n\nText.\n\n${FENCE}md\nB\n${FENCE}`],
    ['a markdown block followed by text', `${FENCE}markdown\nA\n${FENCE}\n\nMore text.`],
  ])('leaves %s unchanged', (_case, text) => {
    expect(unwrapModelMarkdown(text)).toBe(text);
  });
});
