// One JSON error shape for every failure: { "error": { "code", "message" } }. Codes are stable and
// lower_snake_case; messages say what to fix; internals and secrets never reach the client.

import { isAppError } from '@adsync/errors';
import type { FastifyError, FastifyInstance } from 'fastify';

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export function errorBody(code: string, message: string, details?: Record<string, unknown>): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

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
    request.log.error({ err: error }, 'request failed');
    return reply
      .status(500)
      .send(errorBody('internal_error', `Something went wrong on our side (request ${request.id}); please retry.`));
  });

  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(errorBody('not_found', `There is no ${request.method} ${request.url.split('?')[0]}.`)),
  );
}
