// worker-klaviyo: consumes klaviyo-sync; syncs Klaviyo lists, segments and catalog product mappings.
// Its job handlers arrive with their features; until then it owns its queues' health and metrics.

import { runWorkerApp } from '@adsync/worker-runtime';

await runWorkerApp({
  name: 'worker-klaviyo',
  defaultHealthPort: 3104,
  queues: ['klaviyo-sync'],
  consumers: () => [],
});
