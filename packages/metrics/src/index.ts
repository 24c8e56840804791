export type { Registry } from 'prom-client';
export { createMetricsRegistry, QUEUE_STATES, registerQueueDepth } from './metrics-registry.ts';
