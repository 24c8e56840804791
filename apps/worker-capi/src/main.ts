// worker-capi: consumes capi-events; delivers conversion events to Meta's Conversions API and TikTok's Events API.
// Its job handlers arrive with their features; until then it owns its queues' health and metrics.

import { runWorkerApp } from '@adsync/worker-runtime';

await runWorkerApp({
  name: 'worker-capi',
  defaultHealthPort: 3103,
  queues: ['capi-events'],
  consumers: () => [],
});
