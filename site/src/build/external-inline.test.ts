import { describe, expect, it } from 'vitest';
import { externalizeInline, type NameFile } from './external-inline';

/** Names a file after its body, so a test can see which body went where. */
const byBody: NameFile = (content, ext) => `/_astro/${content.replace(/\W+/g, '-')}.${ext}`;

describe('externalizeInline', () => {
  it.each([
    ['a classic script', '<p>a</p><script>run()</script>', '<p>a</p><script src="/_astro/run-.js"></script>'],
    [
      'a module script, keeping its type',
      '<script type="module">go()</script>',
      '<script type="module" src="/_astro/go-.js"></script>',
    ],
    ['a style', '<main><style>a{b:c}</style></main>', '<main><link rel="stylesheet" href="/_astro/a-b-c-.css"></main>'],
    [
      'a script that already has a src',
      '<script type="module" src="/x.js"></script>',
      '<script type="module" src="/x.js"></script>',
    ],
    [
      'a JSON data block',
      '<script type="application/ld+json">{"a":1}</script>',
      '<script type="application/ld+json">{"a":1}</script>',
    ],
    ['an empty script', '<script> </script>', '<script> </script>'],
  ])('handles %s', (_, html, expected) => {
    expect(externalizeInline(html, byBody).html).toBe(expected);
  });

  it('writes each body once, however many times a page repeats it', () => {
    const { html, files } = externalizeInline('<script>a()</script><script>b()</script><script>a()</script>', byBody);
    expect(html).toBe(
      '<script src="/_astro/a-.js"></script><script src="/_astro/b-.js"></script><script src="/_astro/a-.js"></script>',
    );
    expect(files).toEqual([
      { path: '/_astro/a-.js', content: 'a()' },
      { path: '/_astro/b-.js', content: 'b()' },
    ]);
  });

  it('keeps the body byte for byte, markup-like text included', () => {
    const body = 'if (a < b && c > d) document.title = "<b>";';
    expect(externalizeInline(`<script>${body}</script>`, () => '/f.js').files).toEqual([{ path: '/f.js', content: body }]);
  });
});
