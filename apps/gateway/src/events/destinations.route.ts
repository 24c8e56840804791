// The tenant's conversion-event destinations: which Meta dataset/pixel or TikTok pixel gets its events, and
// the token that sends them — a stored connection's, or a dedicated one sealed to the destination row. Every
// route is scoped to the caller's tenant; another tenant's destination or connection is simply not found.

import { randomUUID } from 'node:crypto';
import { sealSecret } from '@adsync/crypto';
import {
  CAPI_PROVIDERS,
  type CapiDestination,
  type CapiDestinationUpdate,
  type CapiProvider,
  deleteCapiDestination,
  findCapiDestination,
  findConnection,
  insertCapiDestination,
  listCapiDestinations,
  type Provider,
  updateCapiDestination,
} from '@adsync/db';
import { AppError } from '@adsync/errors';
import { DESTINATION_TOKEN_FIELD } from '@adsync/events';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { GatewayDeps } from '../gateway-deps.ts';
import { parseInput } from '../http/validation.ts';
import { requireTenant, tenantOf } from '../tenants/tenant-auth.ts';
import type { DestinationCache } from './destination-cache.ts';
import { destinationView } from './destination-view.ts';

const PLATFORM: Record<Provider, string> = { meta: 'Meta', google: 'Google Ads', tiktok: 'TikTok', klaviyo: 'Klaviyo' };

const PIXEL_IDS: Record<CapiProvider, { pattern: RegExp; rule: string }> = {
  meta: { pattern: /^\d{1,20}$/, rule: 'a Meta pixel (dataset) id is 1 to 20 digits' },
  tiktok: { pattern: /^[A-Za-z0-9]{5,40}$/, rule: 'a TikTok pixel code is 5 to 40 letters and digits' },
};

const name = z.string().trim().min(1).max(100);
// The message never repeats the value: it is a secret. Visible ASCII only: the token travels in an HTTP header,
// where anything else fails every delivery (and would be retried as if the platform were down).
const accessToken = z
  .string()
  .regex(/^[\x21-\x7e]{1,2000}$/, 'must be 1 to 2000 characters without whitespace (visible ASCII: a platform token)');
const testEventCode = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1 to 64 letters, digits, "_" or "-"');

const ONE_SOURCE =
  'send exactly one of connectionId (events go with that connection’s token) or accessToken (a dedicated token)';

const createBody = z
  .strictObject({
    provider: z.enum(CAPI_PROVIDERS),
    pixelId: z.string(),
    name: name.optional(),
    connectionId: z.uuid().optional(),
    accessToken: accessToken.optional(),
    testEventCode: testEventCode.optional(),
  })
  .superRefine((body, context) => {
    const pixel = PIXEL_IDS[body.provider];
    if (!pixel.pattern.test(body.pixelId)) context.addIssue({ code: 'custom', path: ['pixelId'], message: pixel.rule });
  })
  .refine((body) => (body.connectionId === undefined) !== (body.accessToken === undefined), { message: ONE_SOURCE });

const patchBody = z
  .strictObject({
    name: name.optional(),
    testEventCode: testEventCode.nullable().optional(),
    enabled: z.boolean().optional(),
    connectionId: z.uuid().optional(),
    accessToken: accessToken.optional(),
  })
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message: 'send at least one of name, testEventCode, enabled, connectionId or accessToken',
  })
  .refine((body) => body.connectionId === undefined || body.accessToken === undefined, {
    message: 'send connectionId or accessToken, not both',
  });

function notFound(): AppError {
  return new AppError('destination_not_found', 'This tenant has no such event destination.', { status: 404 });
}

function invalidConnection(message: string): AppError {
  return new AppError('invalid_connection', message);
}

function destinationExists(provider: CapiProvider, pixelId: string, existingId?: string): AppError {
  return new AppError(
    'destination_exists',
    `This tenant already has a ${PLATFORM[provider]} destination for pixel ${pixelId}; change that one with PATCH, or delete it first.`,
    { status: 409, ...(existingId === undefined ? {} : { details: { destinationId: existingId } }) },
  );
}

/** Two creates of one pixel at once: the partial unique index refuses the second. */
function isPixelTaken(error: unknown): boolean {
  const pgError = error as { code?: unknown; constraint?: unknown } | null;
  return pgError?.code === '23505' && pgError.constraint === 'capi_destinations_pixel_key';
}

/** The caller's live destination named in the URL, or 404 (also for deleted ones and ids that are not UUIDs). */
async function ownDestination(deps: GatewayDeps, request: FastifyRequest): Promise<CapiDestination> {
  const { id } = request.params as { id: string };
  if (!z.uuid().safeParse(id).success) throw notFound();
  const destination = await findCapiDestination(deps.db, { tenantId: tenantOf(request).tenantId, destinationId: id });
  if (destination === undefined || destination.deleted_at !== null) throw notFound();
  return destination;
}

interface DestinationRef {
  tenantId: string;
  destinationId: string;
  provider: CapiProvider;
}

/** Where a destination's token comes from; the table holds exactly one of the two. */
interface TokenColumns {
  connection_id: string | null;
  access_token_ciphertext: string | null;
}

/** Token columns for sending with a stored connection: the caller's, of the same platform, not disconnected. */
async function connectionSource(deps: GatewayDeps, ref: DestinationRef, connectionId: string): Promise<TokenColumns> {
  const connection = await findConnection(deps.db, { tenantId: ref.tenantId, connectionId });
  if (connection === undefined) throw invalidConnection('connectionId: this tenant has no connection with this id.');
  const wanted = PLATFORM[ref.provider];
  if (connection.provider !== ref.provider) {
    throw invalidConnection(
      `connectionId: this is a ${PLATFORM[connection.provider]} connection; a ${wanted} destination needs a ${wanted} connection.`,
    );
  }
  if (connection.status === 'disconnected') {
    throw invalidConnection(
      'connectionId: this connection is disconnected; reconnect it first, or send a dedicated accessToken.',
    );
  }
  return { connection_id: connection.id, access_token_ciphertext: null };
}

/** Token columns for a dedicated token, sealed to its tenant and destination row. */
function dedicatedSource(deps: GatewayDeps, ref: DestinationRef, token: string): TokenColumns {
  // The seal context's `connectionId` carries the destination id here: the associated data binds the
  // ciphertext to this tenant and this destination row, so a copy in another row fails to open.
  const sealed = sealSecret(deps.keyring, token, {
    tenantId: ref.tenantId,
    connectionId: ref.destinationId,
    field: DESTINATION_TOKEN_FIELD,
  });
  return { connection_id: null, access_token_ciphertext: sealed };
}

/** The token columns a request asks for, checked; undefined when it names no token source. */
async function tokenColumns(
  deps: GatewayDeps,
  ref: DestinationRef,
  asked: { connectionId?: string | undefined; accessToken?: string | undefined },
): Promise<TokenColumns | undefined> {
  if (asked.connectionId !== undefined) return connectionSource(deps, ref, asked.connectionId);
  if (asked.accessToken !== undefined) return dedicatedSource(deps, ref, asked.accessToken);
  return undefined;
}

export function eventDestinationsRoutes(deps: GatewayDeps, destinations: DestinationCache) {
  return async (app: FastifyInstance) => {
    app.addHook('onRequest', requireTenant(deps));

    app.get('/v1/events/destinations', async (request) => {
      const destinations = await listCapiDestinations(deps.db, tenantOf(request).tenantId);
      return { destinations: destinations.map(destinationView) };
    });

    app.post('/v1/events/destinations', async (request, reply) => {
      const body = parseInput(createBody, request.body, 'body');
      const { tenantId } = tenantOf(request);
      // Chosen here so a dedicated token can be sealed to the row before it exists.
      const ref: DestinationRef = { tenantId, destinationId: randomUUID(), provider: body.provider };
      // The schema asks for exactly one source; the table's check constraint holds that too.
      const source = await tokenColumns(deps, ref, body);
      const existing = (await listCapiDestinations(deps.db, tenantId)).find(
        (destination) => destination.provider === body.provider && destination.pixel_id === body.pixelId,
      );
      if (existing !== undefined) throw destinationExists(body.provider, body.pixelId, existing.id);
      let created: CapiDestination;
      try {
        created = await insertCapiDestination(deps.db, {
          id: ref.destinationId,
          tenantId,
          provider: body.provider,
          name: body.name ?? `${PLATFORM[body.provider]} pixel ${body.pixelId}`,
          pixelId: body.pixelId,
          connectionId: source?.connection_id ?? null,
          accessTokenCiphertext: source?.access_token_ciphertext ?? null,
          testEventCode: body.testEventCode ?? null,
        });
      } catch (error) {
        if (isPixelTaken(error)) throw destinationExists(body.provider, body.pixelId);
        throw error;
      }
      destinations.forget(tenantId);
      return reply.status(201).send(destinationView(created));
    });

    app.get('/v1/events/destinations/:id', async (request) => destinationView(await ownDestination(deps, request)));

    app.patch('/v1/events/destinations/:id', async (request) => {
      const destination = await ownDestination(deps, request);
      const body = parseInput(patchBody, request.body, 'body');
      const ref: DestinationRef = {
        tenantId: destination.tenant_id,
        destinationId: destination.id,
        provider: destination.provider,
      };
      const changes: CapiDestinationUpdate = {};
      if (body.name !== undefined) changes.name = body.name;
      if (body.testEventCode !== undefined) changes.test_event_code = body.testEventCode;
      if (body.enabled !== undefined) changes.enabled = body.enabled;
      const source = await tokenColumns(deps, ref, body);
      if (source !== undefined) Object.assign(changes, source);
      const key = { tenantId: ref.tenantId, destinationId: ref.destinationId };
      const updated = await updateCapiDestination(deps.db, key, changes);
      // Deleted between the read and the write.
      if (updated === undefined) throw notFound();
      destinations.forget(ref.tenantId);
      return destinationView(updated);
    });

    app.delete('/v1/events/destinations/:id', async (request, reply) => {
      const { id } = request.params as { id: string };
      const { tenantId } = tenantOf(request);
      const deleted =
        z.uuid().safeParse(id).success && (await deleteCapiDestination(deps.db, { tenantId, destinationId: id }));
      if (!deleted) throw notFound();
      destinations.forget(tenantId);
      return reply.status(204).send();
    });
  };
}
