// The tenant's webhook: where adsync POSTs connection events (needs re-authorization, degraded, recovered,
// expiring), signed with a secret shown once when the URL is set. See README "Webhooks".

import { sealWebhookSecret } from '@adsync/connections';
import { generateToken } from '@adsync/crypto';
import { findTenant, setTenantWebhook } from '@adsync/db';
import { AppError } from '@adsync/errors';
import { outboundPolicyFrom, urlRefusal } from '@adsync/ssrf-guard';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { GatewayDeps } from '../gateway-deps.ts';
import { requireTenant, tenantOf } from './tenant-auth.ts';

const webhookBody = z.strictObject({ url: z.string().max(2000) });

export function webhookRoutes(deps: GatewayDeps) {
  // Public addresses only (plain http only outside production), unless the operator allows a private host;
  // worker-refresh checks every address the name resolves to again when it sends.
  const policy = outboundPolicyFrom(deps.config);

  return async (app: FastifyInstance) => {
    app.addHook('onRequest', requireTenant(deps));

    app.get('/v1/webhook', async (request) => {
      const tenant = await findTenant(deps.db, tenantOf(request).tenantId);
      return { url: tenant?.webhook_url ?? null };
    });

    app.put('/v1/webhook', async (request) => {
      const parsed = webhookBody.safeParse(request.body);
      if (!parsed.success) {
        throw new AppError('invalid_webhook_url', 'Send {"url": "…"} with the URL adsync should POST events to.');
      }
      const refusal = urlRefusal(parsed.data.url, policy);
      if (refusal !== undefined) {
        throw new AppError(
          'invalid_webhook_url',
          `The webhook URL ${refusal}: give a public ${policy.allowPlainHttp ? 'https or http' : 'https'} URL that adsync can POST events to.`,
        );
      }
      const url = new URL(parsed.data.url);
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
