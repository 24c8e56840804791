// Fault injection: "fail the next N calls of this route with this response" and "add latency", set through
// the control API and applied before a platform's own handler runs; and "reject any event batch that holds
// one of these event ids", which the Conversions API and Events API consult while they validate a batch.

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PlatformId } from './platform.ts';

export interface FailureRule {
  platform: PlatformId;
  /** `METHOD /path` relative to the platform prefix; `*` matches any run of characters. */
  route: string;
  remaining: number;
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export interface LatencyRule {
  platform: PlatformId;
  route: string;
  ms: number;
}

/** Events a platform refuses as invalid until the rule is cleared, so a test can make one event poison. */
export interface EventRejectionRule {
  platform: 'meta' | 'tiktok';
  eventIds: readonly string[];
  /** What the platform's error says about the event; the platform's own default otherwise. */
  message?: string;
}

export interface EventRejection {
  message?: string;
}

/** How a platform's event validation asks whether an `event_id` was made poison. */
export type EventRejections = (eventId: unknown) => EventRejection | undefined;

function routeMatcher(route: string): RegExp {
  const escaped = route.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`);
}

export interface Faults {
  failNext(rule: FailureRule): void;
  addLatency(rule: LatencyRule): void;
  rejectEvents(rule: EventRejectionRule): void;
  /** The rejection that names this `event_id` on the platform; undefined when none does. */
  eventRejection(platform: PlatformId, eventId: unknown): EventRejection | undefined;
  /** Drops every rule: failures, latency and event rejections. */
  reset(): void;
  /** An onRequest hook for one platform's scope. */
  hook(platform: PlatformId, prefix: string): (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
}

export function createFaults(): Faults {
  let failures: FailureRule[] = [];
  let latencies: LatencyRule[] = [];
  /** Keyed by `platform eventId`; a later rule naming the same event replaces the earlier one's message. */
  const rejections = new Map<string, EventRejection>();
  const matches = (rule: { platform: PlatformId; route: string }, platform: PlatformId, call: string) =>
    rule.platform === platform && routeMatcher(rule.route).test(call);

  return {
    failNext(rule) {
      failures.push(rule);
    },
    addLatency(rule) {
      latencies.push(rule);
    },
    rejectEvents(rule) {
      for (const eventId of rule.eventIds) {
        rejections.set(`${rule.platform} ${eventId}`, rule.message === undefined ? {} : { message: rule.message });
      }
    },
    eventRejection(platform, eventId) {
      return typeof eventId === 'string' ? rejections.get(`${platform} ${eventId}`) : undefined;
    },
    reset() {
      failures = [];
      latencies = [];
      rejections.clear();
    },
    hook(platform, prefix) {
      return async (request, reply) => {
        const path = (request.url.split('?')[0] ?? '').slice(prefix.length) || '/';
        const call = `${request.method} ${path}`;
        const delay = latencies.filter((rule) => matches(rule, platform, call)).reduce((sum, rule) => sum + rule.ms, 0);
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
        const failure = failures.find((rule) => rule.remaining > 0 && matches(rule, platform, call));
        if (failure === undefined) return;
        failure.remaining -= 1;
        failures = failures.filter((rule) => rule.remaining > 0);
        await reply.status(failure.status).headers(failure.headers).send(failure.body);
      };
    },
  };
}
