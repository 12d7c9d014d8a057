/**
 * The interactive API reference: Swagger UI, served from this origin's static
 * assets (copied from swagger-ui-dist at site build), so it works offline too.
 */
export function apiDocsPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>LearnEdge API reference</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/vendor/swagger-ui/swagger-ui.css">
</head>
<body>
<main id="swagger-ui"></main>
<script src="/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body>
</html>`;
}

export function apiDocsInit(specUrl: string): string {
  return `window.ui = SwaggerUIBundle({ url: ${JSON.stringify(specUrl)}, dom_id: '#swagger-ui', deepLinking: true, tryItOutEnabled: true });`;
}

/**
 * Scripts only from this origin (the start-up code is /api/docs/init.js, not inline).
 * Swagger UI sets inline styles and data: images as it renders, so this page allows those.
 */
export const API_DOCS_CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
