// How each of the brand's conversion-event destinations is doing, for the admin page:
// `GET /v1/events/delivery-stats?days=30` gives, per live destination, the events delivered and dead-lettered
// on each UTC day of the window (every day, zeros included), the window's totals, the events waiting now and
// the dead letters still open.

import {
  type CapiDestination,
  countDeadLettersByDestination,
  type DeliveryDay,
  deliveryDays,
  listCapiDestinations,
  utcDay,
} from '@adsync/db';
import type { EventBuffer } from '@adsync/events';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { GatewayDeps } from '../gateway-deps.ts';
import { parseInput } from '../http/validation.ts';
import { requireTenant, tenantOf } from '../tenants/tenant-auth.ts';
import { type DestinationView, destinationView } from './destination-view.ts';

const statsQuery = z.strictObject({
  /** How many UTC days, today included. */
  days: z.coerce.number().int().min(1).max(90).default(30),
});

const DAY_MS = 86_400_000;

interface DayCounts {
  day: string;
  delivered: number;
  deadLettered: number;
}

export interface DestinationStats {
  destinationId: string;
  name: string;
  provider: string;
  enabled: boolean;
  /** Accepted and not yet delivered or dead-lettered. */
  waiting: number;
  delivered: number;
  deadLettered: number;
  /** Dead letters not replayed yet, whenever they failed. */
  openDeadLetters: number;
  lastDeliveredAt: string | null;
  lastError: DestinationView['lastError'];
  daily: DayCounts[];
}

/** The window's UTC dates ('YYYY-MM-DD'), oldest first, ending with today's. */
function windowDays(now: Date, days: number): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: days }, (_, index) => utcDay(new Date(today - (days - 1 - index) * DAY_MS)));
}

function destinationStats(
  destination: CapiDestination,
  days: readonly string[],
  counts: readonly DeliveryDay[],
  now: { waiting: number; openDeadLetters: number },
): DestinationStats {
  const byDay = new Map(counts.map((count) => [count.day, count]));
  const daily = days.map((day) => ({
    day,
    delivered: byDay.get(day)?.delivered ?? 0,
    deadLettered: byDay.get(day)?.deadLettered ?? 0,
  }));
  const view = destinationView(destination);
  return {
    destinationId: destination.id,
    name: destination.name,
    provider: destination.provider,
    enabled: destination.enabled,
    waiting: now.waiting,
    delivered: daily.reduce((sum, day) => sum + day.delivered, 0),
    deadLettered: daily.reduce((sum, day) => sum + day.deadLettered, 0),
    openDeadLetters: now.openDeadLetters,
    lastDeliveredAt: view.lastDeliveredAt,
    lastError: view.lastError,
    daily,
  };
}

async function deliveryStats(deps: GatewayDeps, buffer: EventBuffer, tenantId: string, dayCount: number) {
  const days = windowDays(new Date(), dayCount);
  const since = new Date(`${days[0]}T00:00:00Z`);
  const [destinations, counts, openDeadLetters] = await Promise.all([
    listCapiDestinations(deps.db, tenantId),
    deliveryDays(deps.db, { tenantId, since }),
    countDeadLettersByDestination(deps.db, tenantId),
  ]);
  const waiting = await Promise.all(destinations.map((destination) => buffer.waitingCount(destination.id)));
  return {
    days: dayCount,
    since: days[0],
    destinations: destinations.map((destination, index) =>
      destinationStats(
        destination,
        days,
        counts.filter((count) => count.destinationId === destination.id),
        { waiting: waiting[index] ?? 0, openDeadLetters: openDeadLetters.get(destination.id) ?? 0 },
      ),
    ),
  };
}

export function deliveryStatsRoutes(deps: GatewayDeps, buffer: EventBuffer) {
  return async (app: FastifyInstance) => {
    app.addHook('onRequest', requireTenant(deps));
    app.get('/v1/events/delivery-stats', async (request) => {
      const { days } = parseInput(statsQuery, request.query, 'query');
      return deliveryStats(deps, buffer, tenantOf(request).tenantId, days);
    });
  };
}
