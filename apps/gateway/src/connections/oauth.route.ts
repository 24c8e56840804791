// The browser side of connecting: `GET /oauth/:provider/start` (a signed-in admin's browser) redirects to
// the platform with the flow bound to that browser; `GET /oauth/:provider/callback` is where the platform
// sends the browser back. API-key clients start a flow with a connect link (connect-link.route.ts).

import { AppError } from '@adsync/errors';
import { PROVIDER_IDS, type ProviderId } from '@adsync/providers';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayDeps } from '../gateway-deps.ts';
import { type HtmlPage, sendFailurePage, sendHtmlPage } from '../http/html-page.ts';
import { findTenantPrincipal, requireTenant, tenantOf } from '../tenants/tenant-auth.ts';
import { CONNECT_LINKS_API } from './connect-links.ts';
import { completeAuthorization, startAuthorization } from './oauth-flow.ts';
import { checkReturnUrl } from './return-url.ts';

export function providerParam(value: unknown): ProviderId {
  if (typeof value === 'string' && (PROVIDER_IDS as readonly string[]).includes(value)) return value as ProviderId;
  throw new AppError(
    'unknown_provider',
    `Unknown platform "${String(value)}"; use one of ${PROVIDER_IDS.join(', ')}.`,
    {
      status: 404,
    },
  );
}

function page(reply: FastifyReply, status: number, content: HtmlPage) {
  return sendHtmlPage(reply, status, content);
}

/**
 * Starting is for a signed-in admin on our own pages (or a URL they typed): a cross-site navigation — a link
 * on another site, a login CSRF's next step — is refused before anything is read or written.
 */
async function refuseCrossSiteStart(request: FastifyRequest): Promise<void> {
  const site = request.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') {
    throw new AppError(
      'cross_site_start',
      'Connecting starts from the adsync admin page, not from a link on another site. Nothing was started.',
      { status: 403 },
    );
  }
}

export function oauthRoutes(deps: GatewayDeps) {
  return async (app: FastifyInstance) => {
    // These routes answer browsers: every refusal is a page.
    app.setErrorHandler((error, request, reply) =>
      sendFailurePage(request, reply, error, { title: 'Nothing was connected' }),
    );

    app.get(
      '/oauth/:provider/start',
      { onRequest: [refuseCrossSiteStart, requireTenant(deps)] },
      async (request, reply) => {
        const provider = providerParam((request.params as { provider: string }).provider);
        const principal = tenantOf(request);
        if (principal.via !== 'session') {
          throw new AppError(
            'connect_link_required',
            `An API key cannot start a connect flow: the platform's consent page must be opened by the browser ` +
              `that finishes it. Create a connect link (POST ${CONNECT_LINKS_API} {"provider": "${provider}"}) ` +
              'and send its url to the brand admin.',
            { status: 403 },
          );
        }
        const returnUrl = checkReturnUrl(
          (request.query as { return_to?: unknown }).return_to,
          deps.config.PUBLIC_BASE_URL,
        );
        const url = await startAuthorization(deps, reply, { tenantId: principal.tenantId, provider, returnUrl });
        return reply.header('cache-control', 'no-store').redirect(url, 302);
      },
    );

    // The callback answers with a page, whatever the query; it reads a NUL character safely itself.
    app.get('/oauth/:provider/callback', { config: { nulGuard: false } }, async (request, reply) => {
      let provider: ProviderId;
      try {
        provider = providerParam((request.params as { provider: string }).provider);
      } catch (error) {
        return page(reply, 404, { title: 'Unknown platform', message: (error as Error).message });
      }
      const query = request.query as Record<string, string | undefined>;
      const caller = await findTenantPrincipal(deps, request, reply);
      try {
        const result = await completeAuthorization(deps, {
          provider,
          query,
          ...(caller === undefined ? {} : { callerTenantId: caller.tenantId }),
          browser: { request, reply },
        });
        const status = result.connection.status;
        if (result.returnUrl !== null) {
          const target = new URL(result.returnUrl);
          target.searchParams.set('provider', provider);
          target.searchParams.set('connection_id', result.connection.id);
          target.searchParams.set('status', status);
          if (result.missingScopes.length > 0)
            target.searchParams.set('missing_scopes', result.missingScopes.join(','));
          return reply.header('cache-control', 'no-store').redirect(target.toString(), 303);
        }
        const warning =
          result.missingScopes.length === 0
            ? ''
            : ` Some permissions were declined (${result.missingScopes.join(', ')}); reconnect and allow them, or some features will not work.`;
        return page(reply, 200, {
          title: status === 'active' ? `${provider} is connected` : `${provider} is connected: choose ad accounts`,
          message:
            status === 'active'
              ? `adsync now syncs this ${provider} connection.${warning}`
              : `${result.accountCount} ad accounts were shared. Choose which ones adsync should sync (connection ${result.connection.id}).${warning}`,
        });
      } catch (error) {
        return sendFailurePage(request, reply, error, {
          title: 'Nothing was connected',
          afterOurFailure: 'Start connecting again.',
        });
      }
    });
  };
}
