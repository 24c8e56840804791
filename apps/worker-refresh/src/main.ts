// worker-refresh: consumes refresh; keeps every connection's credentials fresh (refresh tokens, health checks).
// Its job handlers arrive with their features; until then it owns its queues' health and metrics.

import { runWorkerApp } from '@adsync/worker-runtime';

await runWorkerApp({
  name: 'worker-refresh',
  defaultHealthPort: 3101,
  queues: ['refresh'],
  consumers: () => [],
});
