import { describe, expect, it } from 'vitest';
import { createMarkdown } from '../content/content.markdown';
import { isSafeUrl, sanitizeLessonMarkdown, unsafeConstructs } from './personalize.sanitize';

const FENCE = '```';

describe('sanitizeLessonMarkdown', () => {
  it.each([
    ['a script block', '<script>\nfetch("/api/learners/me/token")\n</script>\n\nAfter.'],
    ['an inline script', 'Hello <script>alert(1)</script> world.'],
    ['an iframe', '<iframe src="https://evil.test/"></iframe>'],
    ['an object and an embed', 'See <object data="x.swf"></object> and <embed src="x.swf">.'],
    ['a style block', '<style>body { display: none }</style>'],
    ['an event handler', 'Text <img src=x onerror=alert(1)> more.'],
    ['a raw link', '<a href="javascript:alert(1)">click</a>'],
    ['a raw image', '<img src="data:image/svg+xml,<svg onload=alert(1)>">'],
    ['mixed-case tags', '<ScRiPt>alert(1)</sCrIpT>'],
    ['an unclosed tag that opens a block', '<script src=//evil.test/x.js\n\nAfter.'],
    ['a comment hiding a tag', '<!-- --><script>alert(1)</script><!-- -->'],
    ['a tag inside a comment', 'Text <!-- <img src=x onerror=alert(1)> --> text.'],
    ['CDATA and a processing instruction', '<![CDATA[<script>x</script>]]> <?php echo 1; ?>'],
    ['an escaped backslash before a tag', '\\\\<script>alert(1)</script>'],
    ['raw HTML in a blockquote and a list', '> <div onclick="x()">quoted</div>\n\n- <b onmouseover=x()>item</b>'],
    ['raw HTML in a heading', '## Intro <svg onload=alert(1)>'],
    ['raw HTML in a table', '| a | b |\n|---|---|\n| <script>x</script> | `<b>` |'],
    ['a pipe that splits a would-be code span', '| `x | <script>alert(1)</script> | y` |\n|---|---|---|'],
  ])('escapes %s', (_case, markdown) => {
    expect(unsafeConstructs(markdown)).not.toEqual([]);
    expect(unsafeConstructs(sanitizeLessonMarkdown(markdown))).toEqual([]);
  });

  it.each([
    ['javascript:', '[x](javascript:alert(1))'],
    ['mixed case', '[x](JaVaScRiPt:alert(1))'],
    ['an entity-encoded scheme', '[x](&#106;avascript&#58;alert(1))'],
    ['a hex entity', '[x](&#x6A;avascript:alert(1))'],
    ['a tab entity inside the scheme', '[x](java&#9;script:alert(1))'],
    ['a newline entity inside the scheme', '[x](java&#10;script:alert(1))'],
    ['a control character in a bracketed destination', '[x](<java\u0001script:alert(1)>)'],
    ['leading spaces in a bracketed destination', '[x](<  javascript:alert(1)>)'],
    ['a backslash escape in the scheme', '[x](javascript\\:alert(1))'],
    ['vbscript:', '[x](vbscript:msgbox(1))'],
    ['a data: link', '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)'],
    ['a data: image', '![x](data:image/png;base64,iVBORw0KGgo=)'],
    ['a file: link', '[x](file:///etc/passwd)'],
    ['a reference definition', '[x][evil]\n\n[evil]: javascript:alert(1)'],
    ['a reference definition on the next line', '[x][evil]\n\n[evil]:\n  <javascript:alert(1)>'],
    ['a destination on the next line in a blockquote', '> [x](\n> javascript:alert(1))'],
    ['a javascript: autolink', '<javascript:alert(1)>'],
    ['a data: autolink in capitals', '<DATA:text/html,x>'],
    ['a link nested in image text', '![a [b](javascript:x) c](/ok.png)'],
  ])('neutralizes a link with %s', (_case, markdown) => {
    expect(unsafeConstructs(markdown)).not.toEqual([]);
    const sanitized = sanitizeLessonMarkdown(markdown);
    expect(unsafeConstructs(sanitized)).toEqual([]);
    expect(sanitized.toLowerCase()).not.toMatch(/\]\(\s*<?\s*(javascript|vbscript|data|file)/);
  });

  it('escapes tags a browser would read though markdown-it does not: unclosed, or split over lines', () => {
    expect(sanitizeLessonMarkdown('Before <script src=//evil.test/x.js')).toBe('Before &lt;script src=//evil.test/x.js');
    expect(sanitizeLessonMarkdown('Text <img\nsrc=x onerror=alert(1)\n> more')).toBe(
      'Text &lt;img\nsrc=x onerror=alert(1)\n> more',
    );
  });

  it('keeps the link text when it drops a destination', () => {
    expect(sanitizeLessonMarkdown('Read [the guide](javascript:alert(1)) first.')).toBe('Read [the guide](#) first.');
    expect(sanitizeLessonMarkdown('![a chart](data:image/png;base64,AAAA)')).toBe('![a chart](#)');
  });

  it('keeps code blocks and inline code byte for byte', () => {
    const markdown = [
      'Inline `<script>alert(1)</script>` and ``a ` <b> `` stay.',
      '',
      `${FENCE}html`,
      '<script src="https://cdn.test/x.js"></script>',
      '<a href="javascript:void(0)" onclick="go()">go</a>',
      '[x](javascript:alert(1))',
      FENCE,
      '',
      '    <iframe src="indented-code.html"></iframe>',
      '',
      '> ~~~',
      '> <style>quoted code</style>',
      '> ~~~',
      '',
      'But <script>this</script> goes.',
    ].join('\n');
    const sanitized = sanitizeLessonMarkdown(markdown);
    expect(sanitized.split('\n').slice(0, 14)).toEqual(markdown.split('\n').slice(0, 14));
    expect(sanitized.split('\n')[14]).toBe('But &lt;script>this&lt;/script> goes.');
    expect(unsafeConstructs(sanitized)).toEqual([]);
  });

  it('keeps the line endings of the text, code blocks included', () => {
    const markdown = `Text <b>x</b>\r\n\r\n${FENCE}\r\n<i>code</i>\r\n${FENCE}\r\n`;
    expect(sanitizeLessonMarkdown(markdown)).toBe(`Text &lt;b>x&lt;/b>\r\n\r\n${FENCE}\r\n<i>code</i>\r\n${FENCE}\r\n`);
  });

  it('leaves a lesson without HTML or unsafe links unchanged', () => {
    const markdown = [
      '# Filtering rows',
      '',
      'Use `WHERE price < 10` to keep cheap books; a < b and 3<4 and <> are comparisons, x<-y too.',
      '',
      'See [the docs](https://sqlite.org/lang_select.html "SELECT"), [a lesson](/lessons/joins), [below](#sorting),',
      '<https://sqlite.org>, <help@example.com>, [mail](mailto:help@example.com) and https://example.com/plain.',
      '',
      '![diagram](/images/rows.png)',
      '',
      '| op | meaning |',
      '|----|---------|',
      '| `<` | less than |',
      '',
      '[ref]: https://sqlite.org/docs.html',
      '',
      `${FENCE}sql`,
      'SELECT title FROM books WHERE price < 10;',
      FENCE,
    ].join('\n');
    expect(sanitizeLessonMarkdown(markdown)).toBe(markdown);
  });

  it('renders on our own site (raw HTML off) exactly as the original did', () => {
    const markdown = '# The <div> element\n\nUse <div> to group, `<div>` in code.\n\n- <b>item</b>\n\n> <em>quote</em>';
    const md = createMarkdown();
    expect(md.render(sanitizeLessonMarkdown(markdown))).toBe(md.render(markdown));
  });

  it('writes a bracketed destination without brackets, so no renderer can read it as a tag', () => {
    expect(sanitizeLessonMarkdown('[a](<https://example.com/a b>) [b](</lessons/x>)')).toBe(
      '[a](https://example.com/a%20b) [b](/lessons/x)',
    );
    expect(sanitizeLessonMarkdown('[a](<img src=x onerror=alert(1)>)')).toBe('[a](img%20src=x%20onerror=alert%281%29)');
  });

  it('escapes inline code too when the text reads differently from what the scan assumed', () => {
    // GFM splits table cells at `|` even inside backticks, so this "code span" is not one.
    const sanitized = sanitizeLessonMarkdown('| `x | <script>alert(1)</script> | y` |\n|---|---|---|\n');
    expect(sanitized).toBe('| `x | &lt;script>alert(1)&lt;/script> | y` |\n|---|---|---|\n');
  });

  it('is idempotent', () => {
    const markdown = 'A <b>bold</b> [x](javascript:y) <javascript:z> `<i>` [a](<b c>)';
    const once = sanitizeLessonMarkdown(markdown);
    expect(sanitizeLessonMarkdown(once)).toBe(once);
  });
});

describe('isSafeUrl', () => {
  it.each([
    ['https://example.com/a', true],
    ['HTTP://EXAMPLE.COM', true],
    ['mailto:a@example.com', true],
    ['/lessons/joins', true],
    ['#sorting', true],
    ['lessons/a:b', true],
    ['?q=a:b', true],
    ['javascript:alert(1)', false],
    ['JAVASCRIPT:alert(1)', false],
    [' javascript:alert(1)', false],
    ['java\tscript:alert(1)', false],
    ['java%09script:alert(1)', false],
    ['vbscript:x', false],
    ['data:text/html,x', false],
    ['file:///etc/passwd', false],
    [':no-scheme', false],
  ])('%j is safe: %s', (url, safe) => {
    expect(isSafeUrl(url)).toBe(safe);
  });
});
