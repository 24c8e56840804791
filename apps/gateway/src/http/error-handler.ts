// One JSON error shape for every failure: { "error": { "code", "message" } }. Codes are stable and
// lower_snake_case; messages say what to fix; internals and secrets never reach the client.

import { isAppError, isDependencyUnavailable } from '@adsync/errors';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export function errorBody(code: string, message: string, details?: Record<string, unknown>): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** What a 503 tells clients to wait while Postgres or Redis is down or restarting. */
const RETRY_AFTER_OUTAGE_SECONDS = 5;

const CODES_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
};

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (isAppError(error)) {
      return reply.status(error.status).send(errorBody(error.code, error.message, error.details as never));
    }
    if (error.validation !== undefined) {
      return reply.status(400).send(errorBody('invalid_request', `The request is invalid: ${error.message}.`));
    }
    const status = error.statusCode ?? 500;
    if (status < 500) {
      const code = CODES_BY_STATUS[status] ?? 'bad_request';
      return reply.status(status).send(errorBody(code, error.message));
    }
    if (isDependencyUnavailable(error)) {
      request.log.warn({ err: error }, 'request failed: Postgres or Redis is unavailable');
      return reply
        .status(503)
        .header('retry-after', String(RETRY_AFTER_OUTAGE_SECONDS))
        .send(
          errorBody(
            'service_unavailable',
            `adsync cannot reach its database or queue right now (request ${request.id}). Retry in a few seconds.`,
          ),
        );
    }
    request.log.error({ err: error }, 'request failed');
    return reply
      .status(500)
      .send(errorBody('internal_error', `Something went wrong on our side (request ${request.id}); please retry.`));
  });

  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(errorBody('not_found', `There is no ${request.method} ${request.url.split('?')[0]}.`)),
  );
}

/**
 * The router's limit on one path parameter, above the longest any route takes (a product ref: 255 characters).
 * Fastify's default (100) refused valid product refs before their route saw them.
 */
export const MAX_PATH_PARAMETER_LENGTH = 512;

/** Fastify's refusals made before routing, which the error handler never sees. */
const FRAMEWORK_REFUSALS: Record<string, { status: number; code: string; message: string }> = {
  FST_ERR_BAD_URL: {
    status: 400,
    code: 'invalid_url',
    message: 'The URL path is not valid: a segment has a malformed percent-encoding (encode it as UTF-8 first).',
  },
  FST_ERR_MAX_PARAM_LENGTH: {
    status: 414,
    code: 'path_segment_too_long',
    message: `A path segment is too long: no id or reference in this API is over ${MAX_PATH_PARAMETER_LENGTH} characters.`,
  },
};

/**
 * Fastify's `frameworkErrors` option: its own refusals (a URL that does not decode, a path segment over the
 * router's limit) in the API's error shape. Its default body would echo the whole URL, query string included.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const refusal = FRAMEWORK_REFUSALS[error.code];
  if (refusal !== undefined) {
    void reply.status(refusal.status).send(errorBody(refusal.code, refusal.message));
    return;
  }
  request.log.error({ err: error }, 'request failed before routing');
  void reply
    .status(500)
    .send(errorBody('internal_error', `Something went wrong on our side (request ${request.id}); please retry.`));
}
