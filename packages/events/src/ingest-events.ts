// Ingest: each posted event is checked on its own, its customer information normalized and hashed once,
// mapped for every destination of the tenant, checked against that platform's time window, deduplicated
// by (destination, event id) and stored for delivery. What is stored is durable; the answer says, event
// by event, what happened.

import type { CapiProvider } from '@adsync/db';
import type { Logger } from '@adsync/logging';
import type { QueueProducer } from '@adsync/queues';
import type { EventBuffer } from './event-buffer.ts';
import type { IngestMetrics } from './event-metrics.ts';
import { type EventProblem, invalidEventProblem, type NeutralEvent, neutralEvent, rawEventId } from './event-schema.ts';
import { type QueuedEvent, toPlatformEvent, windowProblem } from './platform-events.ts';
import { InvalidUserField, type PreparedUser, prepareUser } from './prepared-user.ts';

export interface IngestDestination {
  id: string;
  provider: CapiProvider;
}

export interface IngestDeps {
  buffer: EventBuffer;
  producer: QueueProducer;
  logger: Logger;
  metrics: IngestMetrics;
  /** How long a new batch waits for more events before it is sent. */
  lingerMs: number;
  now?: () => number;
}

export type EventStatus = 'accepted' | 'duplicate' | 'rejected';

export interface EventResult {
  index: number;
  id?: string;
  status: EventStatus;
  code?: string;
  field?: string;
  message?: string;
  /** Destinations this (accepted) event does not go to, and why (one platform's window is longer). */
  notSentTo?: { destinationId: string; code: string; message: string }[];
}

type Checked = { index: number; event: NeutralEvent; user: PreparedUser } | { index: number; problem: EventProblem };

function check(raw: unknown, index: number): Checked {
  const parsed = neutralEvent.safeParse(raw);
  if (!parsed.success) return { index, problem: invalidEventProblem(parsed.error) };
  try {
    return { index, event: parsed.data, user: prepareUser(parsed.data.user) };
  } catch (error) {
    if (!(error instanceof InvalidUserField)) throw error;
    return { index, problem: { code: error.code, field: error.field, message: error.message } };
  }
}

interface Routed {
  destination: IngestDestination;
  /** Per event index: the queued event, or why it is not sent there. */
  queued: QueuedEvent[];
  indexes: number[];
  outside: Map<number, EventProblem>;
}

export async function ingestEvents(
  deps: IngestDeps,
  tenantId: string,
  destinations: readonly IngestDestination[],
  rawEvents: readonly unknown[],
): Promise<EventResult[]> {
  const nowMs = deps.now?.() ?? Date.now();
  const nowSeconds = Math.floor(nowMs / 1000);
  const checked = rawEvents.map(check);

  const routes: Routed[] = destinations.map((destination) => {
    const route: Routed = { destination, queued: [], indexes: [], outside: new Map() };
    for (const item of checked) {
      if ('problem' in item) continue;
      const problem = windowProblem(destination.provider, item.event, nowSeconds);
      if (problem !== undefined) {
        route.outside.set(item.index, { ...problem, field: 'time' });
        continue;
      }
      route.indexes.push(item.index);
      route.queued.push({
        eventId: item.event.id,
        name: item.event.name,
        time: item.event.time,
        acceptedAt: nowMs,
        payload: toPlatformEvent(destination.provider, item.event, item.user),
      });
    }
    return route;
  });

  const stored = await Promise.all(routes.map((route) => deps.buffer.add(route.destination.id, route.queued)));
  const outcome = new Map<string, 'accepted' | 'duplicate'>(); // `${destination}:${index}`
  routes.forEach((route, r) => {
    const { accepted } = stored[r] ?? { accepted: [] };
    route.indexes.forEach((index, i) => {
      outcome.set(`${route.destination.id}:${index}`, accepted[i] === true ? 'accepted' : 'duplicate');
    });
    const provider = route.destination.provider;
    const acceptedCount = accepted.filter(Boolean).length;
    deps.metrics.accepted.inc({ provider }, acceptedCount);
    deps.metrics.deduplicated.inc({ provider }, accepted.length - acceptedCount);
    for (const problem of route.outside.values()) deps.metrics.rejected.inc({ reason: problem.code });
  });
  await scheduleFlushes(
    deps,
    tenantId,
    routes.filter((_, r) => stored[r]?.armed === true),
  );

  return checked.map((item): EventResult => {
    const id = 'problem' in item ? rawEventId(rawEvents[item.index]) : item.event.id;
    const base = { index: item.index, ...(id === undefined ? {} : { id }) };
    if ('problem' in item) {
      deps.metrics.rejected.inc({ reason: item.problem.code });
      return { ...base, status: 'rejected', ...item.problem };
    }
    const perDestination = routes.map((route) => ({
      destinationId: route.destination.id,
      outcome: outcome.get(`${route.destination.id}:${item.index}`),
      problem: route.outside.get(item.index),
    }));
    const notSentTo = perDestination.flatMap((entry) =>
      entry.problem === undefined
        ? []
        : [{ destinationId: entry.destinationId, code: entry.problem.code, message: entry.problem.message }],
    );
    if (perDestination.some((entry) => entry.outcome === 'accepted')) {
      return { ...base, status: 'accepted', ...(notSentTo.length > 0 ? { notSentTo } : {}) };
    }
    if (perDestination.some((entry) => entry.outcome === 'duplicate')) return { ...base, status: 'duplicate' };
    const problem = perDestination.find((entry) => entry.problem !== undefined)?.problem;
    return {
      ...base,
      status: 'rejected',
      code: problem?.code ?? 'not_sent',
      field: 'time',
      message: problem?.message ?? '',
    };
  });
}

/**
 * A flush per destination that just received its first events, after the linger. The events are already
 * durable: if this enqueue fails, the armed flag expires and the next ingest or the safety tick schedules it.
 */
async function scheduleFlushes(deps: IngestDeps, tenantId: string, routes: readonly Routed[]): Promise<void> {
  await Promise.all(
    routes.map(async (route) => {
      try {
        await deps.producer.enqueue(
          'capi-events',
          'flush-destination',
          { tenantId, destinationId: route.destination.id },
          { delay: deps.lingerMs },
        );
      } catch (error) {
        deps.logger.warn(
          { err: error, destinationId: route.destination.id },
          'could not schedule an event flush; the safety tick will',
        );
      }
    }),
  );
}
