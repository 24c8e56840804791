// The brand admin page: one HTML shell for every path under /admin (the page routes in the browser), and
// its script and stylesheet, bundled from @adsync/admin-ui on first use and then served from memory.
// Strict security headers: only our own script and styles run, and no other site may frame the page.

import { type AdminAssets, bundleAdminUi } from '@adsync/admin-ui';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { HTML_SECURITY_HEADERS } from '../http/html-page.ts';
import { BULL_BOARD_PATH } from '../routes/bull-board.route.ts';

const ASSETS_PATH = '/admin/assets';

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  ...HTML_SECURITY_HEADERS,
};

function shell(assets: AdminAssets): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>adsync</title>
<link rel="stylesheet" href="${ASSETS_PATH}/app.css?v=${assets.stylesheet.version}">
<script type="module" src="${ASSETS_PATH}/app.js?v=${assets.script.version}"></script>
</head>
<body>
<div id="app" data-queues-path="${BULL_BOARD_PATH}"><noscript>The adsync admin page needs JavaScript.</noscript></div>
</body>
</html>
`;
}

export function adminPageRoutes() {
  let bundling: Promise<AdminAssets> | undefined;
  const assets = () => {
    bundling ??= bundleAdminUi().catch((error: unknown) => {
      bundling = undefined;
      throw error;
    });
    return bundling;
  };
  const sendShell = async (reply: FastifyReply) =>
    reply
      .headers(SECURITY_HEADERS)
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(shell(await assets()));

  return async (app: FastifyInstance) => {
    app.get('/admin', { schema: { hide: true } }, async (_request, reply) => sendShell(reply));
    app.get('/admin/*', { schema: { hide: true } }, async (request, reply) => {
      const path = request.url.split('?')[0] ?? '';
      if (path.startsWith(`${ASSETS_PATH}/`)) {
        const built = await assets();
        const asset =
          path === `${ASSETS_PATH}/app.js` ? built.script : path === `${ASSETS_PATH}/app.css` ? built.stylesheet : null;
        if (asset === null) return reply.callNotFound();
        const versioned = (request.query as { v?: string }).v === asset.version;
        return reply
          .headers(SECURITY_HEADERS)
          .header('cache-control', versioned ? 'public, max-age=31536000, immutable' : 'no-cache')
          .type(asset.contentType)
          .send(asset.body);
      }
      return sendShell(reply);
    });
  };
}
