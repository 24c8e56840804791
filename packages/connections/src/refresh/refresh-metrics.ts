// The refresh fleet's metrics: outcomes by provider (counted as they happen), and, read from Postgres at
// scrape time, connections by status and the seconds until the soonest access-token expiry per provider.

import { countConnectionsByStatus, type Db, soonestExpiryByProvider } from '@adsync/db';
import { Counter, Gauge, type Registry } from 'prom-client';

export interface RefreshMetrics {
  outcome(provider: string, outcome: string): void;
}

export function registerRefreshMetrics(registry: Registry, db: Db): RefreshMetrics {
  const outcomes = new Counter({
    name: 'adsync_refresh_outcomes_total',
    help: 'Refresh and health-check outcomes by provider (refreshed, healthy, needs_reauth, retry_later, race, skipped).',
    labelNames: ['provider', 'outcome'],
    registers: [registry],
  });
  new Gauge({
    name: 'adsync_connections',
    help: 'Connections by provider and status, read from Postgres at scrape time.',
    labelNames: ['provider', 'status'],
    registers: [registry],
    async collect() {
      this.reset();
      try {
        for (const row of await countConnectionsByStatus(db))
          this.set({ provider: row.provider, status: row.status }, row.count);
      } catch {
        // Postgres is down: report nothing rather than stale numbers; readiness says what is wrong.
      }
    },
  });
  new Gauge({
    name: 'adsync_credentials_soonest_expiry_seconds',
    help: 'Seconds until the soonest access token of a live connection expires, by provider (negative: already expired).',
    labelNames: ['provider'],
    registers: [registry],
    async collect() {
      this.reset();
      try {
        const now = Date.now();
        for (const row of await soonestExpiryByProvider(db)) {
          this.set({ provider: row.provider }, Math.round((row.expiresAt.getTime() - now) / 1000));
        }
      } catch {
        // As above.
      }
    },
  });
  return { outcome: (provider, outcome) => outcomes.inc({ provider, outcome }) };
}
