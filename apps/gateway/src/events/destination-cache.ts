// Where a tenant's events go, read from Postgres at most every few seconds per tenant (ingest takes
// thousands of requests a second). Changes made through this gateway apply at once; another replica's
// changes within ROUTES_TTL_MS. While Postgres is down or restarting, the routes last read (within
// OUTAGE_GRACE_MS) still apply, so events keep being accepted into Redis.

import { type CapiDestination, type Db, listCapiDestinations } from '@adsync/db';
import { isDependencyUnavailable } from '@adsync/errors';
import type { IngestDestination } from '@adsync/events';

const ROUTES_TTL_MS = 5_000;
const OUTAGE_GRACE_MS = 10 * 60_000;

export interface DestinationCache {
  /** The tenant's enabled destinations. */
  routesFor(tenantId: string): Promise<IngestDestination[]>;
  forget(tenantId: string): void;
}

interface CachedRoutes {
  routes: Promise<IngestDestination[]>;
  readAt: number;
  /** The last routes Postgres returned, served while it cannot be reached. */
  lastRead?: { routes: IngestDestination[]; at: number };
}

export function createDestinationCache(db: Db): DestinationCache {
  const cached = new Map<string, CachedRoutes>();
  const toRoute = (destination: CapiDestination): IngestDestination => ({
    id: destination.id,
    provider: destination.provider,
  });
  const read = (tenantId: string, now: number, lastRead: CachedRoutes['lastRead']): CachedRoutes => {
    const entry: CachedRoutes = {
      routes: Promise.resolve([]),
      readAt: now,
      ...(lastRead === undefined ? {} : { lastRead }),
    };
    entry.routes = listCapiDestinations(db, tenantId).then(
      (rows) => {
        const routes = rows.filter((row) => row.enabled).map(toRoute);
        entry.lastRead = { routes, at: now };
        return routes;
      },
      (error: unknown) => {
        if (lastRead !== undefined && now - lastRead.at < OUTAGE_GRACE_MS && isDependencyUnavailable(error)) {
          return lastRead.routes;
        }
        if (cached.get(tenantId) === entry) cached.delete(tenantId);
        throw error;
      },
    );
    return entry;
  };
  return {
    async routesFor(tenantId) {
      const now = Date.now();
      const entry = cached.get(tenantId);
      if (entry !== undefined && now - entry.readAt < ROUTES_TTL_MS) return entry.routes;
      const next = read(tenantId, now, entry?.lastRead);
      cached.set(tenantId, next);
      return next.routes;
    },
    forget(tenantId) {
      cached.delete(tenantId);
    },
  };
}
