// The tenant's Connections API: list and read connections (never a token), choose ad accounts, disconnect
// (revoking at the platform where it can), reconnect (a connect link; the connection keeps its id and
// history), and the audit trail.
// Every route is scoped to the caller's tenant; another tenant's connection id is simply not found.

import { connectionsBeingRefreshed, openTokenSet, WIPED_CREDENTIALS } from '@adsync/connections';
import {
  type AdAccount,
  type Connection,
  type ConnectionEventPosition,
  findConnection,
  listAdAccounts,
  listConnectionEvents,
  listConnections,
  recordConnectionEvent,
  setSelectedAdAccounts,
  updateConnection,
} from '@adsync/db';
import { AppError } from '@adsync/errors';
import type { ProviderId } from '@adsync/providers';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { GatewayDeps } from '../gateway-deps.ts';
import { decodeKeysetCursor, encodeKeysetCursor } from '../http/keyset-cursor.ts';
import { invalidInput, parseInput } from '../http/validation.ts';
import { requireTenant, tenantOf } from '../tenants/tenant-auth.ts';
import { mintConnectLink } from './connect-links.ts';
import { connectionView } from './connection-view.ts';
import { enqueueFirstSyncs } from './first-syncs.ts';
import { connectKlaviyoKey } from './klaviyo-key.ts';
import { checkReturnUrl } from './return-url.ts';

const klaviyoKeyBody = z.strictObject({
  // Visible ASCII: the key travels in an HTTP header, where anything else cannot even be sent to Klaviyo.
  privateKey: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .regex(/^[\x21-\x7e]+$/, 'must be a Klaviyo private key ("pk_…"): visible ASCII characters without spaces'),
  publicKey: z.string().min(1).max(32).optional(),
});
const eventsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  /** The `nextCursor` of the previous page. */
  cursor: z.string().max(200).optional(),
});

/** An event's exact position (created_at to the microsecond, UTC, and id), as listConnectionEvents gave it. */
function decodeEventCursor(cursor: string | undefined): ConnectionEventPosition | undefined {
  return decodeKeysetCursor(cursor, ([createdAt, id, ...rest]) =>
    rest.length === 0 &&
    createdAt !== undefined &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(createdAt) &&
    !Number.isNaN(Date.parse(createdAt)) &&
    id !== undefined &&
    /^[1-9]\d{0,17}$/.test(id)
      ? { createdAt, id }
      : undefined,
  );
}
const selectionBody = z.strictObject({ selected: z.array(z.string().min(1).max(64)).max(500) });
const reconnectBody = z.strictObject({ returnTo: z.string().optional() }).default({});

function notFound(): AppError {
  return new AppError('connection_not_found', 'This tenant has no such connection.', { status: 404 });
}

/** The caller's connection named in the URL, or 404 (also for ids that are not UUIDs). */
async function ownConnection(deps: GatewayDeps, request: FastifyRequest): Promise<Connection> {
  const { id } = request.params as { id: string };
  if (!z.uuid().safeParse(id).success) throw notFound();
  const connection = await findConnection(deps.db, { tenantId: tenantOf(request).tenantId, connectionId: id });
  if (connection === undefined) throw notFound();
  return connection;
}

export function connectionsRoutes(deps: GatewayDeps) {
  /** Views of connections, each saying whether a refresh of it is running now. */
  const views = async (connections: readonly Connection[], accounts: readonly AdAccount[]) => {
    const refreshing = await connectionsBeingRefreshed(
      deps.redis,
      deps.config.QUEUE_PREFIX,
      connections.map((connection) => connection.id),
    );
    return connections.map((connection) =>
      connectionView(connection, accounts, { refreshing: refreshing.has(connection.id) }),
    );
  };

  return async (app: FastifyInstance) => {
    app.addHook('onRequest', requireTenant(deps));

    app.get('/v1/connections', async (request) => {
      const { tenantId } = tenantOf(request);
      const [connections, accounts] = await Promise.all([
        listConnections(deps.db, tenantId),
        listAdAccounts(deps.db, { tenantId }),
      ]);
      return { connections: await views(connections, accounts) };
    });

    app.post('/v1/connections/klaviyo/api-key', async (request, reply) => {
      const parsed = klaviyoKeyBody.safeParse(request.body);
      if (!parsed.success) throw invalidInput(parsed.error);
      const { connection, reconnected } = await connectKlaviyoKey(deps, {
        tenantId: tenantOf(request).tenantId,
        privateKey: parsed.data.privateKey,
        ...(parsed.data.publicKey === undefined ? {} : { publicKey: parsed.data.publicKey }),
      });
      const accounts = await listAdAccounts(deps.db, { tenantId: connection.tenant_id, connectionId: connection.id });
      return reply.status(reconnected ? 200 : 201).send(connectionView(connection, accounts));
    });

    app.get('/v1/connections/:id', async (request) => {
      const connection = await ownConnection(deps, request);
      const accounts = await listAdAccounts(deps.db, { tenantId: connection.tenant_id, connectionId: connection.id });
      const [view] = await views([connection], accounts);
      return view;
    });

    app.get('/v1/connections/:id/events', async (request) => {
      const connection = await ownConnection(deps, request);
      const query = parseInput(eventsQuery, request.query, 'query');
      const { events, next } = await listConnectionEvents(
        deps.db,
        { tenantId: connection.tenant_id, connectionId: connection.id },
        { limit: query.limit, before: decodeEventCursor(query.cursor) },
      );
      return {
        events: events.map((event) => ({
          type: event.type,
          message: event.message,
          detail: event.detail,
          at: event.created_at.toISOString(),
        })),
        nextCursor: next === undefined ? null : encodeKeysetCursor([next.createdAt, next.id]),
      };
    });

    app.put('/v1/connections/:id/accounts', async (request) => {
      const connection = await ownConnection(deps, request);
      const parsed = selectionBody.safeParse(request.body);
      if (!parsed.success) throw invalidInput(parsed.error);
      if (connection.status === 'disconnected') {
        throw new AppError('connection_disconnected', 'This connection is disconnected; reconnect it first.', {
          status: 409,
        });
      }
      const key = { tenantId: connection.tenant_id, connectionId: connection.id };
      const known = await listAdAccounts(deps.db, key);
      const unknown = parsed.data.selected.filter((id) => !known.some((account) => account.external_id === id));
      if (unknown.length > 0) {
        throw new AppError(
          'unknown_ad_account',
          `These accounts are not part of this connection: ${unknown.join(', ')}.`,
          {
            details: { unknown },
          },
        );
      }
      const before = new Set(known.filter((account) => account.selected).map((account) => account.id));
      const { updated, selected } = await deps.db.transaction().execute(async (trx) => {
        const selected = await setSelectedAdAccounts(trx, key, parsed.data.selected);
        const status = connection.status === 'pending' && selected.length > 0 ? 'active' : connection.status;
        const updated = await updateConnection(trx, key, { status });
        await recordConnectionEvent(trx, {
          ...key,
          type: 'accounts_selected',
          message: `${selected.length} ad account(s) selected.`,
          detail: { selected: selected.map((account) => account.external_id) },
        });
        return { updated: updated ?? connection, selected };
      });
      const newlySelected = selected.filter((account) => !before.has(account.id));
      if (updated.status === 'active' && newlySelected.length > 0)
        await enqueueFirstSyncs(deps, updated, newlySelected);
      return connectionView(updated, await listAdAccounts(deps.db, key));
    });

    app.post('/v1/connections/:id/disconnect', async (request) => {
      const connection = await ownConnection(deps, request);
      const key = { tenantId: connection.tenant_id, connectionId: connection.id };
      let revokedAtPlatform = false;
      let revokeProblem: string | undefined;
      const tokens = openTokenSet(deps.keyring, connection);
      if (tokens !== undefined) {
        // Best effort: a platform that is down must not keep a brand from disconnecting.
        const revoked = await deps.providers.oauth(connection.provider as ProviderId).revoke(tokens);
        if (revoked.ok) revokedAtPlatform = revoked.value;
        else revokeProblem = revoked.error.message;
      }
      const updated = await deps.db.transaction().execute(async (trx) => {
        await setSelectedAdAccounts(trx, key, []);
        const updated = await updateConnection(trx, key, {
          ...WIPED_CREDENTIALS,
          status: 'disconnected',
          disconnected_at: new Date(),
          credentials_version: connection.credentials_version + 1,
        });
        await recordConnectionEvent(trx, {
          ...key,
          type: 'disconnected',
          message: revokedAtPlatform ? 'Disconnected and revoked at the platform.' : 'Disconnected.',
          detail: { revokedAtPlatform, ...(revokeProblem === undefined ? {} : { revokeProblem }) },
        });
        return updated ?? connection;
      });
      return connectionView(updated, await listAdAccounts(deps.db, key));
    });

    app.post('/v1/connections/:id/reconnect', async (request) => {
      const connection = await ownConnection(deps, request);
      const parsed = reconnectBody.safeParse(request.body ?? {});
      if (!parsed.success) throw invalidInput(parsed.error);
      if (connection.auth_method === 'api_key') {
        throw new AppError(
          'reconnect_with_api_key',
          'This connection uses a Klaviyo private key: POST a new key to /v1/connections/klaviyo/api-key.',
          { status: 409 },
        );
      }
      // A connect link, not the platform's consent URL: the flow must be bound to the browser that opens it.
      return mintConnectLink(deps, tenantOf(request), {
        provider: connection.provider as ProviderId,
        returnUrl: checkReturnUrl(parsed.data.returnTo, deps.config.PUBLIC_BASE_URL),
      });
    });
  };
}
