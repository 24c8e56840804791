// The gateway's rate limits, counted in Redis by @fastify/rate-limit so every replica shares them:
// - `signIn`, per client IP: the sign-in form and the login and connect link pages;
// - `authFailures`, per client IP: failed credentials. It is read before credentials are checked, and only a
//   failure counts, so once it is used up an address learns nothing more (not even whether a guess was
//   right) until the window ends;
// - `api` and `events`, per API key or browser session: every /v1 call, with event ingest counted apart.
// Answers carry RateLimit-Limit / -Remaining / -Reset (the IETF httpapi draft's fields, as the plugin's
// `enableDraftSpec` names them); a refusal is 429 `rate_limited` with Retry-After. While Redis cannot
// be reached the limits are skipped rather than failing requests that need only Postgres.

import type { RequestLimit } from '@adsync/config';
import { AppError } from '@adsync/errors';
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayDeps } from '../gateway-deps.ts';

export type LimitName = 'signIn' | 'authFailures' | 'api' | 'events';

export interface GatewayLimits {
  /** Counts the request against `name` for `subject` (the client IP by default); 429 past the limit. */
  take(name: LimitName, request: FastifyRequest, reply: FastifyReply, subject?: string): Promise<void>;
  /** 429 when the client IP has used up its failed credentials; counts nothing. */
  refuseWhileLockedOut(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** Counts a failed credential against the client IP. */
  recordAuthFailure(request: FastifyRequest): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    limits: GatewayLimits;
  }
}

/** The client's address as the limits count it: IPv4 as is, IPv6 by its /64 (one host's whole subnet). */
export function clientAddress(request: FastifyRequest): string {
  return normalizeIP(request.ip);
}

const MESSAGES: Record<LimitName, string> = {
  signIn: 'Too many sign-in attempts from this address',
  authFailures: 'Too many failed credentials from this address',
  api: 'Too many requests with these credentials',
  events: 'Too many event requests with this API key',
};

type Outcome = Awaited<ReturnType<ReturnType<FastifyInstance['createRateLimit']>>>;

function describe(reply: FastifyReply, outcome: Outcome, name: LimitName, refused: boolean): void {
  if (outcome.isAllowed) return;
  reply.header('ratelimit-limit', String(outcome.max));
  reply.header('ratelimit-remaining', String(outcome.remaining));
  reply.header('ratelimit-reset', String(outcome.ttlInSeconds));
  if (!refused) return;
  reply.header('retry-after', String(Math.max(1, outcome.ttlInSeconds)));
  throw new AppError('rate_limited', `${MESSAGES[name]}: retry in ${Math.max(1, outcome.ttlInSeconds)} s.`, {
    status: 429,
  });
}

/** Registers the plugin on Redis and decorates the app with `limits` (before any route that uses them). */
export async function registerRateLimits(
  app: FastifyInstance,
  deps: Pick<GatewayDeps, 'redis'> & {
    config: Pick<
      GatewayDeps['config'],
      'QUEUE_PREFIX' | 'RATE_LIMIT_SIGN_IN' | 'RATE_LIMIT_AUTH_FAILURES' | 'RATE_LIMIT_API' | 'RATE_LIMIT_EVENTS'
    >;
  },
): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    redis: deps.redis,
    nameSpace: `${deps.config.QUEUE_PREFIX}:rate-limit:`,
    skipOnError: true,
  });
  const subjects = new WeakMap<FastifyRequest, string>();
  const limiter = (name: LimitName, limit: RequestLimit) =>
    app.createRateLimit({
      max: limit.max,
      timeWindow: limit.windowMs,
      // Every limiter shares the plugin's key space: the name keeps their counts apart. (The plugin puts a
      // route's method and URL in its keys, `undefinedundefined-` for limiters made with createRateLimit: Redis
      // keys read `{prefix}:rate-limit:undefinedundefined-api:key:<id>`.)
      keyGenerator: (request) => `${name}:${subjects.get(request) ?? clientAddress(request)}`,
    });
  const limiters: Record<LimitName, ReturnType<typeof limiter>> = {
    signIn: limiter('signIn', deps.config.RATE_LIMIT_SIGN_IN),
    authFailures: limiter('authFailures', deps.config.RATE_LIMIT_AUTH_FAILURES),
    api: limiter('api', deps.config.RATE_LIMIT_API),
    events: limiter('events', deps.config.RATE_LIMIT_EVENTS),
  };

  const limits: GatewayLimits = {
    async take(name, request, reply, subject) {
      if (subject !== undefined) subjects.set(request, subject);
      const outcome = await limiters[name](request);
      subjects.delete(request);
      describe(reply, outcome, name, !outcome.isAllowed && outcome.isExceeded);
    },
    async refuseWhileLockedOut(request, reply) {
      const outcome = await limiters.authFailures(request, { increment: false });
      if (!outcome.isAllowed && outcome.remaining === 0) describe(reply, outcome, 'authFailures', true);
    },
    async recordAuthFailure(request) {
      await limiters.authFailures(request);
    },
  };
  app.decorate('limits', limits);
}
