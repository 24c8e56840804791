// worker-klaviyo: consumes klaviyo-sync. A Job Scheduler tick syncs every live Klaviyo connection's lists,
// segments (with their members) and catalog items every KLAVIYO_SYNC_EVERY_SECONDS; connecting and the API
// add syncs too.

import { runWorkerApp } from '@adsync/worker-runtime';
import { declareKlaviyoTicks, klaviyoConsumers } from './klaviyo.jobs.ts';

await runWorkerApp({
  name: 'worker-klaviyo',
  defaultHealthPort: 3104,
  queues: ['klaviyo-sync'],
  consumers: klaviyoConsumers,
  onStart: declareKlaviyoTicks,
});
