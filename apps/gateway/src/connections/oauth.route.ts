// The browser side of connecting: `GET /oauth/:provider/start` (tenant credentials required) redirects to
// the platform; `GET /oauth/:provider/callback` is where the platform sends the browser back.

import { AppError } from '@adsync/errors';
import { PROVIDER_IDS, type ProviderId } from '@adsync/providers';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { GatewayDeps } from '../gateway-deps.ts';
import { logFailure, publicFailure } from '../http/error-handler.ts';
import { type HtmlPage, sendHtmlPage } from '../http/html-page.ts';
import { findTenantPrincipal, requireTenant, tenantOf } from '../tenants/tenant-auth.ts';
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

export function oauthRoutes(deps: GatewayDeps) {
  return async (app: FastifyInstance) => {
    app.get('/oauth/:provider/start', { onRequest: requireTenant(deps) }, async (request, reply) => {
      const provider = providerParam((request.params as { provider: string }).provider);
      const returnUrl = checkReturnUrl(
        (request.query as { return_to?: unknown }).return_to,
        deps.config.PUBLIC_BASE_URL,
      );
      const url = await startAuthorization(deps, { tenantId: tenantOf(request).tenantId, provider, returnUrl });
      return reply.header('cache-control', 'no-store').redirect(url, 302);
    });

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
        const failure = publicFailure(error, request.id);
        if (failure.status < 500) request.log.info({ code: failure.code, provider }, 'connect callback refused');
        else logFailure(request, error, failure);
        return page(reply, failure.status, {
          title: 'Nothing was connected',
          message: failure.status < 500 ? failure.message : `${failure.message} Start connecting again.`,
          code: failure.code,
        });
      }
    });
  };
}
