// Whether a browser request that changes something comes from our own pages. Browsers send `Origin` on
// every POST and `Sec-Fetch-Site` on every request; a cross-site form or script cannot hide either. A
// client that sends neither is not a browser, and so holds no victim's cookies to abuse.

import { AppError } from '@adsync/errors';
import type { FastifyRequest } from 'fastify';

export function isFromOurPages(request: FastifyRequest, publicBaseUrl: string): boolean {
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== new URL(publicBaseUrl).origin) return false;
  const site = request.headers['sec-fetch-site'];
  return site === undefined || site === 'same-origin';
}

/** 403 `csrf_origin_mismatch` unless the request comes from our own pages. */
export function requireOurPages(request: FastifyRequest, publicBaseUrl: string, message: string): void {
  if (!isFromOurPages(request, publicBaseUrl)) {
    throw new AppError('csrf_origin_mismatch', message, { status: 403 });
  }
}
