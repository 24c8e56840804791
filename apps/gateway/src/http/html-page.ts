// The small server-rendered pages a brand admin's browser sees outside the admin app: the end of a connect
// flow, every refusal, and the confirmation pages of login and connect links. What happened, in words, and
// what to do next; never a token or code. Every page gets the admin page's security headers: no script at
// all, only its own inline style (by hash), no framing by another site, forms only to where they must go.

import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { logFailure, publicFailure } from './error-handler.ts';

export interface PageForm {
  /** A path on this gateway; the form POSTs there. */
  action: string;
  /** Hidden fields sent with the form (e.g. a link's token). */
  fields: Record<string, string>;
  button: string;
}

export interface HtmlPage {
  title: string;
  /** Paragraphs, in order. */
  message: string | readonly string[];
  /** Stable code, shown small, so support can tell cases apart. */
  code?: string;
  link?: { href: string; label: string };
  form?: PageForm;
}

/** Headers every HTML answer carries, the admin app's included. */
export const HTML_SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
} as const;

const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1c1c1c}' +
  'small{color:#666}button{font:inherit;padding:.5rem 1.25rem;cursor:pointer}';
const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

/**
 * The pages' policy: nothing loads, nothing runs, only the page's own style applies. A form may post to
 * this gateway and, when its answer redirects on (a connect link to the platform's consent page), to
 * `formTargets`: browsers check `form-action` on the redirect too.
 */
function contentSecurityPolicy(formTargets: readonly string[]): string {
  return [
    "default-src 'none'",
    `style-src ${STYLE_HASH}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    `form-action ${["'self'", ...formTargets].join(' ')}`,
  ].join('; ');
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export function renderHtmlPage(page: HtmlPage): string {
  const paragraphs = (typeof page.message === 'string' ? [page.message] : page.message)
    .map((text) => `<p>${escapeHtml(text)}</p>`)
    .join('\n  ');
  const form =
    page.form === undefined
      ? ''
      : `<form method="post" action="${escapeHtml(page.form.action)}">${Object.entries(page.form.fields)
          .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
          .join('')}<button type="submit">${escapeHtml(page.form.button)}</button></form>`;
  const link =
    page.link === undefined ? '' : `<p><a href="${escapeHtml(page.link.href)}">${escapeHtml(page.link.label)}</a></p>`;
  const code = page.code === undefined ? '' : `<p><small>code: ${escapeHtml(page.code)}</small></p>`;
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>adsync — ${escapeHtml(page.title)}</title>
<style>${STYLE}</style>
</head>
<body>
  <h1>${escapeHtml(page.title)}</h1>
  ${paragraphs}
  ${form}
  ${link}
  ${code}
</body>
</html>`;
}

/** Answers with the page, uncached, under the pages' security headers. */
export function sendHtmlPage(
  reply: FastifyReply,
  status: number,
  page: HtmlPage,
  options: { formTargets?: readonly string[] } = {},
) {
  return reply
    .status(status)
    .headers(HTML_SECURITY_HEADERS)
    .header('content-security-policy', contentSecurityPolicy(options.formTargets ?? []))
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(renderHtmlPage(page));
}

/**
 * A failure as a page (the browser routes' way of answering errors): the client's own mistakes in full, ours
 * as `internal_error` with the request id, as the JSON error handler does. Rate limits keep their headers.
 */
export function sendFailurePage(
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
  page: { title: string /** Added to our own failures' message: what to do next. */; afterOurFailure?: string },
) {
  const failure = publicFailure(error, request.id);
  if (failure.status < 500) request.log.info({ code: failure.code }, `${request.routeOptions.url ?? ''} refused`);
  else logFailure(request, error, failure);
  if (failure.retryAfterSeconds !== undefined) reply.header('retry-after', String(failure.retryAfterSeconds));
  return sendHtmlPage(reply, failure.status, {
    title: page.title,
    message:
      failure.status < 500 || page.afterOurFailure === undefined
        ? failure.message
        : `${failure.message} ${page.afterOurFailure}`,
    code: failure.code,
  });
}
