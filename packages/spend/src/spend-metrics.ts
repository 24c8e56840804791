// Prometheus metrics of spend syncs: runs by outcome, rows written, and how long a sync takes.

import { Counter, Histogram, type Registry } from 'prom-client';

export interface SpendMetrics {
  runs: Counter<'provider' | 'kind' | 'outcome'>;
  rows: Counter<'provider'>;
  seconds: Histogram<'provider' | 'kind'>;
}

export function registerSpendMetrics(registry: Registry): SpendMetrics {
  return {
    runs: new Counter({
      name: 'adsync_spend_sync_runs_total',
      help: 'Spend syncs by platform, kind (hourly, nightly, backfill) and outcome.',
      labelNames: ['provider', 'kind', 'outcome'],
      registers: [registry],
    }),
    rows: new Counter({
      name: 'adsync_spend_rows_written_total',
      help: 'Spend rows inserted, changed or removed, by platform.',
      labelNames: ['provider'],
      registers: [registry],
    }),
    seconds: new Histogram({
      name: 'adsync_spend_sync_seconds',
      help: 'Wall time of one account sync, by platform and kind.',
      labelNames: ['provider', 'kind'],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers: [registry],
    }),
  };
}
