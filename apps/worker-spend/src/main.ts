// worker-spend: consumes spend-hourly and spend-nightly; pulls ad spend hourly and restates it nightly.
// Its job handlers arrive with their features; until then it owns its queues' health and metrics.

import { runWorkerApp } from '@adsync/worker-runtime';

await runWorkerApp({
  name: 'worker-spend',
  defaultHealthPort: 3102,
  queues: ['spend-hourly', 'spend-nightly'],
  consumers: () => [],
});
