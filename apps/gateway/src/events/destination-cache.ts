// Where a tenant's events go, read from Postgres at most every few seconds per tenant (ingest takes
// thousands of requests a second). Changes made through this gateway apply at once; another replica's
// changes within ROUTES_TTL_MS.

import { type CapiDestination, type Db, listCapiDestinations } from '@adsync/db';
import type { IngestDestination } from '@adsync/events';

const ROUTES_TTL_MS = 5_000;

export interface DestinationCache {
  /** The tenant's enabled destinations. */
  routesFor(tenantId: string): Promise<IngestDestination[]>;
  forget(tenantId: string): void;
}

export function createDestinationCache(db: Db): DestinationCache {
  const cached = new Map<string, { routes: Promise<IngestDestination[]>; readAt: number }>();
  const toRoute = (destination: CapiDestination): IngestDestination => ({
    id: destination.id,
    provider: destination.provider,
  });
  return {
    async routesFor(tenantId) {
      const now = Date.now();
      const entry = cached.get(tenantId);
      if (entry !== undefined && now - entry.readAt < ROUTES_TTL_MS) return entry.routes;
      const routes = listCapiDestinations(db, tenantId).then((rows) => rows.filter((row) => row.enabled).map(toRoute));
      cached.set(tenantId, { routes, readAt: now });
      routes.catch(() => cached.delete(tenantId));
      return routes;
    },
    forget(tenantId) {
      cached.delete(tenantId);
    },
  };
}
