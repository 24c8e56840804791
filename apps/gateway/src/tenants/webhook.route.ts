// The tenant's webhook: where adsync POSTs connection events (needs re-authorization, degraded, recovered,
// expiring), signed with a secret shown once when the URL is set. See README "Webhooks".

import { sealWebhookSecret } from '@adsync/connections';
import { generateToken } from '@adsync/crypto';
import { findTenant, setTenantWebhook } from '@adsync/db';
import { AppError } from '@adsync/errors';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { GatewayDeps } from '../gateway-deps.ts';
import { requireTenant, tenantOf } from './tenant-auth.ts';

const webhookBody = z.strictObject({ url: z.string().max(2000) });

export function webhookRoutes(deps: GatewayDeps) {
  // Plain http only for local runs: in production a webhook carries events over the internet.
  const allowedProtocols = deps.config.NODE_ENV === 'production' ? ['https:'] : ['https:', 'http:'];

  return async (app: FastifyInstance) => {
    app.addHook('onRequest', requireTenant(deps));

    app.get('/v1/webhook', async (request) => {
      const tenant = await findTenant(deps.db, tenantOf(request).tenantId);
      return { url: tenant?.webhook_url ?? null };
    });

    app.put('/v1/webhook', async (request) => {
      const parsed = webhookBody.safeParse(request.body);
      let url: URL | undefined;
      try {
        url = parsed.success ? new URL(parsed.data.url) : undefined;
      } catch {
        url = undefined;
      }
      if (url === undefined || !allowedProtocols.includes(url.protocol)) {
        throw new AppError(
          'invalid_webhook_url',
          `Send {"url": "…"} with an ${allowedProtocols.join(' or ')} URL that adsync can POST events to.`,
        );
      }
      const { tenantId } = tenantOf(request);
      const secret = generateToken('whsec');
      await setTenantWebhook(deps.db, tenantId, {
        url: url.toString(),
        secretCiphertext: sealWebhookSecret(deps.keyring, tenantId, secret),
      });
      // The secret is shown here once; setting the URL again issues a new one.
      return { url: url.toString(), secret };
    });

    app.delete('/v1/webhook', async (request, reply) => {
      await setTenantWebhook(deps.db, tenantOf(request).tenantId, null);
      return reply.status(204).send();
    });
  };
}
