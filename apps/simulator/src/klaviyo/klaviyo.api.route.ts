// The /api scope of the simulated a.klaviyo.com: JSON:API body parsing and errors, then, for every route,
// authentication → rate limit → revision → Accept → scopes → (writes) Content-Type, before its handler.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SimulatorContext } from '../core/platform.ts';
import { accountRoutes } from './klaviyo.accounts.route.ts';
import { authenticate, requireAcceptable, requireRevision, requireScopes } from './klaviyo.auth.ts';
import { catalogRoutes } from './klaviyo.catalog.route.ts';
import { errorBody, JSON_API, KlaviyoApiError } from './klaviyo.json-api.ts';
import { listRoutes } from './klaviyo.lists.route.ts';
import type { RateLimiter, RateTier } from './klaviyo.rate-limit.ts';
import { segmentRoutes } from './klaviyo.segments.route.ts';
import type { KlaviyoState } from './klaviyo.state.ts';
import { subscriptionRoutes } from './klaviyo.subscriptions.route.ts';

export interface RouteSpec {
  tier: RateTier;
  scopes: readonly string[];
}

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** Registers a route with its rate tier and scopes; GET collections also answer with a trailing slash. */
export interface ApiRouter {
  get(path: string, spec: RouteSpec, handler: Handler): void;
  post(path: string, spec: RouteSpec, handler: Handler): void;
}

export interface ApiDeps {
  state: KlaviyoState;
  context: SimulatorContext;
}

function asApiError(error: unknown): KlaviyoApiError {
  if (error instanceof KlaviyoApiError) return error;
  const status = (error as { statusCode?: number }).statusCode ?? 500;
  const detail = error instanceof Error ? error.message : String(error);
  if (status === 415) {
    return new KlaviyoApiError(415, 'unsupported_media_type', 'Unsupported media type.', detail, {
      source: { parameter: 'Content-Type' },
    });
  }
  if (status >= 400 && status < 500) {
    return new KlaviyoApiError(status, 'invalid', 'Invalid input.', detail, { source: { pointer: '/data' } });
  }
  return new KlaviyoApiError(500, 'error', 'A server error occurred.', 'Internal error.', {
    source: { pointer: '/data' },
  });
}

export function apiRoutes(deps: ApiDeps, limiter: RateLimiter) {
  const { state, context } = deps;
  return async (app: FastifyInstance) => {
    const specs = new Map<string, RouteSpec>();

    app.addContentTypeParser(JSON_API, { parseAs: 'string' }, (_request, body, done) => {
      try {
        done(null, body === '' ? {} : JSON.parse(body as string));
      } catch {
        done(Object.assign(new Error('The request body is not valid JSON.'), { statusCode: 400 }), undefined);
      }
    });

    app.setErrorHandler(async (error, _request, reply) => {
      const apiError = asApiError(error);
      return reply.status(apiError.status).headers(apiError.headers).type(JSON_API).send(errorBody(apiError));
    });

    app.setNotFoundHandler(async (request, reply) => {
      const apiError = new KlaviyoApiError(
        404,
        'not_found',
        'Not found.',
        `No route ${request.method} ${request.url}.`,
        {
          source: { pointer: '/data' },
        },
      );
      return reply.status(404).type(JSON_API).send(errorBody(apiError));
    });

    app.addHook('onRequest', async (request, reply) => {
      const spec = specs.get(`${request.method} ${request.routeOptions.url ?? ''}`);
      if (spec === undefined) return;
      reply.type(JSON_API);
      state.settleJobs();
      const now = context.clock.now();
      const principal = authenticate(state, request.headers.authorization, now);
      const route = `${request.method} ${(request.routeOptions.url ?? '').replace(/\/$/, '')}`;
      const decision = limiter.take(principal.quota, route, spec.tier);
      if (!decision.allowed) {
        throw new KlaviyoApiError(
          429,
          'throttled',
          'Request was throttled.',
          `Request was throttled. Expected available in ${decision.retryAfterSeconds} seconds.`,
          { source: { pointer: '/data' }, headers: { 'Retry-After': String(decision.retryAfterSeconds) } },
        );
      }
      reply.headers({
        'RateLimit-Limit': String(decision.limit),
        'RateLimit-Remaining': String(decision.remaining),
        'RateLimit-Reset': String(decision.resetSeconds),
      });
      requireRevision(request.headers.revision as string | undefined);
      requireAcceptable(request.headers.accept);
      requireScopes(principal, spec.scopes);
      if (request.method === 'POST') {
        const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
        if (contentType !== JSON_API) {
          throw new KlaviyoApiError(
            415,
            'unsupported_media_type',
            'Unsupported media type.',
            `Content-Type must be ${JSON_API}.`,
            { source: { parameter: 'Content-Type' } },
          );
        }
      }
    });

    const router: ApiRouter = {
      get(path, spec, handler) {
        for (const url of [path, `${path}/`]) {
          specs.set(`GET ${app.prefix}${url}`, spec);
          // No implicit HEAD twin: it would bypass the per-route checks keyed on GET.
          app.get(url, { exposeHeadRoute: false }, handler);
        }
      },
      post(path, spec, handler) {
        for (const url of [path, `${path}/`]) {
          specs.set(`POST ${app.prefix}${url}`, spec);
          app.post(url, handler);
        }
      },
    };
    accountRoutes(router);
    listRoutes(router, deps);
    segmentRoutes(router, deps);
    catalogRoutes(router, deps);
    subscriptionRoutes(router, deps);
  };
}
