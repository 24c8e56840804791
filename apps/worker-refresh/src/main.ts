// worker-refresh: consumes `refresh` and `webhooks`. A Job Scheduler tick sweeps Postgres for due connections; each
// refresh job renews or checks one connection's credentials (see packages/connections/src/refresh).

import { runWorkerApp } from '@adsync/worker-runtime';
import { declareSweep, refreshConsumers } from './refresh.jobs.ts';

await runWorkerApp({
  name: 'worker-refresh',
  defaultHealthPort: 3101,
  queues: ['refresh', 'webhooks'],
  consumers: refreshConsumers,
  onStart: declareSweep,
});
