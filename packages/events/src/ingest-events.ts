// Ingest: each posted event is checked on its own, its customer information normalized and hashed once,
// mapped for every destination of the tenant, checked against that platform's time window, deduplicated
// by (destination, event id) and stored for delivery. What is stored is durable; the answer says, event
// by event, what happened.

import type { CapiProvider } from '@adsync/db';
import type { Logger } from '@adsync/logging';
import type { QueueProducer } from '@adsync/queues';
import type { EventBuffer } from './event-buffer.ts';
import type { IngestMetrics } from './event-metrics.ts';
import { type EventProblem, invalidEventProblem, neutralEvent, rawEventId } from './event-schema.ts';
import { type QueuedEvent, windowProblem } from './platform-events.ts';
import { InvalidUserField, prepareUser } from './prepared-user.ts';

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

type Checked = { index: number; queued: QueuedEvent } | { index: number; problem: EventProblem };

function check(raw: unknown, index: number, acceptedAt: number): Checked {
  const parsed = neutralEvent.safeParse(raw);
  if (!parsed.success) return { index, problem: invalidEventProblem(parsed.error) };
  try {
    const { user, ...event } = parsed.data;
    return { index, queued: { eventId: event.id, acceptedAt, event, user: prepareUser(user) } };
  } catch (error) {
    if (!(error instanceof InvalidUserField)) throw error;
    return { index, problem: { code: error.code, field: error.field, message: error.message } };
  }
}

interface Routed {
  destination: IngestDestination;
  queued: QueuedEvent[];
  /** The event index of each queued event. */
  indexes: number[];
  /** By event index: why the event is not sent to this destination (outside the platform's window). */
  outside: (EventProblem | undefined)[];
  /** By event index: what the buffer said, for the events queued here. */
  outcomes: ('accepted' | 'duplicate' | undefined)[];
}

export async function ingestEvents(
  deps: IngestDeps,
  tenantId: string,
  destinations: readonly IngestDestination[],
  rawEvents: readonly unknown[],
): Promise<EventResult[]> {
  const nowMs = deps.now?.() ?? Date.now();
  const nowSeconds = Math.floor(nowMs / 1000);
  const checked = rawEvents.map((raw, index) => check(raw, index, nowMs));

  const routes: Routed[] = destinations.map((destination) => {
    const route: Routed = { destination, queued: [], indexes: [], outside: [], outcomes: [] };
    for (const item of checked) {
      if ('problem' in item) continue;
      const problem = windowProblem(destination.provider, item.queued.event, nowSeconds);
      if (problem !== undefined) {
        route.outside[item.index] = { ...problem, field: 'time' };
        deps.metrics.rejected.inc({ reason: problem.code });
        continue;
      }
      route.indexes.push(item.index);
      route.queued.push(item.queued);
    }
    return route;
  });

  const stored = await deps.buffer.add(
    routes.map((route) => ({ destinationId: route.destination.id, events: route.queued })),
  );
  routes.forEach((route, r) => {
    const accepted = stored[r]?.accepted ?? [];
    let acceptedCount = 0;
    route.indexes.forEach((index, i) => {
      const isNew = accepted[i] === true;
      if (isNew) acceptedCount += 1;
      route.outcomes[index] = isNew ? 'accepted' : 'duplicate';
    });
    const provider = route.destination.provider;
    deps.metrics.accepted.inc({ provider }, acceptedCount);
    deps.metrics.deduplicated.inc({ provider }, route.indexes.length - acceptedCount);
  });
  await scheduleFlushes(
    deps,
    tenantId,
    routes.filter((_, r) => stored[r]?.armed === true),
  );

  return checked.map((item) => resultOf(item, rawEvents, routes, deps.metrics));
}

/** One event's answer: accepted when at least one destination stored it, else duplicate, else why not. */
function resultOf(
  item: Checked,
  rawEvents: readonly unknown[],
  routes: readonly Routed[],
  metrics: IngestMetrics,
): EventResult {
  const id = 'problem' in item ? rawEventId(rawEvents[item.index]) : item.queued.eventId;
  const base = { index: item.index, ...(id === undefined ? {} : { id }) };
  if ('problem' in item) {
    metrics.rejected.inc({ reason: item.problem.code });
    return { ...base, status: 'rejected', ...item.problem };
  }
  let accepted = false;
  let duplicate = false;
  let firstProblem: EventProblem | undefined;
  let notSentTo: EventResult['notSentTo'];
  for (const route of routes) {
    const outcome = route.outcomes[item.index];
    if (outcome === 'accepted') accepted = true;
    else if (outcome === 'duplicate') duplicate = true;
    const problem = route.outside[item.index];
    if (problem !== undefined) {
      firstProblem ??= problem;
      notSentTo ??= [];
      notSentTo.push({ destinationId: route.destination.id, code: problem.code, message: problem.message });
    }
  }
  if (accepted) return { ...base, status: 'accepted', ...(notSentTo === undefined ? {} : { notSentTo }) };
  if (duplicate) return { ...base, status: 'duplicate' };
  return {
    ...base,
    status: 'rejected',
    code: firstProblem?.code ?? 'not_sent',
    field: 'time',
    message: firstProblem?.message ?? '',
  };
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
