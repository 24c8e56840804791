// Each request's id, as logs and answers (`x-request-id`) carry it. A client's own `x-request-id` is taken
// only from a proxy we trust (TRUST_PROXY) and only when it is short and plain: anything else a client sends
// there would be written verbatim into every log line and answer of the request.

import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';

/** Letters, digits and `._:-`, up to 64: what proxies and tracing systems generate (UUIDs, hex trace ids). */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Fastify's `genReqId`: the proxy's id when it is trusted and safe, otherwise a new UUID. */
export function requestIdGenerator(trustProxy: boolean): (request: IncomingMessage) => string {
  return (request) => {
    const given = request.headers[REQUEST_ID_HEADER];
    return trustProxy && typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
  };
}
