// Operator authentication for engineer-only surfaces (Bull Board, later dead-letter replay and backfills).
// HTTP basic auth: user = operator email, password = operator token; only the token's hash is stored.

import { hashToken } from '@adsync/crypto';
import { type Db, findActiveOperator, type Operator } from '@adsync/db';
import { isAppError } from '@adsync/errors';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from '../http/error-handler.ts';

declare module 'fastify' {
  interface FastifyRequest {
    operator?: Operator;
  }
}

export function parseBasicAuth(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  if (separator < 1) return undefined;
  return { user: decoded.slice(0, separator), password: decoded.slice(separator + 1) };
}

const challenge = 'Basic realm="adsync operators", charset="UTF-8"';

/**
 * Operator basic auth, in `onRequest`. From an address that has used up its failed credentials nothing is
 * checked (429) until the window ends, so a password guesser cannot tell a right guess from a wrong one.
 */
export function requireOperator(db: Db) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const credentials = parseBasicAuth(request.headers.authorization);
    if (credentials !== undefined) {
      try {
        await request.server.limits.refuseWhileLockedOut(request, reply);
      } catch (error) {
        // Answered here: Bull Board's scope has an error handler of its own.
        if (!isAppError(error)) throw error;
        return reply.status(error.status).send(errorBody(error.code, error.message));
      }
    }
    const operator =
      credentials === undefined
        ? undefined
        : await findActiveOperator(db, { email: credentials.user, tokenHash: hashToken(credentials.password) });
    if (operator === undefined) {
      if (credentials !== undefined) await request.server.limits.recordAuthFailure(request);
      return reply
        .status(401)
        .header('www-authenticate', challenge)
        .send(
          errorBody(
            'operator_auth_required',
            credentials === undefined
              ? 'Sign in as an operator: HTTP basic auth with your operator email and token.'
              : 'Those operator credentials are not valid (unknown email, wrong token, or a disabled operator).',
          ),
        );
    }
    request.operator = operator;
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Operators without the admin role may look but not change anything. */
export async function readOnlyUnlessAdmin(request: FastifyRequest, reply: FastifyReply) {
  if (SAFE_METHODS.has(request.method) || request.operator?.role === 'admin') return;
  return reply
    .status(403)
    .send(errorBody('operator_read_only', 'Your operator role is read-only; ask an admin to make this change.'));
}

/**
 * Browsers send basic-auth credentials on their own, so a change must come from our own pages: a
 * cross-site form or script is refused. Clients that are not browsers send neither header.
 */
export async function rejectCrossSiteChanges(request: FastifyRequest, reply: FastifyReply) {
  if (SAFE_METHODS.has(request.method)) return;
  const fetchSite = request.headers['sec-fetch-site'];
  const origin = request.headers.origin;
  const sameOrigin = origin === undefined || origin === `${request.protocol}://${request.host}`;
  if ((fetchSite === undefined || fetchSite === 'same-origin' || fetchSite === 'none') && sameOrigin) return;
  return reply.status(403).send(errorBody('cross_site_request', 'Changes must come from the adsync pages themselves.'));
}
