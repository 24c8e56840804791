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

/** What a client is told about a failure: its own mistakes in full, our failures only in general terms. */
export interface PublicFailure {
  status: number;
  code: string;
  message: string;
  details?: Record<string, unknown>;
  /** Set on 503: how long to wait before retrying. */
  retryAfterSeconds?: number;
}

/**
 * The one mapping from a thrown error to what a client sees (JSON answers and HTML pages alike). Every 5xx
 * says `internal_error` (or `service_unavailable` while Postgres, Redis or a platform is out) with the
 * request id and nothing else: an internal code, a key id or a message written for operators
 * (`decryption_failed`, `unknown_key_id`, …) stays in the log.
 */
export function publicFailure(error: unknown, requestId: string): PublicFailure {
  if (isAppError(error) && error.status < 500) {
    return {
      status: error.status,
      code: error.code,
      message: error.message,
      ...(error.details === undefined ? {} : { details: { ...error.details } }),
    };
  }
  const fastifyError = error as Partial<FastifyError>;
  if (!isAppError(error) && fastifyError.validation !== undefined) {
    return { status: 400, code: 'invalid_request', message: `The request is invalid: ${fastifyError.message}.` };
  }
  const status = isAppError(error) ? error.status : (fastifyError.statusCode ?? 500);
  if (status < 500) {
    return { status, code: CODES_BY_STATUS[status] ?? 'bad_request', message: fastifyError.message ?? 'Bad request.' };
  }
  if (status === 503 || isDependencyUnavailable(error)) {
    return {
      status: 503,
      code: 'service_unavailable',
      message: `adsync cannot reach a service it depends on right now (request ${requestId}). Retry in a few seconds.`,
      retryAfterSeconds: RETRY_AFTER_OUTAGE_SECONDS,
    };
  }
  return {
    status: 500,
    code: 'internal_error',
    message: `Something went wrong on our side (request ${requestId}); please retry.`,
  };
}

/** Logs what the client was not told: the failure itself, with its internal code. */
export function logFailure(request: FastifyRequest, error: unknown, failure: PublicFailure): void {
  if (failure.status < 500) return;
  const code = isAppError(error) ? error.code : undefined;
  if (failure.status === 503) request.log.warn({ err: error, code }, 'request failed: a dependency is unavailable');
  else request.log.error({ err: error, code }, 'request failed');
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const failure = publicFailure(error, request.id);
    logFailure(request, error, failure);
    if (failure.retryAfterSeconds !== undefined) reply.header('retry-after', String(failure.retryAfterSeconds));
    return reply.status(failure.status).send(errorBody(failure.code, failure.message, failure.details));
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
