// A tenant's browser sessions: which are live (opened how, by which API key, from what browser), and ending
// one or all but the current. Ending a session also ends the sessions its login links opened and voids the
// links it minted, so a stolen session cannot leave a foothold behind. (Revoking an API key ends the
// sessions behind it in the same way; `pnpm sessions:end --tenant ID` ends every session of a tenant.)

import { endAdminSessions, listLiveAdminSessions } from '@adsync/db';
import { AppError } from '@adsync/errors';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { GatewayDeps } from '../gateway-deps.ts';
import { requireTenant, tenantOf } from './tenant-auth.ts';

export function sessionsRoutes(deps: GatewayDeps) {
  return async (app: FastifyInstance) => {
    app.addHook('onRequest', requireTenant(deps));

    app.get('/v1/admin/sessions', async (request, reply) => {
      const principal = tenantOf(request);
      const current = principal.via === 'session' ? principal.sessionId : null;
      const sessions = await listLiveAdminSessions(deps.db, principal.tenantId);
      return reply.header('cache-control', 'no-store').send({
        sessions: sessions.map((session) => ({
          id: session.id,
          current: session.id === current,
          openedVia: session.opened_via,
          apiKey:
            session.api_key_id === null
              ? null
              : { id: session.api_key_id, name: session.api_key_name, prefix: session.api_key_prefix },
          userAgent: session.user_agent,
          clientIp: session.client_ip,
          createdAt: session.created_at.toISOString(),
          expiresAt: session.expires_at.toISOString(),
        })),
      });
    });

    app.delete('/v1/admin/sessions/:id', async (request, reply) => {
      const { id } = request.params as { id: string };
      const { tenantId } = tenantOf(request);
      const ended = z.uuid().safeParse(id).success
        ? await endAdminSessions(deps.db, tenantId, { sessionIds: [id] })
        : [];
      if (!ended.includes(id)) {
        throw new AppError('session_not_found', 'This tenant has no such live session.', { status: 404 });
      }
      return reply.status(204).send();
    });

    // Every session but the one making the call (with an API key: every session).
    app.delete('/v1/admin/sessions', async (request) => {
      const principal = tenantOf(request);
      const ended = await endAdminSessions(deps.db, principal.tenantId, {
        allBut: principal.via === 'session' ? principal.sessionId : null,
      });
      return { ended: ended.length };
    });
  };
}
