// The small page a brand admin sees at the end of a connect flow when no return URL was given, and on
// every refusal: what happened, in words, and what to do next. Never a token or code.

export interface ResultPage {
  title: string;
  message: string;
  /** Stable code, shown small, so support can tell cases apart. */
  code?: string;
  link?: { href: string; label: string };
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export function renderResultPage(page: ResultPage): string {
  const link =
    page.link === undefined ? '' : `<p><a href="${escapeHtml(page.link.href)}">${escapeHtml(page.link.label)}</a></p>`;
  const code = page.code === undefined ? '' : `<p><small>code: ${escapeHtml(page.code)}</small></p>`;
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>adsync — ${escapeHtml(page.title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1c1c1c}small{color:#666}</style>
</head>
<body>
  <h1>${escapeHtml(page.title)}</h1>
  <p>${escapeHtml(page.message)}</p>
  ${link}
  ${code}
</body>
</html>`;
}
