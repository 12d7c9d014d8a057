/** Where a piece of code moved out of a page now lives, and what it holds. */
export interface ExternalFile {
  /** Site path, e.g. `/_astro/inline.0123abcd.js`. */
  path: string;
  content: string;
}

/** Names the file for a script (`js`) or style (`css`) body; the same body must get the same path. */
export type NameFile = (content: string, ext: 'js' | 'css') => string;

const SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script>/gi;
const STYLE = /<style\b([^>]*)>([\s\S]*?)<\/style>/gi;
/** Script types that are data, not code: the browser never runs them, so CSP leaves them alone. */
const DATA_TYPE = /\btype\s*=\s*["']?application\/(?:ld\+)?json\b/i;

/**
 * Moves every inline `<script>` and `<style>` of a built page into a file of its own,
 * so the site runs under a CSP without `'unsafe-inline'` (no hashes to keep in step
 * with each Astro release). Astro always inlines its island runtime and the
 * `client:*` directive code. A classic `<script src>` without `async`/`defer` blocks the
 * parser just as the inline one did, so the order of execution is unchanged.
 */
export function externalizeInline(html: string, nameFile: NameFile): { html: string; files: ExternalFile[] } {
  const files = new Map<string, string>();
  const move = (content: string, ext: 'js' | 'css') => {
    const path = nameFile(content, ext);
    files.set(path, content);
    return path;
  };
  const out = html
    .replace(SCRIPT, (tag, attrs: string, body: string) => {
      if (/\bsrc\s*=/i.test(attrs) || DATA_TYPE.test(attrs) || body.trim() === '') return tag;
      return `<script${attrs} src="${move(body, 'js')}"></script>`;
    })
    .replace(STYLE, (tag, attrs: string, body: string) => {
      if (body.trim() === '') return tag;
      return `<link rel="stylesheet"${attrs} href="${move(body, 'css')}">`;
    });
  return { html: out, files: [...files].map(([path, content]) => ({ path, content })) };
}
