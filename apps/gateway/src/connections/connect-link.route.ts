// Connect links (connect-links.ts): `POST /v1/connect-links` mints one; `GET /oauth/connect?token=…` is where
// a brand admin's browser opens it: a page naming the tenant the platform will be connected to, whose button
// (`POST /oauth/connect`) uses the link up, binds the flow to this browser and goes on to the platform. An
// admin already signed in to the link's tenant skips the page.

import { hashToken } from '@adsync/crypto';
import { consumeConnectLink, findTenant, findUsableConnectLink } from '@adsync/db';
import { AppError } from '@adsync/errors';
import type { ProviderId } from '@adsync/providers';
import formBody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { GatewayDeps } from '../gateway-deps.ts';
import { sendFailurePage, sendHtmlPage } from '../http/html-page.ts';
import { requireOurPages } from '../http/same-origin.ts';
import { invalidInput } from '../http/validation.ts';
import { findTenantPrincipal, requireTenant, tenantOf } from '../tenants/tenant-auth.ts';
import { CONNECT_LINKS_API, CONNECT_PATH, consentOrigin, mintConnectLink, PLATFORM_NAMES } from './connect-links.ts';
import { providerParam } from './oauth.route.ts';
import { startAuthorization } from './oauth-flow.ts';
import { checkReturnUrl } from './return-url.ts';

const mintBody = z.strictObject({ provider: z.string().max(32), returnTo: z.string().max(2000).optional() });
const tokenOf = (value: unknown) => (typeof value === 'string' && value.length <= 200 ? value : '');

function invalidLink(): AppError {
  return new AppError(
    'connect_link_invalid',
    'This connect link does not work: it was already used, has expired or was withdrawn. Ask for a new one.',
  );
}

export function connectLinkRoutes(deps: GatewayDeps) {
  /** Uses the link up and sends the browser on to the platform, bound to this flow. */
  const go = async (reply: FastifyReply, token: string) => {
    const link = await consumeConnectLink(deps.db, hashToken(token));
    if (link === undefined) throw invalidLink();
    const url = await startAuthorization(deps, reply, {
      tenantId: link.tenant_id,
      provider: link.provider as ProviderId,
      returnUrl: link.return_url,
    });
    return reply.header('cache-control', 'no-store').redirect(url, 303);
  };

  return async (app: FastifyInstance) => {
    app.post(CONNECT_LINKS_API, { onRequest: requireTenant(deps) }, async (request, reply) => {
      const parsed = mintBody.safeParse(request.body);
      if (!parsed.success) throw invalidInput(parsed.error);
      const provider = providerParam(parsed.data.provider);
      const returnUrl = checkReturnUrl(parsed.data.returnTo, deps.config.PUBLIC_BASE_URL);
      return reply.status(201).send(await mintConnectLink(deps, tenantOf(request), { provider, returnUrl }));
    });

    await app.register(async (pages) => {
      await pages.register(formBody);
      pages.setErrorHandler((error, request, reply) =>
        sendFailurePage(request, reply, error, { title: 'Nothing was connected' }),
      );
      const guard = async (request: FastifyRequest, reply: FastifyReply) => {
        await pages.limits.take('signIn', request, reply);
        await pages.limits.refuseWhileLockedOut(request, reply);
      };

      pages.get(CONNECT_PATH, { onRequest: guard }, async (request, reply) => {
        const token = tokenOf((request.query as { token?: unknown }).token);
        const link = token === '' ? undefined : await findUsableConnectLink(deps.db, hashToken(token));
        const tenant = link === undefined ? undefined : await findTenant(deps.db, link.tenant_id);
        if (link === undefined || tenant === undefined) {
          await pages.limits.recordAuthFailure(request);
          throw invalidLink();
        }
        const provider = link.provider as ProviderId;
        const platform = PLATFORM_NAMES[provider];
        const signedIn = await findTenantPrincipal(deps, request, reply);
        if (signedIn?.via === 'session' && signedIn.tenantId === link.tenant_id) return go(reply, token);
        const otherTenant = signedIn?.via === 'session' ? await findTenant(deps.db, signedIn.tenantId) : undefined;
        return sendHtmlPage(
          reply,
          200,
          {
            title: `Connect ${platform} to ${tenant.name}?`,
            message: [
              `This link connects your ${platform} account to ${tenant.name} on adsync, which will then read its ` +
                'ad accounts and spend. On the next page, sign in to the platform and choose what to share.',
              ...(otherTenant === undefined
                ? []
                : [
                    `You are signed in to adsync as ${otherTenant.name}, but this link connects ${platform} to ` +
                      `${tenant.name}, not to ${otherTenant.name}. Continue only if that is what you expect.`,
                  ]),
              'If you did not expect this link, close this page: nothing happens until you continue.',
            ],
            form: { action: CONNECT_PATH, fields: { token }, button: `Continue to ${platform}` },
          },
          { formTargets: [consentOrigin(deps.providers.oauth(provider))] },
        );
      });

      pages.post(CONNECT_PATH, { onRequest: guard, bodyLimit: 4_096 }, async (request, reply) => {
        requireOurPages(request, deps.config.PUBLIC_BASE_URL, 'Continue from the connect page adsync showed you.');
        const token = tokenOf((request.body as { token?: unknown } | undefined)?.token);
        try {
          return await go(reply, token);
        } catch (error) {
          if (error instanceof AppError && error.code === 'connect_link_invalid') {
            await pages.limits.recordAuthFailure(request);
          }
          throw error;
        }
      });
    });
  };
}
