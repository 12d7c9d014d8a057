import { describe, expect, it } from 'vitest';
import { createAnchorer, createMarkdown, headingSlug, markdownStats } from './content.markdown';

describe('heading anchors', () => {
  it.each([
    ['Worked example', 'worked-example'],
    ['GROUP BY and HAVING', 'group-by-and-having'],
    ['What is `NULL`?', 'what-is-null'],
    ['  Résumé: 2 steps!  ', 'résumé-2-steps'],
  ])('slugs %j as %j', (text, slug) => {
    expect(headingSlug(text)).toBe(slug);
  });

  it('numbers repeated headings like GitHub', () => {
    const anchor = createAnchorer();
    expect(['Try it', 'Try it', 'Try it', 'Try it-1'].map(anchor)).toEqual(['try-it', 'try-it-1', 'try-it-2', 'try-it-1-1']);
  });

  it('puts the same ids in rendered HTML as in the outline', () => {
    const source = '## Try it\n\ntext\n\n## Try `it`\n';
    const html = createMarkdown().render(source);
    const ids = [...html.matchAll(/id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids).toEqual(markdownStats(source).outline.map((h) => h.anchor));
    expect(ids).toEqual(['try-it', 'try-it-1']);
  });
});

describe('rendering is safe', () => {
  const md = createMarkdown();
  it('escapes raw HTML instead of passing it through', () => {
    const html = md.render('<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;');
  });

  it('does not link javascript: URLs', () => {
    expect(md.render('[click](javascript:alert(1))')).not.toContain('href="javascript:');
  });
});

describe('markdownStats', () => {
  it('counts prose words, not code, and gives a reading time', () => {
    const stats = markdownStats('## Intro\n\nOne two three four.\n\n```sql\nSELECT a, b FROM t;\n```\n');
    expect(stats.wordCount).toBe(5);
    expect(stats.readingMinutes).toBe(1);
    expect(stats.outline).toEqual([{ depth: 2, text: 'Intro', anchor: 'intro' }]);
  });

  it('scales reading time with length', () => {
    expect(markdownStats(`${'word '.repeat(2200)}\n`).readingMinutes).toBe(10);
  });
});
