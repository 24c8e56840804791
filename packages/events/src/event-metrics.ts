// Prometheus metrics of conversion events: at the gateway, accepted, refused (by reason) and deduplicated;
// in worker-capi, delivered, retried, dead-lettered (by reason) and the time from acceptance to delivery.

import { Counter, Histogram, type Registry } from 'prom-client';

export interface IngestMetrics {
  accepted: Counter<'provider'>;
  rejected: Counter<'reason'>;
  deduplicated: Counter<'provider'>;
}

export interface DeliveryMetrics {
  delivered: Counter<'provider'>;
  batches: Counter<'provider' | 'outcome'>;
  retried: Counter<'provider' | 'reason'>;
  deadLettered: Counter<'provider' | 'reason'>;
  latency: Histogram<'provider'>;
}

export function registerIngestMetrics(registry: Registry): IngestMetrics {
  return {
    accepted: new Counter({
      name: 'adsync_events_accepted_total',
      help: 'Conversion events stored for delivery, per destination platform.',
      labelNames: ['provider'],
      registers: [registry],
    }),
    rejected: new Counter({
      name: 'adsync_events_rejected_total',
      help: 'Conversion events refused at ingest, by reason (invalid_event, invalid_phone, event_too_old, ...).',
      labelNames: ['reason'],
      registers: [registry],
    }),
    deduplicated: new Counter({
      name: 'adsync_events_deduplicated_total',
      help: 'Conversion events dropped at ingest as duplicates of an event id already taken, per platform.',
      labelNames: ['provider'],
      registers: [registry],
    }),
  };
}

export function registerDeliveryMetrics(registry: Registry): DeliveryMetrics {
  return {
    delivered: new Counter({
      name: 'adsync_events_delivered_total',
      help: 'Conversion events the platform took.',
      labelNames: ['provider'],
      registers: [registry],
    }),
    batches: new Counter({
      name: 'adsync_event_batches_total',
      help: 'Requests to the events intakes, by outcome (delivered, rejected, failed).',
      labelNames: ['provider', 'outcome'],
      registers: [registry],
    }),
    retried: new Counter({
      name: 'adsync_event_batches_retried_total',
      help: 'Delivery attempts that failed and will be retried, by reason.',
      labelNames: ['provider', 'reason'],
      registers: [registry],
    }),
    deadLettered: new Counter({
      name: 'adsync_events_dead_lettered_total',
      help: 'Conversion events that could not be delivered and went to the dead letters, by reason.',
      labelNames: ['provider', 'reason'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'adsync_event_delivery_seconds',
      help: 'Time from acceptance at the gateway to delivery at the platform.',
      labelNames: ['provider'],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1_800, 3_600],
      registers: [registry],
    }),
  };
}
