import { describe, expect, it } from 'vitest';
import { lessonSections, renderLessonHtml } from './markdown';

function render(markdown: string): Document {
  return new DOMParser().parseFromString(renderLessonHtml(markdown), 'text/html');
}

describe('renderLessonHtml', () => {
  it.each([
    ['a script tag', '<script>window.hacked = true</script>'],
    ['an event handler', '<img src="x" onerror="window.hacked = true">'],
    ['an inline frame', '<iframe src="https://evil.example"></iframe>'],
  ])('shows %s as text instead of running it', (_name, source) => {
    const doc = render(`Before\n\n${source}\n`);
    expect(doc.querySelector('script, iframe, img[onerror]')).toBeNull();
    expect(doc.body.textContent).toContain(source.slice(0, 8));
  });

  it.each(['javascript:alert(1)', 'JAVASCRIPT:alert(1)', 'vbscript:msgbox(1)', 'data:text/html;base64,PHNjcmlwdD4='])(
    'does not turn %s into a link',
    (url) => {
      const doc = render(`[click me](${url})`);
      const hrefs = [...doc.querySelectorAll('a')].map((a) => a.getAttribute('href'));
      expect(hrefs.filter((h) => h && !h.startsWith('http') && !h.startsWith('/') && !h.startsWith('#'))).toEqual([]);
    },
  );

  it('keeps ordinary links, images and tables', () => {
    const doc = render('[next](/lessons/joins) ![fig](/api/content/assets/abc)\n\n| a | b |\n|---|---|\n| 1 | 2 |\n');
    expect(doc.querySelector('a[href="/lessons/joins"]')?.textContent).toBe('next');
    expect(doc.querySelector('img')?.getAttribute('src')).toBe('/api/content/assets/abc');
    expect(doc.querySelectorAll('td')).toHaveLength(2);
  });

  it('highlights code of known languages and leaves other code plain', () => {
    const doc = render('```sql\nSELECT title FROM books;\n```\n\n```text\nSELECT nothing\n```\n');
    const [sql, text] = [...doc.querySelectorAll('pre code')];
    expect(sql?.querySelector('.hljs-keyword')?.textContent).toBe('SELECT');
    expect(text?.querySelector('span')).toBeNull();
  });

  it('keeps heading ids that share a name with a document property', () => {
    const doc = render('## Title\n\n## Images\n\n## Links\n');
    expect([...doc.querySelectorAll('h2')].map((h) => h.id)).toEqual(['title', 'images', 'links']);
  });

  it('gives each heading an id and a permalink to it', () => {
    const doc = render('## Worked example\n\n## Worked example\n');
    const headings = [...doc.querySelectorAll('h2')];
    expect(headings.map((h) => h.id)).toEqual(['worked-example', 'worked-example-1']);
    expect(headings.map((h) => h.querySelector('a.heading-anchor')?.getAttribute('href'))).toEqual([
      '#worked-example',
      '#worked-example-1',
    ]);
  });

  it('keeps a section permalink out of the tab order (the contents link to it) and a deeper one in it', () => {
    const doc = render('## Why\n\n### Detail\n');
    expect(doc.querySelector('h2 a.heading-anchor')?.getAttribute('tabindex')).toBe('-1');
    expect(doc.querySelector('h3 a.heading-anchor')?.hasAttribute('tabindex')).toBe(false);
  });

  it('puts an exercise answer, up to the next heading, behind a reveal', () => {
    const doc = render(
      [
        '## Try it',
        '',
        'Write a query that lists the cities.',
        '',
        '**Answer:** `SELECT city FROM customers;` returns three rows.',
        '',
        '```sql',
        'SELECT city FROM customers;',
        '```',
        '',
        '## Next',
        '',
        'Text after.',
        '',
        '**Solutions**: more.',
      ].join('\n'),
    );
    const reveals = [...doc.querySelectorAll('details.answer-reveal')];
    expect(reveals).toHaveLength(2);
    expect(reveals[0]?.querySelector('summary')?.textContent).toBe('Show the answer');
    expect(reveals[0]?.textContent).toContain('returns three rows');
    expect(reveals[0]?.querySelector('pre code')?.textContent).toContain('SELECT city');
    expect(reveals[0]?.textContent).not.toContain('Text after');
    // The task stays visible, and the next section is outside the reveal.
    expect(doc.querySelector('details')?.previousElementSibling?.textContent).toBe('Write a query that lists the cities.');
    expect(doc.querySelector('details h2')).toBeNull();
    expect(reveals[1]?.textContent).toContain('more.');
  });

  it('leaves a paragraph that only mentions an answer in the open', () => {
    const doc = render('The answer: **42** is the answer.\n\nAn **Answer:** later in a line.\n');
    expect(doc.querySelector('details')).toBeNull();
  });
});

describe('lessonSections', () => {
  it('lists the second-level sections with the anchors their rendered headings carry', () => {
    const source = '## Why\n\n### Detail\n\n## Why\n\n## Worked `example`\n';
    const ids = [...render(source).querySelectorAll('h2')].map((h) => h.id);
    expect(lessonSections(source)).toEqual([
      { text: 'Why', anchor: 'why' },
      { text: 'Why', anchor: 'why-1' },
      { text: 'Worked example', anchor: 'worked-example' },
    ]);
    expect(lessonSections(source).map((s) => s.anchor)).toEqual(ids);
  });
});
