// worker-capi: consumes capi-events; delivers conversion events to Meta's Conversions API and TikTok's
// Events API in platform-sized batches, isolating and dead-lettering what the platforms refuse.

import { runWorkerApp } from '@adsync/worker-runtime';
import { capiConsumers, declareCapiTicks } from './capi.jobs.ts';

await runWorkerApp({
  name: 'worker-capi',
  defaultHealthPort: 3103,
  queues: ['capi-events'],
  consumers: capiConsumers,
  onStart: declareCapiTicks,
});
