// A storefront posting conversion events at a steady rate whatever happens to the fleet, and remembering
// exactly which event ids the gateway accepted with 202: those are the ones that must reach the platforms.
// A request that failed or timed out is not retried here (a real storefront would): its events were never
// promised, though some may still arrive if the gateway stored them before the answer was lost.

import { leadEvent } from '@adsync/gateway/testing/lead-event';

const REQUEST_TIMEOUT_MS = 10_000;
const MAX_IN_FLIGHT = 64;

export interface EventLoadFigures {
  requests: number;
  accepted: Set<string>;
  /** Sent in requests whose answer was not 202 or never came. */
  unconfirmed: Set<string>;
  byStatus: Record<string, number>;
}

export interface EventLoad {
  stop(): Promise<EventLoadFigures>;
}

export function startEventLoad(options: {
  gatewayUrl: string;
  apiKey: string;
  runId: string;
  eventsPerRequest: number;
  requestsPerSecond: number;
}): EventLoad {
  const figures: EventLoadFigures = { requests: 0, accepted: new Set(), unconfirmed: new Set(), byStatus: {} };
  const inFlight = new Set<Promise<void>>();
  let sequence = 0;

  const count = (status: string) => {
    figures.byStatus[status] = (figures.byStatus[status] ?? 0) + 1;
  };

  const send = async () => {
    const ids = Array.from({ length: options.eventsPerRequest }, () => `chaos-${options.runId}-${sequence++}`);
    const events = ids.map((id) => leadEvent(id));
    figures.requests += 1;
    try {
      const response = await fetch(`${options.gatewayUrl}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const body = (await response.json()) as { events?: { id?: string; status: string }[] };
      count(String(response.status));
      if (response.status !== 202) {
        for (const id of ids) figures.unconfirmed.add(id);
        return;
      }
      for (const result of body.events ?? []) {
        if (result.status === 'accepted' && result.id !== undefined) figures.accepted.add(result.id);
        else if (result.id !== undefined) figures.unconfirmed.add(result.id);
      }
    } catch (error) {
      count((error as Error).name === 'TimeoutError' ? 'timeout' : 'no answer');
      for (const id of ids) figures.unconfirmed.add(id);
    }
  };

  const timer = setInterval(() => {
    if (inFlight.size >= MAX_IN_FLIGHT) {
      count('skipped (too many in flight)');
      return;
    }
    const request = send().finally(() => inFlight.delete(request));
    inFlight.add(request);
  }, 1000 / options.requestsPerSecond);

  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight);
      return figures;
    },
  };
}
