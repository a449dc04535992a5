/** The demo page's HTML (GET /): the question form's styles inline, its script from /demo.js. */
import { QUESTION_FORM_CSS } from '../ui/styles';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function demoPageHtml(modelVersion: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tagsmith: tag suggestions</title>
<style>
body { max-width: 46rem; margin: 2rem auto; padding: 0 1rem; font: 14px/1.4 system-ui, sans-serif; color: #1f2328; }
h1 { font-size: 1.4rem; margin-bottom: .25rem; }
header p { color: #656d76; margin-top: 0; }
${QUESTION_FORM_CSS}
</style>
</head>
<body>
<header>
<h1>tagsmith</h1>
<p>Stack Overflow tag suggestions from the model <code>${escapeHtml(modelVersion)}</code>. API: <a href="/docs">/docs</a> · <a href="/openapi.json">/openapi.json</a> · <a href="/health">/health</a></p>
</header>
<main id="app"></main>
<noscript>This page needs JavaScript; the API itself does not: POST /predict/.</noscript>
<script src="/demo.js" defer></script>
</body>
</html>
`;
}

/** Only our own script and styles: the page loads nothing from elsewhere and is framed by no one. */
export const DEMO_CSP =
  "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
