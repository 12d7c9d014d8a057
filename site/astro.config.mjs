import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@astrojs/react';
import { defineConfig } from 'astro/config';
import { externalizeInline } from './src/build/external-inline';

const apiTarget = `http://127.0.0.1:${process.env.PORT ?? '8787'}`;

/** Copies Swagger UI into the build so /api/docs works offline and without a third-party CDN. */
function vendorSwaggerUi() {
  return {
    name: 'vendor-swagger-ui',
    hooks: {
      'astro:build:done': ({ dir }) => {
        const from = fileURLToPath(new URL('../node_modules/swagger-ui-dist/', import.meta.url));
        const to = fileURLToPath(new URL('vendor/swagger-ui/', dir));
        mkdirSync(to, { recursive: true });
        for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css']) cpSync(from + file, to + file);
      },
    },
  };
}

/**
 * The site's CSP (public/_headers) allows no inline script or style: this moves what
 * Astro still inlines (the island runtime, `client:*` directives, island styles) into
 * content-named files under /_astro/ after every page is written.
 */
function externalInlineCode() {
  return {
    name: 'external-inline-code',
    hooks: {
      'astro:build:done': ({ dir, logger }) => {
        const root = fileURLToPath(dir);
        const nameFile = (content, ext) =>
          `/_astro/inline.${createHash('sha256').update(content).digest('hex').slice(0, 12)}.${ext}`;
        const written = new Set();
        for (const page of readdirSync(root, { recursive: true })) {
          if (!page.endsWith('.html')) continue;
          const { html, files } = externalizeInline(readFileSync(join(root, page), 'utf8'), nameFile);
          writeFileSync(join(root, page), html);
          for (const file of files) {
            if (!written.has(file.path)) writeFileSync(join(root, file.path), file.content);
            written.add(file.path);
          }
        }
        logger.info(`moved inline code of every page into ${written.size} file(s)`);
      },
    },
  };
}

export default defineConfig({
  output: 'static',
  outDir: './dist',
  // Nothing inlined by choice: small scripts and stylesheets become files too.
  build: { format: 'directory', inlineStylesheets: 'never' },
  integrations: [react(), vendorSwaggerUi(), externalInlineCode()],
  vite: {
    build: { assetsInlineLimit: 0 },
    // `npm run dev:site`: Astro's dev server for the edit loop, /api proxied to `npm start`.
    server: { proxy: { '/api': apiTarget } },
  },
});
