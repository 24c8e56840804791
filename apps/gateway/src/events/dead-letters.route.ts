// Dead letters: conversion events that could not be delivered, with the reason. A brand lists and replays
// its own (`/v1/events/dead-letters`); operators see every tenant's and replay them too
// (`/v1/operator/dead-letters`, operator basic auth, admins only for replays). A replayed event goes back
// to delivery; if it fails again it returns to the same dead letter with its failure count raised.

import { type CapiDeadLetter, DEAD_LETTER_STATUSES, listDeadLetters } from '@adsync/db';
import { type EventBuffer, type ReplayDeps, replayDeadLetters } from '@adsync/events';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { GatewayDeps } from '../gateway-deps.ts';
import { decodeKeysetCursor, encodeKeysetCursor } from '../http/keyset-cursor.ts';
import { parseInput } from '../http/validation.ts';
import { readOnlyUnlessAdmin, rejectCrossSiteChanges, requireOperator } from '../operators/operator-auth.ts';
import { requireTenant, tenantOf } from '../tenants/tenant-auth.ts';

const listQuery = z.strictObject({
  status: z.enum(DEAD_LETTER_STATUSES).default('dead'),
  destinationId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  /** The `nextCursor` of the previous page. */
  cursor: z.string().max(200).optional(),
});
const operatorListQuery = listQuery.extend({ tenantId: z.uuid().optional() });
const replayBody = z.strictObject({ ids: z.array(z.uuid()).min(1).max(1_000) });

/** Keyset cursor: the failure time and id of a page's last row. */
function encodeCursor(letter: CapiDeadLetter): string {
  return encodeKeysetCursor([letter.failed_at.toISOString(), letter.id]);
}

function decodeCursor(cursor: string | undefined): { failedAt: Date; id: string } | undefined {
  return decodeKeysetCursor(cursor, ([at, id]) => {
    const failedAt = new Date(at ?? '');
    return Number.isNaN(failedAt.getTime()) || !z.uuid().safeParse(id).success
      ? undefined
      : { failedAt, id: id as string };
  });
}

function deadLetterView(letter: CapiDeadLetter, withTenant: boolean) {
  return {
    id: letter.id,
    ...(withTenant ? { tenantId: letter.tenant_id } : {}),
    destinationId: letter.destination_id,
    eventId: letter.event_id,
    eventName: letter.event_name,
    eventTime: letter.event_time.toISOString(),
    reason: { code: letter.reason_code, message: letter.reason_message },
    status: letter.status,
    failures: letter.failures,
    acceptedAt: letter.accepted_at.toISOString(),
    failedAt: letter.failed_at.toISOString(),
    replayedAt: letter.replayed_at?.toISOString() ?? null,
  };
}

async function listPage(
  deps: GatewayDeps,
  query: z.output<typeof listQuery>,
  scope: { tenantId: string | undefined; operator: boolean },
): Promise<{ deadLetters: ReturnType<typeof deadLetterView>[]; nextCursor: string | null }> {
  const before = decodeCursor(query.cursor);
  const letters = await listDeadLetters(deps.db, {
    ...(scope.tenantId === undefined ? {} : { tenantId: scope.tenantId }),
    ...(query.destinationId === undefined ? {} : { destinationId: query.destinationId }),
    ...(before === undefined ? {} : { before }),
    status: query.status,
    limit: query.limit,
  });
  const last = letters.at(-1);
  return {
    deadLetters: letters.map((letter) => deadLetterView(letter, scope.operator)),
    nextCursor: letters.length === query.limit && last !== undefined ? encodeCursor(last) : null,
  };
}

async function replay(deps: ReplayDeps, request: FastifyRequest, tenantId: string | undefined) {
  const { ids } = parseInput(replayBody, request.body, 'body');
  const replayed = await replayDeadLetters(deps, { ...(tenantId === undefined ? {} : { tenantId }), ids });
  const done = new Set(replayed);
  // Ids that are another tenant's, unknown or already replayed look the same: not replayable.
  return { replayed, notReplayable: ids.filter((id) => !done.has(id)) };
}

export function deadLetterRoutes(deps: GatewayDeps, buffer: EventBuffer) {
  const replayDeps: ReplayDeps = {
    db: deps.db,
    keyring: deps.keyring,
    producer: deps.producer,
    lingerMs: deps.config.EVENTS_LINGER_MS,
    buffer,
  };
  return async (app: FastifyInstance) => {
    await app.register(async (tenant) => {
      tenant.addHook('onRequest', requireTenant(deps));
      tenant.get('/v1/events/dead-letters', async (request) =>
        listPage(deps, parseInput(listQuery, request.query, 'query'), {
          tenantId: tenantOf(request).tenantId,
          operator: false,
        }),
      );
      tenant.post('/v1/events/dead-letters/replay', async (request) =>
        replay(replayDeps, request, tenantOf(request).tenantId),
      );
    });
    await app.register(async (operator) => {
      operator.addHook('onRequest', requireOperator(deps.db));
      operator.addHook('onRequest', readOnlyUnlessAdmin);
      operator.addHook('onRequest', rejectCrossSiteChanges);
      operator.get('/v1/operator/dead-letters', async (request) => {
        const query = parseInput(operatorListQuery, request.query, 'query');
        return listPage(deps, query, { tenantId: query.tenantId, operator: true });
      });
      operator.post('/v1/operator/dead-letters/replay', async (request) => replay(replayDeps, request, undefined));
    });
  };
}
