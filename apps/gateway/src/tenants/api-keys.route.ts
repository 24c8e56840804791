// A tenant's own API keys: list (prefix and dates only), create (the key is shown in this answer and
// never again), revoke. Scoped to the caller's tenant like everything else.

import { issueApiKey, listApiKeys, revokeApiKey } from '@adsync/db';
import { AppError } from '@adsync/errors';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { GatewayDeps } from '../gateway-deps.ts';
import { forgetApiKey } from './api-key-cache.ts';
import { requireTenant, tenantOf } from './tenant-auth.ts';

const createBody = z.strictObject({ name: z.string().trim().min(1).max(100) });

export function apiKeysRoutes(deps: GatewayDeps) {
  return async (app: FastifyInstance) => {
    app.addHook('onRequest', requireTenant(deps));

    app.get('/v1/api-keys', async (request) => {
      const keys = await listApiKeys(deps.db, tenantOf(request).tenantId);
      return {
        apiKeys: keys.map((key) => ({
          id: key.id,
          name: key.name,
          prefix: key.key_prefix,
          createdAt: key.created_at.toISOString(),
          lastUsedAt: key.last_used_at?.toISOString() ?? null,
          revokedAt: key.revoked_at?.toISOString() ?? null,
        })),
      };
    });

    app.post('/v1/api-keys', async (request, reply) => {
      const parsed = createBody.safeParse(request.body);
      if (!parsed.success)
        throw new AppError('invalid_request', 'Send {"name": "…"} (1 to 100 characters) to name the key.');
      const { record, apiKey } = await issueApiKey(deps.db, {
        tenantId: tenantOf(request).tenantId,
        name: parsed.data.name,
      });
      reply.header('cache-control', 'no-store');
      return reply.status(201).send({ id: record.id, name: record.name, prefix: record.key_prefix, apiKey });
    });

    app.delete('/v1/api-keys/:id', async (request, reply) => {
      const { id } = request.params as { id: string };
      const revoked =
        z.uuid().safeParse(id).success &&
        (await revokeApiKey(deps.db, { tenantId: tenantOf(request).tenantId, keyId: id }));
      if (!revoked) throw new AppError('api_key_not_found', 'This tenant has no such live API key.', { status: 404 });
      await forgetApiKey(deps.db, id);
      return reply.status(204).send();
    });
  };
}
