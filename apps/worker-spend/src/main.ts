// worker-spend: consumes spend-hourly and spend-nightly. Job Scheduler ticks fan out one job per selected ad
// account; each job pulls an account's spend at day, hour and region grain (see packages/spend).

import { runWorkerApp } from '@adsync/worker-runtime';
import { declareSpendTicks, spendConsumers } from './spend.jobs.ts';

await runWorkerApp({
  name: 'worker-spend',
  defaultHealthPort: 3102,
  queues: ['spend-hourly', 'spend-nightly'],
  consumers: spendConsumers,
  onStart: declareSpendTicks,
});
