import { cpSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import react from '@astrojs/react';
import { defineConfig } from 'astro/config';

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

export default defineConfig({
  output: 'static',
  outDir: './dist',
  build: { format: 'directory' },
  integrations: [react(), vendorSwaggerUi()],
  // `npm run dev:site`: Astro's dev server for the edit loop, /api proxied to `npm start`.
  vite: { server: { proxy: { '/api': apiTarget } } },
});
