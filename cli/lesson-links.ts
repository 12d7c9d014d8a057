import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { createHash } from 'node:crypto';
import type { Manifest } from '../workers/features/content/content.schemas';

export interface LinkedFile {
  path: string;
  hash: string;
  bytes: Uint8Array<ArrayBuffer>;
  contentType: Manifest['blobs'][number]['contentType'];
}

const CONTENT_TYPES: Record<string, LinkedFile['contentType']> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.svg': 'image/svg+xml',
  '.pdf': 'application/pdf',
  '.txt': 'text/plain',
  '.csv': 'text/csv',
  '.json': 'application/json',
  '.md': 'text/markdown',
  '.mp3': 'audio/mpeg',
  '.mp4': 'video/mp4',
  '.sql': 'text/plain',
  '.py': 'text/plain',
  '.r': 'text/plain',
  '.sh': 'text/plain',
};

/** True when `path` lies strictly inside the folder `root`. */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !isAbsolute(rel) && rel.split(sep)[0] !== '..';
}

const LINK = /(!?)\[((?:[^\]\\]|\\.)*)\]\(\s*(<[^>]*>|[^)\s]+)(\s+(?:"[^"]*"|'[^']*'))?\s*\)/g;

/**
 * Rewrites relative links of a lesson: to another lesson file -> `/lessons/<slug>`;
 * to a local file -> its content-addressed URL (and the file is collected for
 * upload). Links outside the course folder or to missing files stay as written,
 * with a warning. Code blocks and inline code are left alone.
 */
export function rewriteLinks(
  body: string,
  ctx: {
    fromFile: string;
    root: string;
    slugByFile: Map<string, string>;
    onFile: (file: LinkedFile) => void;
    onWarning: (line: number, message: string) => void;
  },
): string {
  let fence: string | null = null;
  return body
    .split('\n')
    .map((line, i) => {
      const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
      if (marker) {
        if (fence === null) fence = marker;
        else if (marker.startsWith(fence)) fence = null;
        return line;
      }
      if (fence !== null) return line;
      return line
        .split(/(`[^`]*`)/)
        .map((piece) =>
          piece.startsWith('`')
            ? piece
            : piece.replace(LINK, (whole, bang: string, text: string, target: string, title = '') => {
                const url = target.startsWith('<') ? target.slice(1, -1) : target;
                const next = resolveTarget(url, ctx, (message) => ctx.onWarning(i + 1, message));
                return next === null ? whole : `${bang}[${text}](${next}${title})`;
              }),
        )
        .join('');
    })
    .join('\n');
}

function resolveTarget(
  url: string,
  ctx: { fromFile: string; root: string; slugByFile: Map<string, string>; onFile: (file: LinkedFile) => void },
  warn: (message: string) => void,
): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith('#') || url.startsWith('/')) return null;
  const [pathPart = '', hash = ''] = url.split('#', 2);
  let cleanPath: string;
  try {
    cleanPath = decodeURIComponent(pathPart.split('?')[0] ?? '');
  } catch {
    warn(`link "${url}" is not a valid URL; left as written`);
    return null;
  }
  if (!cleanPath) return null;
  const absolute = resolve(dirname(ctx.fromFile), cleanPath);
  if (!isInside(ctx.root, absolute)) {
    warn(`link "${url}" points outside the course folder; left as written`);
    return null;
  }
  const lessonSlug = ctx.slugByFile.get(absolute) ?? ctx.slugByFile.get(absolute.replace(/\/?$/, '/index.md'));
  if (lessonSlug) return `/lessons/${lessonSlug}${hash ? `#${hash}` : ''}`;
  if (!existsSync(absolute) || !statSync(absolute).isFile()) {
    warn(`link "${url}" names a file that does not exist`);
    return null;
  }
  // A symlink inside the folder may point anywhere: only files really inside are uploaded.
  if (!isInside(realpathSync(ctx.root), realpathSync(absolute))) {
    warn(`link "${url}" is a symlink out of the course folder; left as written`);
    return null;
  }
  const contentType = CONTENT_TYPES[extname(absolute).toLowerCase()];
  if (!contentType) {
    warn(`link "${url}": ${extname(absolute) || 'this'} files are not uploaded; left as written`);
    return null;
  }
  const bytes = new Uint8Array(readFileSync(absolute));
  const fileHash = createHash('sha256').update(bytes).digest('hex');
  ctx.onFile({ path: absolute, hash: fileHash, bytes, contentType });
  return `/api/content/assets/${fileHash}${hash ? `#${hash}` : ''}`;
}
