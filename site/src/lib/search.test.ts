import { afterEach, describe, expect, it } from 'vitest';
import {
  focusSearchOnSlash,
  highlightSegments,
  isTypingTarget,
  moreMatchesNote,
  PAGE_SEARCH_ID,
  plainSnippet,
  readSearchParams,
  refusedQueryMessage,
  resultsHeading,
  searchFilters,
  searchHref,
  SITE_SEARCH_ID,
  type SearchParams,
} from './search';

function params(overrides: Partial<SearchParams> = {}): SearchParams {
  return { q: 'like', course: null, part: null, layer: null, ...overrides };
}

describe('highlightSegments', () => {
  const text = 'Pattern matching with LIKE';

  it.each([
    ['no ranges', [], [['Pattern matching with LIKE', false]]],
    [
      'one range in the middle',
      [[8, 16]],
      [
        ['Pattern ', false],
        ['matching', true],
        [' with LIKE', false],
      ],
    ],
    [
      'ranges at both ends',
      [
        [0, 7],
        [22, 26],
      ],
      [
        ['Pattern', true],
        [' matching with ', false],
        ['LIKE', true],
      ],
    ],
    [
      'unsorted and overlapping ranges, merged',
      [
        [12, 16],
        [8, 13],
        [16, 21],
      ],
      [
        ['Pattern ', false],
        ['matching with', true],
        [' LIKE', false],
      ],
    ],
    [
      'ranges past either end, clamped',
      [
        [-4, 3],
        [22, 99],
      ],
      [
        ['Pat', true],
        ['tern matching with ', false],
        ['LIKE', true],
      ],
    ],
    [
      'empty and reversed ranges, ignored',
      [
        [5, 5],
        [9, 2],
        [40, 50],
      ],
      [['Pattern matching with LIKE', false]],
    ],
  ] as const)('cuts %s', (_name, ranges, expected) => {
    const parts = highlightSegments(text, ranges);
    expect(parts.map((p) => [p.text, p.highlighted])).toEqual(expected);
    expect(parts.map((p) => p.text).join('')).toBe(text);
  });

  it('counts positions in UTF-16 units, as the API does', () => {
    const snippet = '…use 😀 LIKE';
    const start = snippet.indexOf('LIKE');
    expect(highlightSegments(snippet, [[start, start + 4]]).filter((p) => p.highlighted)).toEqual([
      { text: 'LIKE', highlighted: true },
    ]);
  });

  it('returns nothing for an empty snippet', () => {
    expect(highlightSegments('', [[0, 3]])).toEqual([]);
  });
});

describe('plainSnippet', () => {
  /** The snippet with its highlights shown as [brackets], to read the cases at a glance. */
  function shown({ text, highlights }: { text: string; highlights: readonly (readonly [number, number])[] }): string {
    return highlightSegments(text, highlights)
      .map((p) => (p.highlighted ? `[${p.text}]` : p.text))
      .join('');
  }
  const marked = (source: string) => {
    const highlights: [number, number][] = [];
    let text = '';
    for (const piece of source.split(/(\[[^\]]*\])/)) {
      if (piece.startsWith('[')) {
        highlights.push([text.length, text.length + piece.length - 2]);
        text += piece.slice(1, -1);
      } else text += piece;
    }
    return { text, highlights };
  };

  it.each([
    ['Pattern [matching]\n\n## Pattern [matching] with LIKE', 'Pattern [matching] Pattern [matching] with LIKE'],
    ['`[LIKE]` compares text with **[wildcards]**', '[LIKE] compares text with [wildcards]'],
    ['SELECT COUNT(*)\n  FROM orders  ', 'SELECT COUNT(*) FROM orders'],
    ['…a [query]\n### Heading', '…a [query] Heading'],
    ['no markup at [all]', 'no markup at [all]'],
    ['rows:\n```sql\nSELECT [name] FROM t\n```', 'rows: SELECT [name] FROM t'],
  ])('turns %j into %j', (source, expected) => {
    expect(shown(plainSnippet(marked(source).text, marked(source).highlights))).toBe(expected);
  });

  it('keeps a highlight over removed markup inside the text', () => {
    expect(shown(plainSnippet('a `b` c', [[2, 5]]))).toBe('a [b] c');
  });
});

describe('readSearchParams and searchHref', () => {
  it.each([
    ['?q=pattern+matching', params({ q: 'pattern matching' })],
    ['?q=%20%20like%20', params({ q: 'like' })],
    ['?q=like&part=foundations&layer=L2', params({ part: 'foundations', layer: 'L2' })],
    ['?q=like&part=Not%20A%20Slug&layer=L9', params()],
    ['?q=like&course=sql&part=foundations', params({ course: 'sql', part: 'foundations' })],
    ['?q=like&course=..%2Fadmin', params()],
    ['?part=foundations', params({ q: '', part: 'foundations' })],
    ['', params({ q: '' })],
  ])('reads %j', (search, expected) => {
    expect(readSearchParams(search)).toEqual(expected);
  });

  it.each([
    [params(), '/search/?q=like'],
    [params({ q: 'a & b “c”' }), '/search/?q=a+%26+b+%E2%80%9Cc%E2%80%9D'],
    [params({ part: 'applied-querying', layer: 'L3' }), '/search/?q=like&part=applied-querying&layer=L3'],
    [params({ q: '  ' }), '/search/'],
    [params({ course: 'sql', layer: 'L1' }), '/search/?q=like&course=sql&layer=L1'],
  ])('writes %j as %s', (search, href) => {
    expect(searchHref(search)).toBe(href);
  });

  it('survives the round trip through the address', () => {
    const search = params({ q: 'pattern matching LIKE %', course: 'sql', part: 'foundations', layer: 'L1' });
    expect(readSearchParams(new URL(searchHref(search), 'https://x.test').search)).toEqual(search);
  });
});

describe('searchFilters', () => {
  it('sends only the filters that are set', () => {
    expect(searchFilters(params())).toEqual({});
    expect(searchFilters(params({ course: 'sql' }))).toEqual({ course: 'sql' });
    expect(searchFilters(params({ part: 'foundations' }))).toEqual({ part: 'foundations' });
    expect(searchFilters(params({ part: 'foundations', layer: 'L2' }))).toEqual({ part: 'foundations', layer: 'L2' });
  });
});

describe('refusedQueryMessage', () => {
  it('words the field error about the query for the reader', () => {
    expect(refusedQueryMessage([{ field: 'json/query', message: 'must be at most 300 characters' }])).toBe(
      'The search words must be at most 300 characters. Change them and search again.',
    );
  });

  it.each([[undefined], [[]], [[{ field: 'json/filters/part', message: 'must be kebab-case' }]]])(
    'leaves other failures to the generic notice (%j)',
    (errors) => {
      expect(refusedQueryMessage(errors)).toBeNull();
    },
  );
});

describe('resultsHeading', () => {
  it.each([
    [0, 'No results for “like”'],
    [1, '1 result for “like”'],
    [7, '7 results for “like”'],
  ])('names %i results', (count, heading) => {
    expect(resultsHeading(count, 'like')).toBe(heading);
  });
});

describe('moreMatchesNote', () => {
  it.each([
    [0, 'lesson', null],
    [1, 'lesson', '1 more matching section in this lesson'],
    [3, 'lesson', '3 more matching sections in this lesson'],
    [1, 'source', '1 more matching passage in this document'],
    [2, 'source', '2 more matching passages in this document'],
  ] as const)('says %i more for a %s as %j', (count, kind, note) => {
    expect(moreMatchesNote(count, kind)).toBe(note);
  });
});

describe('the "/" shortcut', () => {
  afterEach(() => {
    document.body.innerHTML = '';
  });

  function page(html: string) {
    document.body.innerHTML = html;
  }

  /** Presses a key on `target` with the shortcut listening on the document, as the layout does. */
  function press(target: Element, init: KeyboardEventInit = {}) {
    let taken: boolean | undefined;
    const listener = (event: KeyboardEvent) => (taken = focusSearchOnSlash(event));
    document.addEventListener('keydown', listener);
    const event = new KeyboardEvent('keydown', { key: '/', bubbles: true, cancelable: true, ...init });
    target.dispatchEvent(event);
    document.removeEventListener('keydown', listener);
    return { taken, event };
  }

  const HEADER = `<header><input type="search" id="${SITE_SEARCH_ID}" value="old words"></header>`;

  it('focuses the header box and selects its text', () => {
    page(`${HEADER}<main><p id="text">Lesson</p></main>`);
    const { taken, event } = press(document.getElementById('text')!);
    const field = document.getElementById(SITE_SEARCH_ID) as HTMLInputElement;
    expect(taken).toBe(true);
    expect(event.defaultPrevented).toBe(true);
    expect(document.activeElement).toBe(field);
    expect([field.selectionStart, field.selectionEnd]).toEqual([0, 'old words'.length]);
  });

  it("prefers the search page's own box", () => {
    page(`${HEADER}<main><input type="search" id="${PAGE_SEARCH_ID}"></main>`);
    press(document.body);
    expect(document.activeElement?.id).toBe(PAGE_SEARCH_ID);
  });

  it.each([
    ['a text field', '<input id="t" type="text">'],
    ['a text area', '<textarea id="t"></textarea>'],
    ['a select', '<select id="t"><option>a</option></select>'],
    ['editable text', '<div contenteditable="true"><span id="t">x</span></div>'],
  ])('leaves the key to %s', (_name, html) => {
    page(`${HEADER}${html}`);
    const { taken, event } = press(document.getElementById('t')!);
    expect(taken).toBe(false);
    expect(event.defaultPrevented).toBe(false);
    expect(document.activeElement?.id).not.toBe(SITE_SEARCH_ID);
  });

  it.each([{ ctrlKey: true }, { metaKey: true }, { altKey: true }, { key: '?' }])('ignores %j', (init) => {
    page(HEADER);
    expect(press(document.body, init).taken).toBe(false);
  });

  it('does nothing on a page without a search box', () => {
    page('<main><p>No search here</p></main>');
    expect(press(document.body).taken).toBe(false);
  });
});

describe('isTypingTarget', () => {
  it('treats links, buttons and nothing at all as not typing', () => {
    document.body.innerHTML = '<a id="a" href="#">x</a><button id="b">y</button><div contenteditable="false" id="c">z</div>';
    expect(['a', 'b', 'c'].map((id) => isTypingTarget(document.getElementById(id)))).toEqual([false, false, false]);
    expect(isTypingTarget(null)).toBe(false);
  });
});
