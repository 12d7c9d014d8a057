import DOMPurify from 'dompurify';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import python from 'highlight.js/lib/languages/python';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import yaml from 'highlight.js/lib/languages/yaml';
import { createMarkdown, markdownStats } from '../../../workers/features/content/content.markdown';

for (const [name, language] of Object.entries({ bash, javascript, json, python, sql, typescript, yaml })) {
  hljs.registerLanguage(name, language);
}
hljs.registerAliases(['sh', 'shell'], { languageName: 'bash' });
hljs.registerAliases(['js'], { languageName: 'javascript' });
hljs.registerAliases(['ts'], { languageName: 'typescript' });
hljs.registerAliases(['sqlite', 'postgresql', 'psql'], { languageName: 'sql' });

const md = createMarkdown({
  highlight: (code, lang) =>
    lang && hljs.getLanguage(lang) ? hljs.highlight(code, { language: lang, ignoreIllegals: true }).value : '',
});

// Each heading gets a visible permalink to its anchor. A \`##\` section's link is also in "On this page" (same
// href), so its "#" is left out of the tab order: one keyboard stop per section. Deeper headings keep theirs.
md.renderer.rules.heading_close = (tokens, idx) => {
  const close = tokens[idx];
  const open = tokens
    .slice(0, idx)
    .reverse()
    .find((t) => t.type === 'heading_open');
  const id = open?.attrGet('id');
  const inContents = close?.tag === 'h2' ? ' tabindex="-1"' : '';
  const link = id
    ? `<a class="heading-anchor" href="#${md.utils.escapeHtml(String(id))}"${inContents} aria-label="Link to this section">#</a>`
    : '';
  return `${link}</${close?.tag ?? 'h2'}>\n`;
};

/** A paragraph that opens with a bold "Answer:" (or Answers, Solution, Solutions) gives away an exercise. */
const ANSWER = /^\*\*(answers?|solutions?)\s*:?\*\*\s*:?/i;

// Everything from such a paragraph to the next heading goes behind a reveal, so reading on does not spoil the exercise.
md.core.ruler.push('answer_reveal', (state) => {
  const tokens = state.tokens;
  for (let i = 0; i < tokens.length; i++) {
    const inline = tokens[i + 1];
    if (tokens[i]?.type !== 'paragraph_open' || tokens[i]?.level !== 0 || !inline || !ANSWER.test(inline.content)) continue;
    let end = tokens.findIndex((t, j) => j > i && t.type === 'heading_open');
    if (end === -1) end = tokens.length;
    const open = new state.Token('html_block', '', 0);
    open.content = '<details class="answer-reveal"><summary>Show the answer</summary>\n';
    const close = new state.Token('html_block', '', 0);
    close.content = '</details>\n';
    tokens.splice(end, 0, close);
    tokens.splice(i, 0, open);
    i = end + 1;
  }
});

const HEADING = /^H[1-6]$/;
const ANCHOR_ID = /^[\p{L}\p{N}_-]+$/u;

/**
 * Renders lesson markdown to HTML that is safe to insert: markdown-it has raw HTML
 * off and refuses javascript: links, and DOMPurify removes anything that slipped by.
 * DOMPurify also drops ids that share a name with a document property ("title",
 * "images"); heading ids come from our own slug function, so those are kept.
 */
export function renderLessonHtml(markdown: string): string {
  const purifier = DOMPurify();
  purifier.addHook('uponSanitizeAttribute', (node, data) => {
    if (data.attrName === 'id' && HEADING.test(node.nodeName) && ANCHOR_ID.test(data.attrValue)) data.forceKeepAttr = true;
  });
  return purifier.sanitize(md.render(markdown), { USE_PROFILES: { html: true } });
}

/** The lesson's `##` sections, with the same anchors the rendered headings get. */
export function lessonSections(markdown: string): { text: string; anchor: string }[] {
  return markdownStats(markdown)
    .outline.filter((heading) => heading.depth === 2)
    .map(({ text, anchor }) => ({ text, anchor }));
}
